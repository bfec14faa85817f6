/**
 * Many independent compare-and-swap writes in as few transactions as the store allows, with an
 * outcome per write. `ObjectStore.batch` is all-or-nothing per chunk of up to 128 operations;
 * here the operations that fail (a conflict, a deleted object, an admission error) are set
 * aside with their errors — all of a chunk's at once, as the store names them — and the rest
 * of the chunk is written again: a chunk costs at most one more transaction however many of
 * its writes lost a race (one at a time, a stale cache made that quadratic).
 *
 * Errors that concern the store rather than one operation (unavailable, lease lost) are
 * thrown: the caller decides whether to wait and retry.
 */
import type { MesetaError } from '../errors.ts';
import { BatchFailedError, type BatchOp, type ObjectStore } from './object-store.ts';
import type { StoredObject } from './object.ts';

export interface WriteOutcome {
  /** Why the write was not made; absent when it was. */
  error?: MesetaError;
  /** The object as written, when known (writes committed before a failed chunk are not). */
  object?: StoredObject;
}

/** One outcome per operation, in order. */
export async function writeEach(store: ObjectStore, ops: BatchOp[]): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = ops.map(() => ({}));
  let pending = ops.map((_, i) => i);
  while (pending.length > 0) {
    try {
      const results = await store.batch(pending.map((i) => ops[i]!));
      results.forEach((result, j) => (outcomes[pending[j]!] = { object: result.object }));
      return outcomes;
    } catch (error) {
      if (!(error instanceof BatchFailedError)) throw error;
      for (const [j, cause] of error.failures) outcomes[pending[j]!] = { error: cause };
      // Written: everything before the failed chunk. Not written: the rest but the failed ops.
      pending = pending.filter((_, j) => j >= error.committed && !error.failures.has(j));
    }
  }
  return outcomes;
}
