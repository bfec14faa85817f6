import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { ConflictError, UnavailableError } from '../../src/store/errors.ts';
import { whileUnavailable } from '../../src/store/unavailable-backoff.ts';

/** Lets pending promise callbacks run, so that the retry loop reaches its next sleep. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('whileUnavailable', () => {
  it('retries an unavailable store with growing delays, logging the endpoint', async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const attemptsAt: number[] = [];
    const result = whileUnavailable(
      async () => {
        attemptsAt.push(clock.now());
        if (attemptsAt.length < 4) throw new UnavailableError('http://10.0.0.1:2379', 'down');
        return 'done';
      },
      { clock, initialMs: 100, maxMs: 300, logger: createLogger({ sink: (l) => lines.push(l) }) },
    );
    for (let i = 0; i < 10 && attemptsAt.length < 4; i++) {
      await settle();
      clock.advance(1000);
    }
    await expect(result).resolves.toBe('done');
    const gaps = attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!);
    expect(gaps.length).toBe(3);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ endpoint: 'http://10.0.0.1:2379', attempt: 1 });
    const waits = lines.map((l) => JSON.parse(l).retryInMs as number);
    expect(waits[0]).toBeGreaterThanOrEqual(75);
    expect(waits[0]).toBeLessThanOrEqual(125);
    expect(waits[2]).toBeGreaterThanOrEqual(225);
    expect(waits[2]).toBeLessThanOrEqual(375);
  });

  it('passes other errors through and stops when aborted', async () => {
    await expect(
      whileUnavailable(async () => {
        throw new ConflictError('raced');
      }),
    ).rejects.toThrow(ConflictError);
    const controller = new AbortController();
    const clock = new VirtualClock();
    const running = whileUnavailable(
      async () => {
        throw new UnavailableError('e', 'down');
      },
      { clock, signal: controller.signal },
    );
    await settle();
    controller.abort(new Error('shutting down'));
    await expect(running).rejects.toThrow('shutting down');
  });
});
