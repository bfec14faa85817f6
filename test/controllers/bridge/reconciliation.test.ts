import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.ts';
import { BridgeMetrics } from '../../../src/controllers/bridge/bridge-metrics.ts';
import { Reconciliation } from '../../../src/controllers/bridge/reconciliation.ts';
import { silentLogger } from '../../../src/log.ts';
import type { ReconcileTask } from '../../../src/mesos/client/index.ts';

function setup(batchSize = 2) {
  const clock = new VirtualClock(0);
  const sent: string[][] = [];
  const client = {
    async reconcile(tasks: ReconcileTask[] = []) {
      sent.push(tasks.map((t) => `${t.task_id.value}@${t.agent_id?.value ?? '-'}`));
    },
  };
  const reconciliation = new Reconciliation({
    client,
    clock,
    logger: silentLogger,
    metrics: new BridgeMetrics(undefined, { offersHeld: () => 0, statusBacklog: () => 0 }),
    batchSize,
    retryMs: 1000,
    maxRetryMs: 4000,
    implicitMs: 60_000,
  });
  return { clock, sent, reconciliation };
}

/** Lets the promise chains started by timers run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Reconciliation', () => {
  it('asks about every known task in batches, and again with backoff for the unanswered', async () => {
    const t = setup();
    await t.reconciliation.subscribed([
      { taskId: 't1', agentId: 'a' },
      { taskId: 't2' },
      { taskId: 't3', agentId: 'b' },
    ]);
    expect(t.sent).toEqual([['t1@a', 't2@-'], ['t3@b']]);
    t.reconciliation.answered('t1');
    t.reconciliation.answered('t3');
    t.clock.advance(1000);
    await settle();
    expect(t.sent.slice(2)).toEqual([['t2@-']]);
    t.clock.advance(1999); // the next retry waits twice as long
    await settle();
    expect(t.sent).toHaveLength(3);
    t.clock.advance(1);
    await settle();
    expect(t.sent).toHaveLength(4);
    t.reconciliation.answered('t2');
    expect(t.reconciliation.pending).toBe(0);
    t.clock.advance(10_000);
    await settle();
    expect(t.sent).toHaveLength(4);
    t.reconciliation.stop();
  });

  it('reconciles implicitly on its period', async () => {
    const t = setup();
    await t.reconciliation.subscribed([]);
    expect(t.sent).toEqual([]);
    t.clock.advance(60_000);
    await settle();
    expect(t.sent).toEqual([[]]);
    t.clock.advance(60_000);
    await settle();
    expect(t.sent).toEqual([[], []]);
    t.reconciliation.stop();
  });
});
