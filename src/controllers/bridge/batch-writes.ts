/**
 * Many independent compare-and-swap writes in as few transactions as the store allows, with an
 * outcome per write. `ObjectStore.batch` is all-or-nothing per chunk of up to 128 operations and
 * stops at the first operation that fails; here a failed operation (a conflict, a deleted
 * object, an admission error) is set aside with its error and the rest of its chunk is
 * written again, so one lost race costs one more transaction, not the whole batch.
 *
 * Errors that concern the store rather than one operation (unavailable, lease lost) are
 * thrown: the caller decides whether to wait and retry.
 */
import type { MesetaError } from '../../errors.ts';
import { BatchFailedError, type BatchOp, type ObjectStore } from '../../store/object-store.ts';
import type { StoredObject } from '../../store/object.ts';

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
      outcomes[pending[error.index]!] = { error: error.cause };
      // Written: everything before the failed chunk. Not written: the rest but the failed op.
      pending = pending
        .slice(error.committed)
        .filter((_, j) => j !== error.index - error.committed);
    }
  }
  return outcomes;
}
