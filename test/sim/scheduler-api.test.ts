import { until } from '../support/until.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentTypes, decodeEvent, encodeCall } from '../../src/mesos/codec.ts';
import { writeMesosJson } from '../../src/mesos/json.ts';
import type { Call } from '../../src/mesos/scheduler-types.ts';
import type { TaskStatus } from '../../src/mesos/types.ts';
import { generateCluster } from '../../src/sim/cluster.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { EventStream, post, postCall } from './http-client.ts';

const subscribeCall = (extra: Record<string, unknown> = {}, id?: string): Call => ({
  type: 'SUBSCRIBE',
  ...(id ? { framework_id: { value: id } } : {}),
  subscribe: {
    framework_info: {
      user: 'root',
      name: 'http-test',
      ...(id ? { id: { value: id } } : {}),
      ...extra,
    },
  },
});

let sim: Simulator;
const streams: EventStream[] = [];
const open = (...args: ConstructorParameters<typeof EventStream>) => {
  const stream = new EventStream(...args);
  streams.push(stream);
  return stream;
};

beforeEach(async () => {
  sim = await startSimulator({
    cluster: generateCluster({ agents: 3, cpus: 4, mem: 4096 }),
    port: 0,
    seed: 1,
    heartbeatIntervalMs: 200,
    allocationIntervalMs: 50,
    timings: { startingDelayMs: 5, runningDelayMs: 5, killDelayMs: 5 },
  });
});

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await sim.stop();
});

