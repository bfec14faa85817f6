/**
 * The compactor keeps the last N revisions and the last T of history, whichever is more, on
 * the in-process store and on virtual time.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import { CompactedError } from '../../src/store/errors.ts';
import type { Kv } from '../../src/store/kv.ts';
import { Compactor } from '../../src/up/compactor.ts';
import { until } from '../support/until.ts';

async function write(kv: Kv, n: number): Promise<string> {
  let revision = '0';
  for (let i = 0; i < n; i++) revision = await kv.put(`/k/${i % 3}`, String(i));
  return revision;
}

describe('Compactor', () => {
  it('compacts only history older than both bounds', async () => {
    const kv = await openInProcessKv();
    const clock = new VirtualClock(1_000_000);
    const compactor = new Compactor({ kv, keepRevisions: 2, keepMs: 60_000, clock });
    const first = BigInt(await write(kv, 20));
    // Nothing is a minute old yet, however many revisions there are.
    expect(await compactor.compactOnce()).toBeUndefined();

    clock.advance(60_000);
    const now = BigInt(await write(kv, 3));
    // The minute-old sample bounds it: everything before `first` goes, `first` stays readable.
    expect(await compactor.compactOnce()).toBe(first.toString());
    await expect(
      kv.range({ key: '/k/0' }, { revision: (first - 1n).toString() }),
    ).rejects.toBeInstanceOf(CompactedError);
    expect((await kv.range({ key: '/k/0' }, { revision: first.toString() })).kvs).toHaveLength(1);

    // Quiet for a while: the revision bound (keep 2) now decides.
    clock.advance(120_000);
    expect(await compactor.compactOnce()).toBe((now - 2n).toString());
    // Nothing new to discard: no second compaction to the same revision.
    expect(await compactor.compactOnce()).toBeUndefined();
    await kv.close();
  });

  it('runs every interval until stopped', async () => {
    const kv = await openInProcessKv();
    const clock = new VirtualClock(0);
    const compactor = new Compactor({
      kv,
      keepRevisions: 1,
      keepMs: 1_000,
      intervalMs: 1_000,
      clock,
    });
    await write(kv, 10);
    const stop = new AbortController();
    const running = compactor.run(stop.signal);
    await until(
      async () => {
        clock.advance(1_000);
        return kv.range({ key: '/k/0' }, { revision: '2' }).then(
          () => false,
          (error: unknown) => error instanceof CompactedError,
        );
      },
      { what: 'a compaction' },
    );
    stop.abort();
    await running;
    await kv.close();
  });
});
