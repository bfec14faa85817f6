import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { generateCluster } from '../../src/sim/cluster.ts';
import { Faults } from '../../src/sim/faults.ts';
import {
  RecordingSubscriber,
  ack,
  ackAll,
  frameworkInfo,
  launch,
  startMaster,
  subscribe,
  task,
} from './harness.ts';

function oneTask(
  options: Parameters<typeof startMaster>[1] = {},
  capabilities = ['PARTITION_AWARE'],
) {
  const { master, clock } = startMaster(2, { agentUnreachableTimeoutMs: 75_000, ...options });
  const faults = new Faults(master);
  const { framework, stream } = subscribe(
    master,
    frameworkInfo({
      capabilities: capabilities.map((type) => ({ type }) as never),
      failover_timeout: 3600,
    }),
  );
  clock.advance(0);
  const [offer, other] = stream.offers();
  return { master, clock, faults, framework, stream, offer: offer!, other: other! };
}

describe('agent faults', () => {
  it('a partition stops updates at once and marks the agent unreachable after the ping timeout', () => {
    const { master, clock, faults, framework, stream, offer } = oneTask();
    launch(master, framework, [offer], [task(offer, 't1')]);
    faults.partitionAgent(offer.agent_id.value);
    clock.advance(60_000);
    expect(stream.updates('t1')).toHaveLength(0);
    clock.advance(15_000);
    expect(stream.updates('t1').map((s) => s.state)).toEqual(['TASK_UNREACHABLE']);
    expect(stream.ofType('FAILURE')[0]!.failure!.agent_id).toEqual(offer.agent_id);
    faults.healAgent(offer.agent_id.value);
    // The agent reregisters and sends the update it could not deliver; the master learns the
    // task's latest state (RUNNING, queued behind it) with it.
    expect(stream.updates('t1').at(-1)!.state).toBe('TASK_STARTING');
    expect(framework.tasks.get('t1')!.state).toBe('TASK_RUNNING');
    expect(framework.tasks.get('t1')!.statusUpdateState).toBe('TASK_STARTING');
  });

  it('healing before the timeout only delivers what was held back', () => {
    const { master, clock, faults, framework, stream, offer } = oneTask();
    launch(master, framework, [offer], [task(offer, 't1')]);
    faults.partitionAgent(offer.agent_id.value);
    clock.advance(5_000);
    faults.healAgent(offer.agent_id.value);
    expect(stream.updates('t1').map((s) => s.state)).toEqual(['TASK_STARTING']);
    clock.advance(100_000);
    expect(stream.ofType('FAILURE')).toHaveLength(0);
  });

  it('removing an agent tells every framework and rescinds its offers', () => {
    const { master, clock, faults, stream, other } = oneTask();
    faults.removeAgent(other.agent_id.value);
    clock.advance(0);
    expect(stream.ofType('RESCIND')[0]!.rescind!.offer_id).toEqual(other.id);
    expect(master.agent(other.agent_id.value)!.status).toBe('gone');
    expect(() => faults.removeAgent('nope')).toThrow('Unknown agent nope');
  });

  it('added agents are offered at once', () => {
    const { clock, faults, stream } = oneTask();
    stream.clear();
    faults.addAgents(generateCluster({ agents: 1 }).agents.map((a) => ({ ...a, hostname: 'new' })));
    clock.advance(0);
    expect(stream.offers().map((o) => o.hostname)).toEqual(['new']);
  });
});