describe('SUBSCRIBE', () => {
  it('streams SUBSCRIBED, heartbeats and offers as JSON RecordIO, one record per chunk', async () => {
    const stream = open(sim.url, subscribeCall());
    await stream.next('OFFERS');
    await until(() => stream.ofType('HEARTBEAT').length >= 2, { what: 'two heartbeats' });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('application/json');
    expect(stream.headers['transfer-encoding']).toBe('chunked');
    expect(stream.headers['content-length']).toBeUndefined();
    expect(stream.streamId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(stream.events.slice(0, 2).map((e) => e.type)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    expect(stream.events[0]!.subscribed!.heartbeat_interval_seconds).toBe(0.2);
    // One record per chunk, framed as `<len>\n<compact JSON>`.
    expect(stream.chunks.length).toBe(stream.records.length);
    for (let i = 0; i < stream.chunks.length; i++) {
      const record = stream.records[i]!;
      expect(stream.chunks[i]!.toString()).toBe(`${record.length}\n${record.toString()}`);
      expect(record.toString()).toBe(writeMesosJson('mesos.v1.scheduler.Event', stream.events[i]!));
    }
    expect(stream.chunks[1]!.toString()).toBe('20\n{"type":"HEARTBEAT"}');
    const offers = stream.ofType('OFFERS').flatMap((e) => e.offers!.offers!);
    expect(offers).toHaveLength(3);
  });

  it('speaks protobuf when asked to', async () => {
    const stream = open(sim.url, subscribeCall(), 'protobuf');
    const offers = await stream.next('OFFERS');
    expect(stream.headers['content-type']).toBe('application/x-protobuf');
    expect(offers.offers!.offers!.length).toBeGreaterThan(0);
    expect(decodeEvent(stream.records[0]!, 'protobuf').type).toBe('SUBSCRIBED');
  });

  it('answers JSON when Accept allows both, and 406 when it allows neither', async () => {
    const both = open(sim.url, subscribeCall(), 'json', {
      Accept: 'application/x-protobuf, */*;q=0.5',
    });
    await both.next('SUBSCRIBED');
    expect(both.headers['content-type']).toBe('application/json');
    const reply = await post(`${sim.url}/api/v1/scheduler`, encodeCall(subscribeCall(), 'json'), {
      'Content-Type': 'application/json',
      Accept: 'text/html',
    });
    expect(reply.status).toBe(406);
    expect(reply.text).toBe(
      "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'",
    );
  });

  it('refuses a SUBSCRIBE that carries Mesos-Stream-Id', async () => {
    const reply = await post(`${sim.url}/api/v1/scheduler`, encodeCall(subscribeCall(), 'json'), {
      'Content-Type': 'application/json',
      'Mesos-Stream-Id': 'x',
    });
    expect([reply.status, reply.text]).toEqual([
      400,
      "Subscribe calls should not include the 'Mesos-Stream-Id' header",
    ]);
  });

  it('sends ERROR then closes for a refused framework', async () => {
    const stream = open(sim.url, subscribeCall({ roles: ['a'] }));
    const error = await stream.next('ERROR');
    expect(error.error!.message).toBe(
      "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable",
    );
    await until(() => stream.ended, { what: 'stream end' });
  });

  it('fails over to a new stream with a new stream id; the old one gets ERROR and ends', async () => {
    const first = open(sim.url, subscribeCall({ failover_timeout: 60 }));
    await first.next('SUBSCRIBED');
    const id = first.frameworkId;
    const second = open(sim.url, subscribeCall({ failover_timeout: 60 }, id));
    await second.next('SUBSCRIBED');
    expect(second.frameworkId).toBe(id);
    expect(second.streamId).not.toBe(first.streamId);
    const error = await first.next('ERROR');
    expect(error.error!.message).toBe('Framework failed over');
    await until(() => first.ended, { what: 'old stream end' });
    const stale = await postCall(
      sim.url,
      { type: 'REVIVE', framework_id: { value: id } },
      first.streamId,
    );
    expect(stale.status).toBe(400);
    expect(stale.text).toBe(
      `The stream ID '${first.streamId}' included in this request didn't match the stream ID ` +
        `currently associated with framework ID ${id}`,
    );
    const fresh = await postCall(
      sim.url,
      { type: 'REVIVE', framework_id: { value: id } },
      second.streamId,
    );
    expect(fresh.status).toBe(202);
  });

  it('keeps a disconnected framework for failover_timeout (403 meanwhile), else removes it', async () => {
    const patient = open(sim.url, subscribeCall({ failover_timeout: 60 }));
    await patient.next('SUBSCRIBED');
    const id = patient.frameworkId;
    const streamId = patient.streamId;
    patient.close();
    await until(() => sim.master.framework(id)?.active === false, { what: 'disconnect' });
    const reply = await postCall(
      sim.url,
      { type: 'REVIVE', framework_id: { value: id } },
      streamId,
    );
    expect([reply.status, reply.text]).toEqual([403, 'Framework is not subscribed']);

    const quick = open(sim.url, subscribeCall());
    await quick.next('SUBSCRIBED');
    const quickId = quick.frameworkId;
    quick.close();
    await until(() => !sim.master.framework(quickId), { what: 'removal' });
    const gone = await postCall(sim.url, { type: 'REVIVE', framework_id: { value: quickId } }, 'x');
    expect([gone.status, gone.text]).toEqual([400, 'Framework cannot be found']);
    const again = open(sim.url, subscribeCall({}, quickId));
    expect((await again.next('ERROR')).error!.message).toBe('Framework has been removed');
  });

  it('TEARDOWN answers 202 and ends the stream', async () => {
    const stream = open(sim.url, subscribeCall());
    await stream.next('SUBSCRIBED');
    const reply = await postCall(
      sim.url,
      { type: 'TEARDOWN', framework_id: { value: stream.frameworkId } },
      stream.streamId,
    );
    expect(reply.status).toBe(202);
    expect(reply.body).toHaveLength(0);
    await until(() => stream.ended, { what: 'stream end' });
  });
});

describe('calls', () => {
  it('launches a task and acknowledges its updates, in JSON and in protobuf', async () => {
    for (const format of ['json', 'protobuf'] as const) {
      const stream = open(
        sim.url,
        subscribeCall({ capabilities: [{ type: 'PARTITION_AWARE' }] }),
        format,
      );
      const offers = (await stream.next('OFFERS')).offers!.offers!;
      const offer = offers[0]!;
      const fid = { value: stream.frameworkId };
      const accept = await postCall(
        sim.url,
        {
          type: 'ACCEPT',
          framework_id: fid,
          accept: {
            offer_ids: [offer.id],
            operations: [
              {
                type: 'LAUNCH',
                launch: {
                  task_infos: [
                    {
                      name: 'web',
                      task_id: { value: `web-${format}` },
                      agent_id: offer.agent_id,
                      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
                      command: { value: 'sleep 100' },
                    },
                  ],
                },
              },
            ],
          },
        },
        stream.streamId,
        format,
      );
      expect(accept.status).toBe(202);
      const states: TaskStatus[] = [];
      for (const want of ['TASK_STARTING', 'TASK_RUNNING']) {
        const status = await until(
          () =>
            stream
              .ofType('UPDATE')
              .map((e) => e.update!.status)
              .find((s) => s.state === want),
          { what: want },
        );
        states.push(status);
        const ack = await postCall(
          sim.url,
          {
            type: 'ACKNOWLEDGE',
            framework_id: fid,
            acknowledge: {
              agent_id: status.agent_id!,
              task_id: status.task_id,
              uuid: status.uuid!,
            },
          },
          stream.streamId,
          format,
        );
        expect(ack.status).toBe(202);
      }
      expect(states.map((s) => s.source)).toEqual(['SOURCE_EXECUTOR', 'SOURCE_EXECUTOR']);
      stream.close();
    }
  });

  it('answers every transport error with Mesos status codes and texts', async () => {
    const stream = open(sim.url, subscribeCall());
    await stream.next('SUBSCRIBED');
    const fid = stream.frameworkId;
    const url = `${sim.url}/api/v1/scheduler`;
    const json = { 'Content-Type': 'application/json' };
    const cases: [
      Promise<{ status: number; text: string; headers: Record<string, unknown> }>,
      number,
      string,
    ][] = [
      [
        post(url, '', {}, 'GET'),
        405,
        "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.",
      ],
      [post(url, '{}'), 400, "Expecting 'Content-Type' to be present"],
      [
        post(url, '{}', { 'Content-Type': 'application/json; charset=utf-8' }),
        415,
        "Expecting 'Content-Type' of application/json or application/x-protobuf",
      ],
      [
        post(url, '{"type":', json),
        400,
        'Failed to parse body into JSON: Unexpected token at offset 8 (found end of input)',
      ],
      [
        post(url, '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"name":"x"}}}', json),
        400,
        'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user',
      ],
      [
        post(url, Buffer.from([0x1a, 0x02, 0x0a, 0x00]), {
          'Content-Type': 'application/x-protobuf',
        }),
        400,
        'Failed to parse body into Call protobuf',
      ],
      [
        post(url, '{"type":"REVIVE"}', json),
        400,
        "Failed to validate scheduler::Call: Expecting 'framework_id' to be present",
      ],
      [
        post(url, '{}', json),
        400,
        "Failed to validate scheduler::Call: Expecting 'type' to be present",
      ],
      [
        post(url, `{"type":"KILL","framework_id":{"value":"${fid}"}}`, json),
        400,
        "Failed to validate scheduler::Call: Expecting 'kill' to be present",
      ],
      [
        post(
          url,
          `{"type":"SUBSCRIBE","framework_id":{"value":"${fid}"},"subscribe":{"framework_info":{"user":"u","name":"n"}}}`,
          json,
        ),
        400,
        "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'",
      ],
      [
        postCall(
          sim.url,
          {
            type: 'ACKNOWLEDGE',
            framework_id: { value: fid },
            acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'AQID' },
          },
          stream.streamId,
        ),
        400,
        'Failed to validate scheduler::Call: Not a valid UUID',
      ],
      [
        postCall(sim.url, { type: 'REVIVE', framework_id: { value: 'nope' } }, stream.streamId),
        400,
        'Framework cannot be found',
      ],
      [
        postCall(sim.url, { type: 'REVIVE', framework_id: { value: fid } }),
        400,
        "All non-subscribe calls should include the 'Mesos-Stream-Id' header",
      ],
      [
        postCall(sim.url, { type: 'UNKNOWN', framework_id: { value: fid } }, stream.streamId),
        501,
        '',
      ],
      [
        postCall(
          sim.url,
          {
            type: 'DECLINE',
            framework_id: { value: fid },
            decline: { offer_ids: [{ value: 'stale' }] },
          },
          stream.streamId,
        ),
        202,
        '',
      ],
      [
        post(
          `${sim.url}/master/api/v1/scheduler`,
          JSON.stringify({ type: 'SUPPRESS', framework_id: { value: fid } }),
          {
            ...json,
            'Mesos-Stream-Id': stream.streamId,
          },
        ),
        202,
        '',
      ],
    ];
    for (const [reply, status, text] of cases) {
      const got = await reply;
      expect([got.status, got.text]).toEqual([status, text]);
    }
    expect((await cases[0]![0]).headers.allow).toBe('POST');
  });

  it('answers UPDATE_FRAMEWORK with 200, or 400 for a forbidden change', async () => {
    const info = {
      user: 'root',
      name: 'u',
      roles: ['a'],
      capabilities: [{ type: 'MULTI_ROLE' as const }],
    };
    const stream = open(
      sim.url,
      subscribeCall({ roles: ['a'], capabilities: [{ type: 'MULTI_ROLE' }] }),
    );
    await stream.next('OFFERS');
    const fid = { value: stream.frameworkId };
    const ok = await postCall(
      sim.url,
      {
        type: 'UPDATE_FRAMEWORK',
        framework_id: fid,
        update_framework: { framework_info: { ...info, id: fid, roles: ['b'] } },
      },
      stream.streamId,
    );
    expect(ok.status).toBe(200);
    await stream.next('RESCIND');
    const bad = await postCall(
      sim.url,
      {
        type: 'UPDATE_FRAMEWORK',
        framework_id: fid,
        update_framework: { framework_info: { ...info, id: fid, user: 'other' } },
      },
      stream.streamId,
    );
    expect([bad.status, bad.text]).toEqual([
      400,
      "Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'root' to 'other'",
    ]);
  });
});

describe('other endpoints', () => {
  it('serves health, redirect and 404', async () => {
    expect((await post(`${sim.url}/master/health`, '', {}, 'GET')).status).toBe(200);
    const redirect = await post(`${sim.url}/master/redirect`, '', {}, 'GET');
    expect(redirect.status).toBe(307);
    expect(redirect.headers.location).toBe(`//127.0.0.1:${new URL(sim.url).port}`);
    expect((await post(`${sim.url}/nope`, '', {}, 'GET')).status).toBe(404);
  });

  it('keeps content types exact for the operator API too', async () => {
    const reply = await post(`${sim.url}/api/v1`, '{"type":"GET_HEALTH"}', {
      'Content-Type': ContentTypes.json,
      Accept: 'text/plain',
    });
    expect(reply.status).toBe(406);
  });
});

describe('every other call over HTTP', () => {
  it('KILL, RECONCILE, SHUTDOWN, MESSAGE, REQUEST, inverse offers and operations answer 202', async () => {
    const stream = open(
      sim.url,
      subscribeCall({
        capabilities: [{ type: 'TASK_KILLING_STATE' }, { type: 'PARTITION_AWARE' }],
      }),
    );
    const offer = (await stream.next('OFFERS')).offers!.offers![0]!;
    const fid = { value: stream.frameworkId };
    const call = (c: Omit<Call, 'framework_id'>) =>
      postCall(sim.url, { ...c, framework_id: fid } as Call, stream.streamId);
    const launch = (id: string) =>
      call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer.id],
          operations: [
            {
              type: 'LAUNCH',
              launch: {
                task_infos: ['a', 'b'].map((suffix) => ({
                  name: id,
                  task_id: { value: `${id}-${suffix}` },
                  agent_id: offer.agent_id,
                  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
                  command: { value: 'x' },
                })),
              },
            },
            { type: 'RESERVE', id: { value: 'op-1' }, reserve: { resources: [] } },
          ],
        },
      });
    expect((await launch('t')).status).toBe(202);
    const unsupported = await stream.next('UPDATE_OPERATION_STATUS');
    expect(unsupported.update_operation_status!.status).toMatchObject({
      operation_id: { value: 'op-1' },
      state: 'OPERATION_ERROR',
    });
    const statusOf = (id: string, state: string) =>
      until(
        () =>
          stream
            .ofType('UPDATE')
            .map((e) => e.update!.status)
            .find((s) => s.task_id.value === id && s.state === state),
        { what: `${id} ${state}` },
      );
    const ack = async (id: string, state: string) => {
      const status = await statusOf(id, state);
      await call({
        type: 'ACKNOWLEDGE',
        acknowledge: { agent_id: status.agent_id!, task_id: status.task_id, uuid: status.uuid! },
      });
    };
    for (const id of ['t-a', 't-b']) {
      await ack(id, 'TASK_STARTING');
      await ack(id, 'TASK_RUNNING');
    }

    expect((await call({ type: 'KILL', kill: { task_id: { value: 't-a' } } })).status).toBe(202);
    await ack('t-a', 'TASK_KILLING');
    await statusOf('t-a', 'TASK_KILLED');

    expect(
      (
        await call({
          type: 'SHUTDOWN',
          shutdown: { executor_id: { value: 't-b' }, agent_id: offer.agent_id },
        })
      ).status,
    ).toBe(202);
    await ack('t-b', 'TASK_KILLING');
    await statusOf('t-b', 'TASK_KILLED');

    expect(
      (await call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'ghost' } }] } }))
        .status,
    ).toBe(202);
    expect((await statusOf('ghost', 'TASK_UNKNOWN')).reason).toBe('REASON_RECONCILIATION');

    const reconcileOps = await call({
      type: 'RECONCILE_OPERATIONS',
      reconcile_operations: {
        operations: [{ operation_id: { value: 'op-9' }, agent_id: offer.agent_id }],
      },
    });
    expect(reconcileOps.status).toBe(202);
    await until(
      () =>
        stream
          .ofType('UPDATE_OPERATION_STATUS')
          .find((e) => e.update_operation_status!.status.operation_id?.value === 'op-9'),
      { what: 'operation reconciliation' },
    );

    const accepted = [
      await call({
        type: 'MESSAGE',
        message: { agent_id: offer.agent_id, executor_id: { value: 't-a' }, data: 'aGk=' },
      }),
      await call({ type: 'REQUEST', request: { requests: [{ agent_id: offer.agent_id }] } }),
      await call({
        type: 'ACCEPT_INVERSE_OFFERS',
        accept_inverse_offers: { inverse_offer_ids: [{ value: 'i' }] },
      }),
      await call({
        type: 'DECLINE_INVERSE_OFFERS',
        decline_inverse_offers: { inverse_offer_ids: [{ value: 'i' }] },
      }),
      await call({
        type: 'ACKNOWLEDGE_OPERATION_STATUS',
        acknowledge_operation_status: {
          agent_id: offer.agent_id,
          uuid: Buffer.from(sim.master.random.uuidBytes()).toString('base64'),
          operation_id: { value: 'op-1' },
        },
      }),
    ];
    expect(accepted.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
  });
});
