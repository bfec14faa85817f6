/**
 * Pruning an apply-set: after the set's manifests are applied, delete the Apps its inventory
 * lists that the manifests no longer describe — and nothing else, whatever labels or names
 * other Apps have. The inventory is widened before applying (so that an interrupted apply
 * still knows what it created) and narrowed after pruning to what is applied, keeping
 * whatever could not be applied or deleted, so that a later run retries it.
 */
import { APP_RESOURCE } from '../api/index.ts';
import { MesetaError } from '../errors.ts';
import { NotFoundError } from '../store/errors.ts';
import type { InternalRecords } from '../store/internal-records.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { appResource } from '../api/resources.ts';
import { readInventory, writeInventory, type StoredInventory } from './inventory.ts';

export interface PruneOutcome {
  /** `namespace/name`. */
  app: string;
  error?: MesetaError;
}

export function appKey(app: { metadata: { namespace: string; name: string } }): string {
  return `${app.metadata.namespace}/${app.metadata.name}`;
}

/** The inventory's Apps that the current manifests no longer describe. Pure. */
export function pruneCandidates(inventory: readonly string[], applied: ReadonlySet<string>) {
  return inventory.filter((app) => !applied.has(app));
}

/** Adds the Apps about to be applied to the inventory; returns what it was before. */
export async function widenInventory(
  records: InternalRecords,
  applySet: string,
  planned: readonly string[],
): Promise<StoredInventory> {
  const before = await readInventory(records, applySet);
  const revision = await writeInventory(
    records,
    applySet,
    [...before.inventory.apps, ...planned],
    before.revision,
  );
  return { inventory: before.inventory, revision };
}

/**
 * Deletes `candidates` (unless `dryRun`), then records the inventory as `applied` plus every
 * candidate that could not be deleted.
 */
export async function prune(
  objects: ObjectStore,
  records: InternalRecords,
  applySet: string,
  options: { candidates: string[]; applied: Iterable<string>; revision: string; dryRun: boolean },
): Promise<PruneOutcome[]> {
  const outcomes = await deletePruned(objects, options.candidates, options.dryRun);
  if (!options.dryRun) {
    const kept = outcomes.filter((o) => o.error).map((o) => o.app);
    await writeInventory(records, applySet, [...options.applied, ...kept], options.revision);
  }
  return outcomes;
}

/**
 * Deletes each `namespace/name` App in `candidates` (nothing in a dry run). One already gone
 * is left out of the outcomes; one that could not be deleted carries the error.
 */
export async function deletePruned(
  objects: ObjectStore,
  candidates: readonly string[],
  dryRun: boolean,
): Promise<PruneOutcome[]> {
  const outcomes: PruneOutcome[] = [];
  for (const app of candidates) {
    const [namespace, name] = app.split('/') as [string, string];
    if (dryRun) {
      outcomes.push({ app });
      continue;
    }
    try {
      await objects.delete(appResource, { namespace, name });
      outcomes.push({ app });
    } catch (error) {
      if (error instanceof NotFoundError) continue; // already gone: nothing to prune
      if (!(error instanceof MesetaError)) throw error;
      outcomes.push({
        app,
        error: new MesetaError(error.code, `pruning ${APP_RESOURCE}/${name}: ${error.message}`),
      });
    }
  }
  return outcomes;
}
