/**
 * Writes a round's bindings: each instance gets `spec.agentId` and `spec.boundAt` in a
 * compare-and-swap update on the resourceVersion the round read, 120 per transaction. A
 * transaction is all or nothing, so the bindings that conflict (the instance changed since the
 * round read it: launched, stopped, deleted, or bound by another round) are left out and the
 * rest of their transaction is written again (`writeEach`); the next round decides those
 * instances afresh. Up to four transactions are in flight at once.
 */
import type { Instance } from '../../api/instance.ts';
import { instanceResource } from '../../api/resources.ts';
import type { Logger } from '../../log.ts';
import { ConflictError, NotFoundError } from '../../store/errors.ts';
import type { BatchOp, ObjectStore } from '../../store/object-store.ts';
import { writeEach } from '../../store/write-each.ts';
import type { Binding } from '../../placement/round.ts';

// The store puts at most 128 operations in a transaction, fence compares included: 120 leaves
// room for a leader's fence, so each call is one transaction.
const CHUNK = 120;

export interface BindResult {
  /** The instances as written. */
  written: Instance[];
  /** Bindings left out because their instance changed meanwhile. */
  conflicts: number;
}

export async function writeBindings(
  store: ObjectStore,
  bindings: readonly Binding[],
  boundAt: string,
  logger: Logger,
  inFlight = 4,
): Promise<BindResult> {
  const result: BindResult = { written: [], conflicts: 0 };
  const chunks: Binding[][] = [];
  for (let start = 0; start < bindings.length; start += CHUNK) {
    chunks.push(bindings.slice(start, start + CHUNK));
  }
  // Chunks touch different instances, so a few transactions in flight are safe and hide the
  // store's round trip.
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await writeChunk(store, chunks[next++]!, boundAt, logger, result);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, chunks.length) }, worker));
  return result;
}

async function writeChunk(
  store: ObjectStore,
  chunk: readonly Binding[],
  boundAt: string,
  logger: Logger,
  result: BindResult,
): Promise<void> {
  const ops: BatchOp[] = chunk.map((binding) => ({
    op: 'update',
    type: instanceResource,
    object: {
      ...binding.instance,
      spec: { ...binding.instance.spec, agentId: binding.agentId, boundAt },
    },
  }));
  const outcomes = await writeEach(store, ops);
  outcomes.forEach((outcome, i) => {
    if (!outcome.error) {
      result.written.push(outcome.object as Instance);
      return;
    }
    const lost = outcome.error instanceof ConflictError || outcome.error instanceof NotFoundError;
    if (!lost) throw outcome.error;
    result.conflicts++;
    logger.debug('binding lost a race; the next round decides again', {
      instance: chunk[i]!.instance.metadata.name,
    });
  });
}
