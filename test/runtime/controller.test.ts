import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { Controller, TerminalError } from '../../src/runtime/controller.ts';
import { Registry } from '../../src/runtime/metrics.ts';
import { ExponentialBackoffLimiter } from '../../src/runtime/rate-limiter.ts';
import { WorkQueue } from '../../src/runtime/work-queue.ts';
import { until } from '../support/until.ts';

function setup(reconcile: (key: string) => Promise<{ requeueAfter?: number } | void>) {
  const clock = new VirtualClock();
  const queue = new WorkQueue<string>({ clock, limiter: new ExponentialBackoffLimiter(5, 1000) });
  const terminal: string[] = [];
  const metrics = new Registry();
  const controller = new Controller<string>({
    name: 'test',
    queue,
    metrics,
    workers: 2,
    reconciler: {
      reconcile,
      onTerminal: async (key, error) => void terminal.push(`${key}: ${error.message}`),
    },
  });
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  return { clock, controller, queue, terminal, metrics, stop, running };
}

describe('Controller', () => {
  it('retries a failing key with backoff until it succeeds, then forgets its failures', async () => {
    let calls = 0;
    const { clock, controller, queue, metrics, stop, running } = setup(async () => {
      calls++;
      if (calls < 3) throw new Error('store unavailable');
    });
    controller.enqueue('a');
    await until(() => calls === 1);
    await until(() => queue.retries('a') === 1);
    clock.advance(5);
    await until(() => calls === 2);
    await until(() => queue.retries('a') === 2);
    clock.advance(9);
    expect(calls).toBe(2);
    clock.advance(1);
    await until(() => calls === 3);
    await until(() => queue.retries('a') === 0);
    const total = metrics.counter('meseta_reconcile_total', '');
    expect(total.get({ controller: 'test', outcome: 'error' })).toBe(2);
    expect(total.get({ controller: 'test', outcome: 'success' })).toBe(1);
    stop.abort();
    await running;
  });

  it('records a terminal error once and does not retry it', async () => {
    let calls = 0;
    const { clock, controller, terminal, stop, running } = setup(async () => {
      calls++;
      throw new TerminalError('InvalidSpec', 'spec.cmd is missing');
    });
    controller.enqueue('bad');
    await until(() => terminal.length === 1);
    clock.advance(60_000);
    expect(calls).toBe(1);
    expect(terminal).toEqual(['bad: spec.cmd is missing']);
    stop.abort();
    await running;
  });

  it('requeues after the interval a reconcile asks for', async () => {
    let calls = 0;
    const { clock, controller, stop, running } = setup(async () => {
      calls++;
      return { requeueAfter: 1000 };
    });
    controller.enqueue('a');
    await until(() => calls === 1);
    clock.advance(999);
    expect(calls).toBe(1);
    clock.advance(1);
    await until(() => calls === 2);
    stop.abort();
    await running;
  });

  it('never reconciles one key on two workers at once', async () => {
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { controller, stop, running } = setup(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      calls++;
      await gate;
      active--;
    });
    controller.enqueue('a');
    await until(() => calls === 1);
    controller.enqueue('a');
    controller.enqueue('a');
    release();
    await until(() => calls === 2);
    expect(maxActive).toBe(1);
    stop.abort();
    await running;
  });

  it('finishes the reconcile in flight when stopped, then resolves', async () => {
    let finished = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { controller, stop, running } = setup(async () => {
      await gate;
      finished = true;
    });
    controller.enqueue('a');
    await until(() => controller.queue.inFlight === 1);
    stop.abort();
    release();
    await running;
    expect(finished).toBe(true);
  });
});
