import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/clock.ts';

describe('VirtualClock', () => {
  it('fires timers in time order, ties in the order they were set', () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    clock.advance(15);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(1015);
    clock.advance(5);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('skips cancelled timers and runs timers set by timers within the same advance', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const cancelled = clock.setTimeout(() => fired.push(-1), 5);
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 3);
    }, 5);
    cancelled.cancel();
    clock.advance(10);
    expect(fired).toEqual([5, 8]);
    expect(clock.pending()).toBe(0);
  });

  it('resolves sleep on virtual time and rejects it when aborted', async () => {
    const clock = new VirtualClock();
    const slept = clock.sleep(100);
    clock.advance(100);
    await expect(slept).resolves.toBeUndefined();
    const controller = new AbortController();
    const aborted = clock.sleep(100, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });
});
