import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { ExponentialBackoffLimiter } from '../../src/runtime/rate-limiter.ts';
import { WorkQueue } from '../../src/runtime/work-queue.ts';

const newQueue = (clock = new VirtualClock()) =>
  new WorkQueue<string>({ clock, limiter: new ExponentialBackoffLimiter(5, 1000) });

describe('WorkQueue', () => {
  it('hands a key added many times out once, in first-added order', async () => {
    const queue = newQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b']) queue.add(key);
    expect(queue.length).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
  });

  it('never hands one key to two workers; a re-add while held runs again after done', async () => {
    const queue = newQueue();
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    expect(queue.length).toBe(0);
    let second: string | undefined;
    void queue.get().then((key) => (second = key));
    await Promise.resolve();
    expect(second).toBeUndefined();
    queue.done(first!);
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const queue = newQueue();
    const waiting = queue.get();
    queue.add('x');
    await expect(waiting).resolves.toBe('x');
    expect(queue.inFlight).toBe(1);
  });

  it('delays adds on its clock; the earliest of two delayed adds wins', async () => {
    const clock = new VirtualClock();
    const queue = newQueue(clock);
    queue.addAfter('a', 100);
    queue.addAfter('a', 50);
    queue.addAfter('a', 500);
    clock.advance(49);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
    await queue.get();
    clock.advance(1000);
    expect(queue.length).toBe(0);
  });

  it('retries with per-key backoff until forgotten', () => {
    const clock = new VirtualClock();
    const queue = newQueue(clock);
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    expect(queue.retries('a')).toBe(2);
    clock.advance(4);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
    queue.forget('a');
    expect(queue.retries('a')).toBe(0);
  });

  it('on shutdown refuses adds, still hands out what was queued, then releases workers', async () => {
    const clock = new VirtualClock();
    const queue = newQueue(clock);
    queue.add('a');
    queue.addAfter('later', 10);
    queue.shutDown();
    queue.add('b');
    clock.advance(100);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBeUndefined();
  });

  it('drain waits for in-flight keys, including one re-added while held', async () => {
    const queue = newQueue();
    queue.add('a');
    const key = (await queue.get())!;
    queue.add('a');
    let drained = false;
    const draining = queue.drain().then(() => (drained = true));
    queue.done(key);
    await Promise.resolve();
    expect(drained).toBe(false);
    const again = (await queue.get())!;
    expect(again).toBe('a');
    queue.done(again);
    await draining;
    expect(drained).toBe(true);
  });

  it('keeps FIFO order across many keys without losing any', async () => {
    const queue = newQueue();
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    for (const key of keys) queue.add(key);
    const seen: string[] = [];
    for (
      let key = await queue.get();
      key !== undefined;
      key = queue.length ? await queue.get() : undefined
    ) {
      seen.push(key);
      queue.done(key);
    }
    expect(seen).toEqual(keys);
  });
});
