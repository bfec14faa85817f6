/**
 * The scheduler client end to end against meseta's simulated Mesos master over real HTTP, in
 * both encodings: the same path a framework takes against a real master.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../src/clock.ts';
import {
  NotSubscribedError,
  SchedulerClient,
  type AcknowledgeResult,
} from '../../../src/mesos/client/index.ts';
import type { Format } from '../../../src/mesos/codec.ts';
import type { Offer, TaskInfo } from '../../../src/mesos/types.ts';
import { generateCluster } from '../../../src/sim/cluster.ts';
import { SimServer } from '../../../src/sim/http/server.ts';
import { Master } from '../../../src/sim/master.ts';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.ts';
import { until } from '../../support/until.ts';
import { EventRecorder } from './event-recorder.ts';
import { ScriptedMaster } from './scripted-master.ts';

const simOptions = {
  port: 0,
  seed: 1,
  heartbeatIntervalMs: 200,
  allocationIntervalMs: 50,
  timings: { startingDelayMs: 5, runningDelayMs: 5, killDelayMs: 5 },
};
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function simulator(seed = 1): Promise<Simulator> {
  const sim = await startSimulator({
    ...simOptions,
    seed,
    cluster: generateCluster({ agents: 3, cpus: 4, mem: 4096 }),
  });
  cleanup.push(() => sim.stop());
  return sim;
}

function task(offer: Offer, id: string): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
    ],
    command: { value: 'sleep 1000' },
  };
}

describe.each(['json', 'protobuf'] as const)(
  'SchedulerClient against the simulator (%s)',
  (encoding: Format) => {
    function client(masters: string[]) {
      const c = new SchedulerClient({
        masters,
        encoding,
        framework: { name: 'e2e', user: 'root', roles: ['apps'], failoverTimeoutSeconds: 3600 },
        backoff: { initialMs: 10, maxMs: 50 },
        missedHeartbeats: 5,
      });
      cleanup.push(() => c.stop());
      const recorder = new EventRecorder(c);
      // Acknowledge every update as it arrives, as a framework must.
      const acks: { task: string; state: string; result: AcknowledgeResult }[] = [];
      const ackErrors: Error[] = [];
      c.on('update', ({ status }) => {
        c.acknowledge(status).then(
          (result) => acks.push({ task: status.task_id.value, state: status.state, result }),
          // A master failing over answers 503 meanwhile; Mesos resends unacknowledged updates.
          (error: unknown) => ackErrors.push(error as Error),
        );
      });
      return { client: c, recorder, acks };
    }

    it('subscribe → offers → launch → RUNNING → acknowledge → kill → reconcile', async () => {
      const sim = await simulator();
      const { client: c, recorder, acks } = client([sim.url]);
      c.start();
      const subscribed = await recorder.next('subscribed');
      expect(subscribed.heartbeatIntervalSeconds).toBe(0.2);
      const framework = sim.master.framework(subscribed.frameworkId)!;
      expect(framework.info.roles).toEqual(['apps']);
      expect(framework.capabilities).toEqual(
        new Set(['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE']),
      );

      const { offers } = await recorder.next('offers');
      const [first, ...rest] = offers;
      expect(first!.allocation_info?.role).toBe('apps');
      await c.decline(
        rest.map((o) => o.id),
        { refuse_seconds: 3600 },
      );
      await c.launch([first!.id], [task(first!, 'web.1'), task(first!, 'web.2')]);

      for (const id of ['web.1', 'web.2']) {
        const running = await recorder.next(
          'update',
          (e) => e.status.task_id.value === id && e.status.state === 'TASK_RUNNING',
        );
        expect(running.status.source).toBe('SOURCE_EXECUTOR');
        expect(running.status.uuid).toMatch(/^[A-Za-z0-9+/]{22}==$/);
        await until(() => acks.find((a) => a.task === id && a.state === 'TASK_RUNNING'), {
          what: `ack of ${id}`,
        });
      }
      expect(acks.filter((a) => a.state === 'TASK_RUNNING').map((a) => a.result)).toEqual([
        { sent: true },
        { sent: true },
      ]);
      await recorder.next('heartbeat');

      await c.kill({ value: 'web.1' }, first!.agent_id);
      await recorder.next(
        'update',
        (e) => e.status.task_id.value === 'web.1' && e.status.state === 'TASK_KILLING',
      );
      await recorder.next(
        'update',
        (e) => e.status.task_id.value === 'web.1' && e.status.state === 'TASK_KILLED',
      );
      // Acknowledging the terminal update lets the master forget the task.
      await until(() => framework.completedTasks.some((t) => t.info.task_id.value === 'web.1'), {
        what: 'web.1 to complete after its acknowledgement',
      });

      await c.reconcile([{ task_id: { value: 'web.2' }, agent_id: first!.agent_id }]);
      const explicit = await recorder.next(
        'update',
        (e) => e.status.reason === 'REASON_RECONCILIATION',
      );
      expect(explicit.status).toMatchObject({
        task_id: { value: 'web.2' },
        state: 'TASK_RUNNING',
        source: 'SOURCE_MASTER',
      });
      expect(explicit.status.uuid).toBeUndefined();
      const ack = await until(() => acks.find((a) => a.result.sent === false));
      expect(ack.result).toMatchObject({ sent: false, reason: 'no-uuid' });

      await c.reconcile();
      const implicit = await recorder.next(
        'update',
        (e) => e.status.reason === 'REASON_RECONCILIATION',
        2,
      );
      expect(implicit.status.task_id.value).toBe('web.2');
      await c.reconcile([{ task_id: { value: 'never-launched' } }]);
      const unknown = await recorder.next(
        'update',
        (e) => e.status.task_id.value === 'never-launched',
      );
      expect(unknown.status.state).toBe('TASK_UNKNOWN');

      await c.suppress();
      await c.revive(['apps']);
      await c.updateFramework({ labels: { stage: 'e2e' } });
      expect(framework.info.labels).toEqual({ labels: [{ key: 'stage', value: 'e2e' }] });
    });

    it('reaches the leader through a redirect from a non-leader and waits out 503 during recovery', async () => {
      // A master process that has not elected a leader yet answers 503.
      const recovering = new SimServer();
      const port = await recovering.listen(0, '127.0.0.1');
      cleanup.push(() => recovering.close());
      const follower = await ScriptedMaster.start('follower');
      cleanup.push(() => follower.close());
      follower.defaultSubscribe = {
        kind: 'redirect',
        location: `//127.0.0.1:${port}/api/v1/scheduler`,
      };
      const { client: c, recorder } = client([follower.url]);
      c.start();
      await until(() => follower.callsOf('SUBSCRIBE').length >= 2, {
        what: 'SUBSCRIBE retried after 503',
      });
      expect(recorder.of('subscribed')).toHaveLength(0);

      const master = new Master({
        ...simOptions,
        clock: realClock,
        hostname: '127.0.0.1',
        ip: '127.0.0.1',
        port,
      });
      for (const spec of generateCluster({ agents: 1 }).agents) master.addAgent(spec);
      master.start();
      cleanup.push(async () => master.stop());
      recovering.attach(master);
      const subscribed = await recorder.next('subscribed');
      expect(subscribed.master).toBe(`http://127.0.0.1:${port}`);
      await recorder.next('offers');
      await c.revive();
    });

    it('rides out a master failover: stream closed, 503 while recovering, same id, tasks kept', async () => {
      const sim = await simulator();
      const { client: c, recorder } = client([sim.url]);
      c.start();
      const subscribed = await recorder.next('subscribed');
      const { offers } = await recorder.next('offers');
      await c.launch([offers[0]!.id], [task(offers[0]!, 'db.1')]);
      await recorder.next('update', (e) => e.status.state === 'TASK_RUNNING');

      sim.faults.failoverMaster({ recoveryMs: 300, agentReregisterMs: 50 });
      const disconnected = await recorder.next('disconnected');
      expect(['dropped', 'ended']).toContain(disconnected.reason);
      await expect(c.revive()).rejects.toBeInstanceOf(NotSubscribedError);
      const reconnected = await recorder.next('reconnected');
      expect(reconnected.frameworkId).toBe(subscribed.frameworkId);
      // The master answered 503 "Master has not finished recovery" until it had recovered.
      expect(reconnected.attempts).toBeGreaterThan(1);
      expect(reconnected.downtimeMs).toBeGreaterThanOrEqual(250);

      await until(
        async () => {
          await c.reconcile([{ task_id: { value: 'db.1' } }]);
          return recorder
            .of('update')
            .some(
              (e) =>
                e.status.reason === 'REASON_RECONCILIATION' && e.status.state === 'TASK_RUNNING',
            );
        },
        { what: 'db.1 to be RUNNING after the failover', every: 50 },
      );
    });

    it('fails over to a new master mid-stream and resubscribes with the same framework id', async () => {
      const first = await simulator();
      const second = await simulator(2);
      const { client: c, recorder } = client([first.url, second.url]);
      c.start();
      const subscribed = await recorder.next('subscribed');
      await recorder.next('offers');
      const oldStream = c.streamId;
      await first.stop();

      const disconnected = await recorder.next('disconnected');
      expect(['dropped', 'ended']).toContain(disconnected.reason);
      const reconnected = await recorder.next('reconnected');
      expect(reconnected.frameworkId).toBe(subscribed.frameworkId);
      expect(c.master).toBe(second.url);
      expect(c.streamId).not.toBe(oldStream);
      const recovered = second.master.framework(subscribed.frameworkId)!;
      // The new master took the framework over under the id the client kept.
      expect(recovered.active).toBe(true);
      expect(recovered.info.id).toEqual({ value: subscribed.frameworkId });
      const offers = await recorder.next('offers', (e) => e.offers[0]!.id.value.length > 0, 2);
      await c.decline(offers.offers.map((o) => o.id));
    });
  },
);
