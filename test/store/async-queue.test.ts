import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../src/store/async-queue.ts';

describe('AsyncQueue', () => {
  it('delivers pushed items in order to a waiting or later consumer, then ends', async () => {
    const queue = new AsyncQueue<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const item of queue) seen.push(item);
    })();
    queue.push(1);
    queue.push(2);
    await Promise.resolve();
    queue.push(3);
    queue.end();
    queue.push(4);
    await consumer;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('throws the failure after the items pushed before it', async () => {
    const queue = new AsyncQueue<string>();
    queue.push('a');
    queue.fail(new Error('broken'));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const item of queue) seen.push(item);
      })(),
    ).rejects.toThrow('broken');
    expect(seen).toEqual(['a']);
    await expect(queue.finished).resolves.toBeUndefined();
  });

  it('ends when the consumer leaves early, and keeps memory bounded', async () => {
    const queue = new AsyncQueue<number>();
    for (let i = 0; i < 5000; i++) queue.push(i);
    let count = 0;
    for await (const _ of queue) {
      if (++count === 3000) break;
    }
    expect(queue.size).toBeLessThanOrEqual(2000);
    await queue.finished;
    queue.push(1);
    expect(queue.size).toBeLessThanOrEqual(2000);
  });
});