describe('status update faults', () => {
  it('loses an update; the agent resends it 10 s later', () => {
    const { master, clock, faults, framework, stream, offer } = oneTask();
    faults.injectUpdateFault({ kind: 'lose', count: 1 });
    launch(master, framework, [offer], [task(offer, 't1')]);
    clock.advance(5_000);
    expect(stream.updates('t1')).toHaveLength(0);
    clock.advance(6_000);
    expect(stream.updates('t1').map((s) => s.state)).toEqual(['TASK_STARTING']);
    expect(master.updates.affected.lose).toBe(1);
  });

  it('duplicates and delays updates', () => {
    const { master, clock, faults, framework, stream, offer } = oneTask();
    faults.injectUpdateFault({ kind: 'duplicate', count: 1 });
    launch(master, framework, [offer], [task(offer, 'a')]);
    clock.advance(100);
    const [first, second] = stream.updates('a');
    expect(second!.uuid).toBe(first!.uuid);

    faults.injectUpdateFault({ kind: 'delay', count: 1, delayMs: 2_000 });
    ack(master, framework, first!);
    // RUNNING is produced at 150 ms and held back 2 s.
    clock.advance(2_000);
    expect(stream.updates('a')).toHaveLength(2);
    clock.advance(100);
    expect(stream.updates('a').at(-1)!.state).toBe('TASK_RUNNING');
  });

  it('reorders an update behind the next one', () => {
    const { master, clock, faults, framework, stream, offer } = oneTask();
    faults.injectUpdateFault({ kind: 'reorder', count: 1 });
    launch(master, framework, [offer], [task(offer, 'a'), task(offer, 'b')]);
    clock.advance(100);
    expect(stream.updates().map((s) => s.task_id.value)).toEqual(['b', 'a']);
    expect(master.updates.affected.reorder).toBe(1);
  });
});

describe('master failover', () => {
  it('drops every stream, forgets offers, and takes frameworks back when they resubscribe', () => {
    const { master, clock, faults, framework, stream, offer } = oneTask();
    launch(master, framework, [offer], [task(offer, 't1')]);
    clock.advance(100);
    const oldId = master.id;
    faults.failoverMaster({ recoveryMs: 500, agentReregisterMs: 1_000 });
    expect(stream.closed).toBe(true);
    expect(stream.ofType('ERROR')).toHaveLength(0);
    expect(master.id).not.toBe(oldId);
    expect(master.recovering).toBe(true);
    expect(framework.recovered).toBe(true);
    clock.advance(500);
    expect(master.recovering).toBe(false);

    const again = new RecordingSubscriber('s2');
    master.subscribe({ framework_info: { ...framework.info } }, again);
    expect(again.events[0]!.subscribed!.framework_id.value).toBe(framework.id);
    expect(again.events[0]!.subscribed!.master_info!.id).toBe(master.id);
    expect(framework.recovered).toBe(false);
    // Agents have not reregistered yet: unknown tasks get no answer, and nothing is offered.
    master.handle(framework, {
      type: 'RECONCILE',
      framework_id: { value: framework.id },
      reconcile: { tasks: [{ task_id: { value: 'ghost' }, agent_id: offer.agent_id }] },
    });
    clock.advance(0);
    expect(again.updates('ghost')).toHaveLength(0);
    expect(again.offers()).toHaveLength(0);
    clock.advance(1_000);
    expect(again.offers().length).toBeGreaterThan(0);
    // The unacknowledged STARTING is resent on reregistration.
    expect(again.updates('t1').map((s) => s.state)).toContain('TASK_STARTING');
  });
});

describe('determinism', () => {
  function scenario(seed: number): string {
    const clock = new VirtualClock(1_700_000_000_000);
    const { master } = startMaster(5, { clock, seed });
    const { framework, stream } = subscribe(
      master,
      frameworkInfo({ capabilities: [{ type: 'TASK_KILLING_STATE' }] }),
    );
    clock.advance(0);
    stream.offers().forEach((offer, i) =>
      launch(
        master,
        framework,
        [offer],
        [
          task(offer, `t${i}`),
          task(offer, `u${i}`, {
            labels: { labels: [{ key: 'meseta.sim/exit-after', value: String(i) }] },
          }),
        ],
      ),
    );
    const acked = new Set<string>();
    for (let t = 0; t < 20; t++) {
      clock.advance(500);
      ackAll(master, framework, stream, acked);
      if (t === 10)
        master.handle(framework, {
          type: 'KILL',
          framework_id: { value: framework.id },
          kill: { task_id: { value: 't1' } },
        });
    }
    return JSON.stringify(stream.events);
  }

  it('replays the same run for the same seed on a virtual clock', () => {
    const first = scenario(42);
    expect(scenario(42)).toBe(first);
    expect(scenario(43)).not.toBe(first);
    expect(first).toContain('TASK_FINISHED');
    expect(first).toContain('TASK_KILLED');
  });
});
