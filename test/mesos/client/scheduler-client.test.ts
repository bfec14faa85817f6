import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import {
  FrameworkFailedOverError,
  FrameworkRemovedError,
  MasterUnreachableError,
  MesosCallError,
  NotSubscribedError,
  SubscribeRefusedError,
} from '../../../src/mesos/client/errors.ts';
import {
  SchedulerClient,
  type SchedulerClientOptions,
} from '../../../src/mesos/client/scheduler-client.ts';
import type { SchedulerClientConfig } from '../../../src/mesos/client/config.ts';
import type { Format } from '../../../src/mesos/codec.ts';
import type { TaskInfo, TaskStatus } from '../../../src/mesos/types.ts';
import { offer, status as runningStatus, taskInfo, uuid } from '../fixtures.ts';
import { until } from '../../support/until.ts';
import { EventRecorder } from './event-recorder.ts';
import { ScriptedMaster } from './scripted-master.ts';

const masters: ScriptedMaster[] = [];
const clients: SchedulerClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
  await Promise.all(masters.splice(0).map((master) => master.close()));
});

async function master(id?: string): Promise<ScriptedMaster> {
  const m = await ScriptedMaster.start(id);
  masters.push(m);
  return m;
}

describe.each(['json', 'protobuf'] as const)('SchedulerClient over %s', (encoding: Format) => {
  function client(
    urls: string[],
    overrides: Partial<SchedulerClientConfig> = {},
    options: SchedulerClientOptions = {},
  ) {
    const c = new SchedulerClient(
      {
        masters: urls,
        encoding,
        framework: { name: 'meseta', user: 'root', roles: ['apps'] },
        backoff: { initialMs: 10, maxMs: 40, jitter: 0.5 },
        subscribeTimeoutMs: 3000,
        callTimeoutMs: 3000,
        ...overrides,
      },
      options,
    );
    clients.push(c);
    return c;
  }

  async function subscribed(urls: string[], overrides: Partial<SchedulerClientConfig> = {}) {
    const c = client(urls, overrides);
    const recorder = new EventRecorder(c);
    c.start();
    await recorder.next('subscribed');
    return { client: c, recorder };
  }

  it('subscribes with a FrameworkInfo built from configuration and persists the new id', async () => {
    const m = await master('M1');
    const saved: string[] = [];
    const c = client(
      [m.url],
      {
        framework: {
          name: 'meseta',
          user: 'svc',
          roles: ['apps', 'batch'],
          failoverTimeoutSeconds: 604800,
          checkpoint: true,
          hostname: 'bridge-1',
          webuiUrl: 'http://bridge-1:8080',
          labels: { team: 'infra' },
        },
        suppressedRoles: ['batch'],
        credential: { principal: 'meseta', secret: 's3cr3t' },
      },
      { onFrameworkId: (id) => void saved.push(id) },
    );
    const recorder = new EventRecorder(c);
    c.start();
    const event = await recorder.next('subscribed');
    expect(event).toMatchObject({ frameworkId: 'M1-0000', resubscribed: false, master: m.url });
    expect(event.heartbeatIntervalSeconds).toBe(15);
    expect(event.masterInfo?.id).toBe('M1');
    expect(c.state).toBe('subscribed');
    expect(c.frameworkId).toBe('M1-0000');
    expect(c.streamId).toBe(m.stream!.streamId);
    expect(saved).toEqual(['M1-0000']);

    const [received] = m.callsOf('SUBSCRIBE');
    expect(received!.format).toBe(encoding);
    expect(received!.headers['mesos-stream-id']).toBeUndefined();
    expect(received!.headers['content-type']).toBe(
      encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    );
    expect(received!.headers.accept).toBe(received!.headers['content-type']);
    expect(received!.headers.authorization).toBe(
      'Basic ' + Buffer.from('meseta:s3cr3t').toString('base64'),
    );
    expect(received!.call.framework_id).toBeUndefined();
    expect(received!.call.subscribe).toEqual({
      framework_info: {
        user: 'svc',
        name: 'meseta',
        failover_timeout: 604800,
        checkpoint: true,
        roles: ['apps', 'batch'],
        hostname: 'bridge-1',
        principal: 'meseta',
        webui_url: 'http://bridge-1:8080',
        capabilities: [
          { type: 'MULTI_ROLE' },
          { type: 'PARTITION_AWARE' },
          { type: 'TASK_KILLING_STATE' },
        ],
        labels: { labels: [{ key: 'team', value: 'infra' }] },
      },
      suppressed_roles: ['batch'],
    });
  });

  it('delivers typed events whatever the chunking: split records, many per chunk, a large one', async () => {
    const m = await master();
    const { recorder } = await subscribed([m.url]);
    const stream = m.stream!;
    const update = { type: 'UPDATE' as const, update: { status: runningStatus } };
    // One record a byte at a time.
    const bytes = stream.record(update);
    stream.send(
      update,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    );
    // Several records in one chunk, the last one split over the next chunk.
    const together = [
      { type: 'HEARTBEAT' as const },
      { type: 'RESCIND' as const, rescind: { offer_id: { value: 'M-O1' } } },
      { type: 'FAILURE' as const, failure: { agent_id: { value: 'M-S3' } } },
    ];
    stream.sendTogether(together);
    stream.send(
      {
        type: 'MESSAGE',
        message: { agent_id: { value: 'a' }, executor_id: { value: 'e' }, data: 'aGk=' },
      },
      [1, 5],
    );
    // A large record: 3000 offers (megabytes in JSON).
    const offers = Array.from({ length: 3000 }, (_, i) => ({ ...offer, id: { value: `M-O${i}` } }));
    stream.send({ type: 'OFFERS', offers: { offers } }, [100, 70_000]);

    const got = await recorder.next('offers');
    expect(got.offers).toHaveLength(3000);
    expect(got.offers[2999]!.id.value).toBe('M-O2999');
    expect(got.offers[0]!.attributes![2]!.ranges!.range![0]!.end).toBe('9007199254740993');
    const types = recorder.events.map((e) => e.type).slice(1);
    expect(types).toEqual(['update', 'heartbeat', 'rescind', 'failure', 'message', 'offers']);
    expect(recorder.of('update')[0]!.status).toEqual(runningStatus);
    expect(recorder.of('rescind')[0]!.offerId).toEqual({ value: 'M-O1' });
    expect(recorder.of('failure')[0]).toEqual({ type: 'failure', agentId: { value: 'M-S3' } });
    expect(recorder.of('message')[0]!.data).toBe('aGk=');
  });

  it('keeps int64 exact, bytes as base64 and enums by name', async () => {
    const m = await master();
    const { recorder } = await subscribed([m.url]);
    const status: TaskStatus = {
      task_id: { value: 'web.1' },
      state: 'TASK_UNREACHABLE',
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REMOVED',
      unreachable_time: { nanoseconds: '1700000000123456789' },
      data: Buffer.from([0, 255, 1]).toString('base64'),
    };
    m.stream!.send({ type: 'UPDATE', update: { status } });
    const event = await recorder.next('update');
    expect(event.status.unreachable_time!.nanoseconds).toBe('1700000000123456789');
    expect(event.status.data).toBe('AP8B');
    expect(event.status.state).toBe('TASK_UNREACHABLE');
    expect(event.status.reason).toBe('REASON_AGENT_REMOVED');
  });

  it('sends every call on another connection with the stream id, and 202 is success', async () => {
    const m = await master('M1');
    const { client: c } = await subscribed([m.url]);
    const streamId = m.stream!.streamId;
    const task: TaskInfo = { ...taskInfo, agent_id: { value: 'M-S3' } };
    await c.launch([{ value: 'M-O1' }], [task], { refuse_seconds: 10 });
    await c.launchGroup([{ value: 'M-O2' }], { executor_id: { value: 'ex' }, type: 'DEFAULT' }, [
      { name: 'a', task_id: { value: 'a' }, agent_id: { value: 'M-S3' } },
    ]);
    await c.decline([{ value: 'M-O3' }, { value: 'M-O4' }], { refuse_seconds: 3600 });
    await c.suppress(['apps']);
    await c.revive();
    await c.kill(
      { value: 'web.1' },
      { value: 'M-S3' },
      { grace_period: { nanoseconds: '5000000000' } },
    );
    await c.reconcile([{ task_id: { value: 'web.1' }, agent_id: { value: 'M-S3' } }]);
    await c.reconcile();
    await c.shutdown({ value: 'ex' }, { value: 'M-S3' });
    await c.updateFramework({ roles: ['apps', 'web'] }, ['web']);

    const calls = m.calls.slice(1);
    expect(calls.map((r) => r.call.type)).toEqual([
      'ACCEPT',
      'ACCEPT',
      'DECLINE',
      'SUPPRESS',
      'REVIVE',
      'KILL',
      'RECONCILE',
      'RECONCILE',
      'SHUTDOWN',
      'UPDATE_FRAMEWORK',
    ]);
    for (const received of calls) {
      expect(received.headers['mesos-stream-id']).toBe(streamId);
      expect(received.format).toBe(encoding);
      expect(received.call.framework_id).toEqual({ value: 'M1-0000' });
    }
    const [launch, group, decline, suppress, revive, kill, explicit, implicit, shutdown, update] =
      calls.map((r) => r.call);
    // toMatchObject: Mesos JSON writes proto defaults (HealthCheck timings…) the task left unset.
    expect(launch!.accept).toMatchObject({
      offer_ids: [{ value: 'M-O1' }],
      operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }],
      filters: { refuse_seconds: 10 },
    });
    expect(group!.accept!.operations![0]!.type).toBe('LAUNCH_GROUP');
    expect(group!.accept!.operations![0]!.launch_group!.task_group.tasks![0]!.name).toBe('a');
    expect(decline!.decline).toEqual({
      offer_ids: [{ value: 'M-O3' }, { value: 'M-O4' }],
      filters: { refuse_seconds: 3600 },
    });
    expect(suppress!.suppress).toEqual({ roles: ['apps'] });
    expect(revive!.type).toBe('REVIVE');
    expect(revive!.revive?.roles ?? []).toEqual([]);
    expect(kill!.kill).toEqual({
      task_id: { value: 'web.1' },
      agent_id: { value: 'M-S3' },
      kill_policy: { grace_period: { nanoseconds: '5000000000' } },
    });
    expect(explicit!.reconcile!.tasks).toEqual([
      { task_id: { value: 'web.1' }, agent_id: { value: 'M-S3' } },
    ]);
    expect(implicit!.reconcile?.tasks ?? []).toEqual([]);
    expect(shutdown!.shutdown).toEqual({
      executor_id: { value: 'ex' },
      agent_id: { value: 'M-S3' },
    });
    expect(update!.update_framework!.framework_info.roles).toEqual(['apps', 'web']);
    expect(update!.update_framework!.framework_info.id).toEqual({ value: 'M1-0000' });
    expect(update!.update_framework!.suppressed_roles).toEqual(['web']);
    // The new info is what the next resubscription sends.
    m.stream!.drop();
    const resubscribe = await m.waitForCall('SUBSCRIBE', 2);
    expect(resubscribe.call.subscribe!.framework_info.roles).toEqual(['apps', 'web']);
    expect(resubscribe.call.subscribe!.suppressed_roles).toEqual(['web']);
  });

  it('acknowledges only updates that carry a uuid', async () => {
    const m = await master();
    const { client: c } = await subscribed([m.url]);
    expect(await c.acknowledge(runningStatus)).toEqual({ sent: true });
    const fromMaster: TaskStatus = {
      task_id: { value: 'web.1' },
      state: 'TASK_RUNNING',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      agent_id: { value: 'M-S3' },
    };
    const result = await c.acknowledge(fromMaster);
    expect(result).toMatchObject({ sent: false, reason: 'no-uuid' });
    const acks = m.callsOf('ACKNOWLEDGE');
    expect(acks).toHaveLength(1);
    expect(acks[0]!.call.acknowledge).toEqual({
      agent_id: runningStatus.agent_id,
      task_id: runningStatus.task_id,
      uuid,
    });
  });

  it("turns any answer but 202 into a MesosCallError carrying Mesos's message", async () => {
    const m = await master();
    const { client: c } = await subscribed([m.url]);
    m.callAnswers.push({ status: 403, body: 'Framework is not subscribed' });
    const error = await c.decline([{ value: 'x' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MesosCallError);
    expect(error).toMatchObject({
      status: 403,
      callType: 'DECLINE',
      mesosMessage: 'Framework is not subscribed',
    });
    expect((error as Error).message).toBe(
      'DECLINE failed with HTTP 403: Framework is not subscribed',
    );
    m.callAnswers.push({
      status: 400,
      body: "Failed to validate scheduler::Call: Expecting 'kill' to be present",
    });
    await expect(c.kill({ value: 't' })).rejects.toThrow(/HTTP 400: Failed to validate/);
  });

  it('fails calls fast with NotSubscribedError while not subscribed', async () => {
    const m = await master();
    m.defaultSubscribe = { kind: 'stream', subscribed: false };
    const c = client([m.url]);
    await expect(c.revive()).rejects.toBeInstanceOf(NotSubscribedError);
    c.start();
    await m.waitForStream(1);
    const error = await c.kill({ value: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotSubscribedError);
    expect((error as Error).message).toBe(
      'Cannot send KILL: the scheduler is not subscribed (subscribing)',
    );
    expect(m.calls).toHaveLength(1);
  });

  it('finds the leader: skips a dead master, follows a protocol-relative 307', async () => {
    const follower = await master('follower');
    const leader = await master('leader');
    const dead = await master('dead');
    const deadUrl = dead.url;
    await dead.close();
    masters.splice(masters.indexOf(dead), 1);
    follower.defaultSubscribe = {
      kind: 'redirect',
      location: `//127.0.0.1:${leader.port}/api/v1/scheduler`,
    };
    const { client: c } = await subscribed([deadUrl, follower.url]);
    expect(c.master).toBe(leader.url);
    expect(leader.callsOf('SUBSCRIBE')).toHaveLength(1);
    await c.revive();
    expect(leader.callsOf('REVIVE')).toHaveLength(1);
    expect(follower.callsOf('REVIVE')).toHaveLength(0);
  });

  it('retries 503 (recovering, no leader) with backoff until a leader answers', async () => {
    const m = await master();
    m.subscribeAnswers.push(
      { kind: 'status', status: 503, body: 'Master has not finished recovery' },
      { kind: 'status', status: 503, body: 'No leader elected' },
    );
    const logs: string[] = [];
    const c = client(
      [m.url],
      {},
      { logger: createLogger({ level: 'debug', sink: (l) => logs.push(l) }) },
    );
    const recorder = new EventRecorder(c);
    c.start();
    await recorder.next('subscribed');
    expect(m.callsOf('SUBSCRIBE')).toHaveLength(3);
    expect(recorder.of('disconnected')).toHaveLength(0);
    expect(logs.join('\n')).toContain('Master has not finished recovery');
  });

  it('survives a master failover mid-stream: resubscribes with the same id to the new leader', async () => {
    const first = await master('M1');
    const second = await master('M2');
    second.defaultSubscribe = { kind: 'status', status: 503, body: 'No leader elected' };
    const { client: c, recorder } = await subscribed([first.url, second.url]);
    const id = c.frameworkId!;
    const oldStream = c.streamId;
    // The old leader dies; the other master takes over.
    first.defaultSubscribe = {
      kind: 'redirect',
      location: `//127.0.0.1:${second.port}/api/v1/scheduler`,
    };
    second.defaultSubscribe = { kind: 'stream' };
    first.stream!.drop();

    const disconnected = await recorder.next('disconnected');
    expect(disconnected.reason).toBe('dropped');
    expect(disconnected.error.message).toMatch(/dropped/);
    const reconnected = await recorder.next('reconnected');
    expect(reconnected.frameworkId).toBe(id);
    const again = await recorder.next('subscribed', (e) => e.resubscribed);
    expect(again.master).toBe(second.url);
    const resubscribe = second.callsOf('SUBSCRIBE')[0]!.call;
    expect(resubscribe.framework_id).toEqual({ value: id });
    expect(resubscribe.subscribe!.framework_info.id).toEqual({ value: id });
    expect(c.streamId).not.toBe(oldStream);
    await c.suppress();
    expect(second.callsOf('SUPPRESS')[0]!.headers['mesos-stream-id']).toBe(c.streamId);
  });

  it('declares the stream dead after missed heartbeats and resubscribes', async () => {
    const m = await master();
    m.defaultSubscribe = { kind: 'stream', heartbeatSeconds: 0.05 };
    m.heartbeatMs = 50;
    const { client: c, recorder } = await subscribed([m.url], { missedHeartbeats: 6 });
    // Longer than the 300 ms limit: heartbeats are what keeps the stream alive.
    await recorder.next('heartbeat', () => true, 10);
    expect(recorder.of('disconnected')).toHaveLength(0);
    m.stream!.stopHeartbeats();
    const disconnected = await recorder.next('disconnected');
    expect(disconnected.reason).toBe('heartbeat-timeout');
    expect(disconnected.error.message).toMatch(
      /No heartbeat from .* for \d+ ms \(6 intervals of 0.05 s\)/,
    );
    await recorder.next('reconnected');
    expect(m.callsOf('SUBSCRIBE')[1]!.call.framework_id).toEqual({ value: c.frameworkId });
    expect(m.streams[0]!.closed).toBe(true);
  });

  it('resubscribes when the master ends the stream cleanly', async () => {
    const m = await master();
    const { recorder } = await subscribed([m.url]);
    m.stream!.end();
    expect((await recorder.next('disconnected')).reason).toBe('ended');
    await recorder.next('reconnected');
  });

  it('reports "Framework failed over" and stops instead of fighting for the framework', async () => {
    const m = await master();
    const { client: c, recorder } = await subscribed([m.url]);
    m.stream!.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
    const error = await recorder.next('error');
    expect(error.kind).toBe('failed-over');
    expect(error.error).toBeInstanceOf(FrameworkFailedOverError);
    await recorder.done;
    expect(c.state).toBe('failed-over');
    expect(c.failure).toBe(error.error);
    expect(m.callsOf('SUBSCRIBE')).toHaveLength(1);
    await expect(c.revive()).rejects.toBeInstanceOf(NotSubscribedError);
  });

  it('reports "Framework has been removed" distinctly: the id is dead', async () => {
    const m = await master();
    m.defaultSubscribe = { kind: 'error', message: 'Framework has been removed' };
    const c = client([m.url], { frameworkId: 'M-0007' });
    const recorder = new EventRecorder(c);
    c.start();
    const error = await recorder.next('error');
    expect(error).toMatchObject({ kind: 'removed', message: 'Framework has been removed' });
    expect(error.error).toBeInstanceOf(FrameworkRemovedError);
    expect(error.error.message).toContain('M-0007');
    expect(error.error.message).toContain('needs a new framework id');
    await recorder.done;
    expect(c.state).toBe('removed');
    expect(m.callsOf('SUBSCRIBE')[0]!.call.framework_id).toEqual({ value: 'M-0007' });
  });

  it('stops on a refused subscription (ERROR before SUBSCRIBED, or a 4xx)', async () => {
    const m = await master();
    m.defaultSubscribe = {
      kind: 'error',
      message: "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable",
    };
    const c = client([m.url]);
    const recorder = new EventRecorder(c);
    c.start();
    await recorder.done;
    expect(c.state).toBe('refused');
    expect(c.failure).toBeInstanceOf(SubscribeRefusedError);
    expect(recorder.of('error')[0]!.kind).toBe('refused');

    const other = await master();
    other.defaultSubscribe = { kind: 'status', status: 401, body: 'Unauthorized' };
    const d = client([other.url]);
    const log = new EventRecorder(d);
    d.start();
    await log.done;
    expect(d.failure?.message).toBe('Mesos refused the subscription with HTTP 401: Unauthorized');
  });

  it('reports other ERROR events and resubscribes when the master closes the stream', async () => {
    const m = await master();
    const { recorder } = await subscribed([m.url]);
    m.stream!.send({ type: 'ERROR', error: { message: 'Something odd' } });
    m.stream!.end();
    const error = await recorder.next('error');
    expect(error).toMatchObject({ kind: 'other', message: 'Something odd' });
    const disconnected = await recorder.next('disconnected');
    expect(disconnected.reason).toBe('error-event');
    expect(disconnected.error.message).toContain('Something odd');
    await recorder.next('reconnected');
  });

  it('resynchronises by resubscribing after a malformed record length', async () => {
    const m = await master();
    const { recorder } = await subscribed([m.url]);
    m.stream!.writeRaw('12x\n{}');
    const disconnected = await recorder.next('disconnected');
    expect(disconnected.reason).toBe('malformed');
    expect(disconnected.error.message).toMatch(
      new RegExp(
        `Malformed ${encoding} event stream after 1 events: Expected a decimal record length, found byte 0x78`,
      ),
    );
    await recorder.next('reconnected');
    m.stream!.send({ type: 'HEARTBEAT' });
    await recorder.next('heartbeat');
  });

  it('resynchronises after a record that does not decode', async () => {
    const m = await master();
    const { recorder } = await subscribed([m.url]);
    const garbage = encoding === 'json' ? '{"type":"UPDATE","update":{}}' : '\x2a\x03\x0a\x01';
    m.stream!.writeRaw(`${Buffer.byteLength(garbage, 'latin1')}\n`);
    m.stream!.writeRaw(Buffer.from(garbage, 'latin1'));
    const disconnected = await recorder.next('disconnected');
    expect(disconnected.reason).toBe('malformed');
    expect(disconnected.error.message).toMatch(/Malformed .* event stream after 1 events/);
    await recorder.next('reconnected');
  });

  it('resynchronises after a truncated record', async () => {
    const m = await master();
    const { recorder } = await subscribed([m.url]);
    const record = m.stream!.record({ type: 'HEARTBEAT' });
    m.stream!.writeRaw(record.subarray(0, record.length - 2));
    m.stream!.end();
    const disconnected = await recorder.next('disconnected');
    expect(disconnected.reason).toBe('malformed');
    expect(disconnected.error.message).toMatch(/Stream ended inside a record/);
    await recorder.next('reconnected');
  });

  it('resubscribes when the answer is not a Mesos stream (no stream id, wrong content type)', async () => {
    const m = await master();
    m.subscribeAnswers.push(
      { kind: 'stream', noStreamId: true },
      { kind: 'stream', contentType: 'text/html' },
    );
    const { recorder } = await subscribed([m.url]);
    expect(m.callsOf('SUBSCRIBE')).toHaveLength(3);
    expect(recorder.of('disconnected')).toHaveLength(0);
  });

  it('accepts a stream Content-Type with parameters added by a proxy', async () => {
    const m = await master();
    const type = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
    m.defaultSubscribe = { kind: 'stream', contentType: `${type}; charset=utf-8` };
    await subscribed([m.url]);
    expect(m.callsOf('SUBSCRIBE')).toHaveLength(1);
  });

  it('gives up on a master that never sends SUBSCRIBED within the subscribe timeout', async () => {
    const m = await master();
    m.subscribeAnswers.push({ kind: 'hang' }, { kind: 'stream', subscribed: false });
    const c = client([m.url], { subscribeTimeoutMs: 300 });
    const recorder = new EventRecorder(c);
    c.start();
    await recorder.next('subscribed');
    expect(m.callsOf('SUBSCRIBE')).toHaveLength(3);
  });

  it('moves on from a master that accepts the connection but never answers', async () => {
    const silent = await master('silent');
    const good = await master('good');
    silent.defaultSubscribe = { kind: 'hang' };
    const { client: c, recorder } = await subscribed([silent.url, good.url], {
      subscribeTimeoutMs: 300,
    });
    expect(c.master).toBe(good.url);
    expect(silent.callsOf('SUBSCRIBE')).toHaveLength(1);
    expect(recorder.of('disconnected')).toHaveLength(0);
  });

  it('resubscribes with the id, and asks again, when saving the framework id fails', async () => {
    const m = await master('M1');
    let failures = 1;
    const saved: string[] = [];
    const c = client(
      [m.url],
      {},
      {
        onFrameworkId: async (id) => {
          if (failures-- > 0) throw new Error('etcd unavailable');
          saved.push(id);
        },
      },
    );
    const recorder = new EventRecorder(c);
    c.start();
    await recorder.next('subscribed');
    expect(saved).toEqual(['M1-0000']);
    const subscribes = m.callsOf('SUBSCRIBE');
    expect(subscribes).toHaveLength(2);
    expect(subscribes[1]!.call.framework_id).toEqual({ value: 'M1-0000' });
    expect(recorder.of('disconnected')).toHaveLength(0);
  });

  it('stop() ends the stream and every event iterator', async () => {
    const m = await master();
    const { client: c, recorder } = await subscribed([m.url]);
    await c.stop();
    await recorder.done;
    expect(c.state).toBe('stopped');
    await until(() => m.stream!.closed, { what: 'the master to see the stream close' });
    await expect(c.revive()).rejects.toBeInstanceOf(NotSubscribedError);
  });

  it('fails a call in flight with NotSubscribedError when stopped, and times out unanswered calls', async () => {
    const m = await master();
    const { client: c } = await subscribed([m.url], { callTimeoutMs: 200 });
    m.callAnswers.push({ status: 0, hang: true });
    const slow = await c.revive().catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(MasterUnreachableError);
    expect((slow as Error).message).toMatch(
      /^REVIVE to http:\/\/127\.0\.0\.1:\d+: no answer within 200 ms$/,
    );
    m.callAnswers.push({ status: 0, hang: true });
    const inFlight = c.kill({ value: 't' }).catch((e: unknown) => e);
    await m.waitForCall('KILL');
    await c.stop();
    const error = await inFlight;
    expect(error).toBeInstanceOf(NotSubscribedError);
    expect((error as Error).message).toBe(
      'Cannot send KILL: the scheduler is not subscribed (stopped)',
    );
  });

  it('teardown() sends TEARDOWN and stops', async () => {
    const m = await master();
    const { client: c, recorder } = await subscribed([m.url]);
    await c.teardown();
    await recorder.done;
    expect(m.callsOf('TEARDOWN')).toHaveLength(1);
    expect(c.state).toBe('stopped');
    expect(recorder.of('disconnected')).toHaveLength(0);
    expect(m.callsOf('SUBSCRIBE')).toHaveLength(1);
  });

  it('never writes the secret to logs or errors', async () => {
    const secret = 'hunter2-very-secret';
    const encoded = Buffer.from(`meseta:${secret}`).toString('base64');
    const m = await master();
    m.subscribeAnswers.push({ kind: 'status', status: 503, body: 'No leader elected' });
    const logs: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
    const c = client([m.url], { credential: { principal: 'meseta', secret } }, { logger });
    const recorder = new EventRecorder(c);
    c.start();
    await recorder.next('subscribed');
    m.callAnswers.push({ status: 401, body: 'Unauthorized' });
    const error = (await c.revive().catch((e: unknown) => e)) as Error;
    m.stream!.drop();
    await recorder.next('reconnected');
    m.stream!.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
    await recorder.done;
    const everything = [
      ...logs,
      error.message,
      JSON.stringify(recorder.events.map((e) => ('error' in e ? e.error.message : e))),
      String(c.failure?.message),
      JSON.stringify(c),
      inspect(c, { depth: 4, showHidden: true }),
    ].join('\n');
    expect(logs.length).toBeGreaterThan(3);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encoded);
  });
});
