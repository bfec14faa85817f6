/**
 * Applies manifests to the store, one App at a time but many at once. Every write is a
 * compare-and-swap on what the plan was made from; when someone else writes in between, the
 * App is re-read and re-planned (the file states the intent, so a fresh merge is what the
 * user meant), up to a few times. A field someone else changed since the last apply is not
 * overwritten unless `forceConflicts`: the App fails with a message naming the field.
 * Dry runs read but never write; a server dry run also runs the admission every write goes
 * through.
 */
import { APP_RESOURCE, type App } from '../api/index.ts';
import { MesetaError } from '../errors.ts';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../store/errors.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { appType } from './app-type.ts';
import { planApply, type ApplyAction } from './apply-plan.ts';
import type { ManifestApp } from './manifest-set.ts';
import type { MergeConflict } from './three-way-merge.ts';

export type DryRun = 'none' | 'client' | 'server';

export interface ApplyOptions {
  dryRun?: DryRun;
  forceConflicts?: boolean;
  /** Apps in flight at once. Default 32. */
  concurrency?: number;
  /** Tries per App when racing other writers. Default 5. */
  attempts?: number;
}

export interface ApplyOutcome {
  input: ManifestApp;
  action?: ApplyAction;
  /** The App as stored (or as it would be, in a dry run). */
  object?: App;
  error?: MesetaError;
}

export async function applyApps(
  objects: ObjectStore,
  inputs: readonly ManifestApp[],
  options: ApplyOptions = {},
): Promise<ApplyOutcome[]> {
  return mapConcurrently(inputs, options.concurrency ?? 32, async (input) => {
    try {
      return { input, ...(await applyOne(objects, input, options)) };
    } catch (error) {
      if (error instanceof MesetaError) return { input, error };
      throw error;
    }
  });
}

async function applyOne(
  objects: ObjectStore,
  input: ManifestApp,
  options: ApplyOptions,
): Promise<{ action: ApplyAction; object: App }> {
  const ref = input.app.metadata;
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const live = await objects.get(appType, ref);
    const plan = planApply(input.written, live);
    if (plan.conflicts.length > 0 && !options.forceConflicts) {
      throw conflictError(input, plan.conflicts);
    }
    const dryRun = options.dryRun ?? 'none';
    if (plan.action === 'unchanged' || dryRun === 'client') return plan;
    if (dryRun === 'server') {
      const admitted = appType.admit!(plan.object, {
        operation: live ? 'update' : 'create',
        ...(live ? { old: live } : {}),
      });
      return { action: plan.action, object: admitted };
    }
    try {
      const stored =
        plan.action === 'created'
          ? await objects.create(appType, plan.object)
          : await objects.update(appType, plan.object);
      return { action: plan.action, object: stored };
    } catch (error) {
      const raced =
        error instanceof ConflictError ||
        error instanceof AlreadyExistsError ||
        error instanceof NotFoundError;
      if (!raced || attempt >= attempts) throw error;
    }
  }
}

function conflictError(input: ManifestApp, conflicts: readonly MergeConflict[]): MesetaError {
  const fields = conflicts
    .map(
      (c) =>
        `${c.path} (live ${show(c.live)}, last applied ${show(c.lastApplied)}, file ${show(c.desired)})`,
    )
    .join('; ');
  return new MesetaError(
    'Conflict',
    `${APP_RESOURCE}/${input.app.metadata.name}: changed by someone else since your last apply: ${fields}. ` +
      'Put the live value in the file, or pass --force-conflicts to overwrite it',
    { file: input.document.file },
  );
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'absent';
}

/** Runs `work` on every item with at most `limit` in flight; results in input order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
