import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.ts';
import { RoundTrigger } from '../../../src/controllers/placement/round-trigger.ts';
import { until } from '../../support/until.ts';

describe('RoundTrigger', () => {
  it('makes one round of a burst of pokes, and none without a poke', async () => {
    const clock = new VirtualClock(0);
    const trigger = new RoundTrigger(clock, 50);
    const signal = new AbortController();
    for (let i = 0; i < 1000; i++) trigger.poke();
    const first = trigger.next(signal.signal);
    await Promise.resolve();
    clock.advance(50);
    expect(await first).toBe(true);

    let second = false;
    const waiting = trigger.next(signal.signal).then((v) => (second = v));
    clock.advance(1000);
    await Promise.resolve();
    expect(second).toBe(false);
    trigger.poke();
    trigger.poke();
    // Virtual time moves only when told: advance until the settled round starts.
    await until(
      () => {
        clock.advance(10);
        return second;
      },
      { what: 'the second round' },
    );
    await waiting;
    expect(clock.now()).toBeGreaterThanOrEqual(1050);
  });

  it('a poke during a round makes another round', async () => {
    const clock = new VirtualClock(0);
    const trigger = new RoundTrigger(clock, 0);
    const signal = new AbortController();
    trigger.poke();
    expect(await trigger.next(signal.signal)).toBe(true);
    trigger.poke(); // while the round runs
    expect(await trigger.next(signal.signal)).toBe(true);
  });

  it('ends when the signal aborts', async () => {
    const trigger = new RoundTrigger(new VirtualClock(0), 10);
    const signal = new AbortController();
    const waiting = trigger.next(signal.signal);
    signal.abort();
    expect(await waiting).toBe(false);
  });
});
