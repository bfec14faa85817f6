/**
 * Applies manifests to the store. Live Apps are read in bulk (a namespace with many of them
 * is listed once), writes go in batches of up to 100 per transaction. Every write is a
 * compare-and-swap on what the plan was made from; a batch that fails (someone else wrote in
 * between) is redone App by App, each re-read and re-planned (the file states the intent, so
 * a fresh merge is what the user meant), up to a few times. A field someone else changed since the last apply is not
 * overwritten unless `forceConflicts`: the App fails with a message naming the field.
 * Dry runs read but never write; a server dry run also runs the admission every write goes
 * through.
 */
import { APP_RESOURCE, type App } from '../api/index.ts';
import { MesetaError } from '../errors.ts';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../store/errors.ts';
import type { BatchOp, ObjectStore } from '../store/object-store.ts';
import { appResource } from '../api/resources.ts';
import { planApply, type ApplyAction } from './apply-plan.ts';
import type { ManifestApp } from './manifest-set.ts';
import type { MergeConflict } from './three-way-merge.ts';

export type DryRun = 'none' | 'client' | 'server';

export interface ApplyOptions {
  dryRun?: DryRun;
  forceConflicts?: boolean;
  /** Whose last apply this is; see planApply. Default `meseta`. */
  fieldManager?: string;
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
  // First pass: read everything at once, plan, and write the plain cases in batches.
  const live = await readLive(objects, inputs, options.concurrency ?? 32);
  const outcomes: ApplyOutcome[] = new Array(inputs.length);
  const writes: { index: number; op: BatchOp; action: ApplyAction }[] = [];
  inputs.forEach((input, index) => {
    try {
      const decided = decide(input, live[index], options);
      if ('write' in decided) writes.push({ index, op: decided.write, action: decided.action });
      else outcomes[index] = { input, ...decided };
    } catch (error) {
      if (!(error instanceof MesetaError)) throw error;
      outcomes[index] = { input, error };
    }
  });
  const retry: number[] = [];
  for (let start = 0; start < writes.length; start += BATCH) {
    const chunk = writes.slice(start, start + BATCH);
    try {
      const results = await objects.batch(chunk.map((w) => w.op));
      chunk.forEach((w, i) => {
        outcomes[w.index] = {
          input: inputs[w.index]!,
          action: w.action,
          object: results[i]!.object as App,
        };
      });
    } catch (error) {
      // A chunk is one transaction: nothing of it was written. Redo it App by App.
      if (!(error instanceof MesetaError)) throw error;
      retry.push(...chunk.map((w) => w.index));
    }
  }
  // Second pass, for Apps someone else wrote in between (or that failed admission): one at a
  // time, each re-read and re-planned until its compare-and-swap holds.
  const redone = await mapConcurrently(retry, options.concurrency ?? 32, async (index) => {
    const input = inputs[index]!;
    try {
      return { input, ...(await applyOne(objects, input, options)) };
    } catch (error) {
      if (error instanceof MesetaError) return { input, error };
      throw error;
    }
  });
  retry.forEach((index, i) => (outcomes[index] = redone[i]!));
  return outcomes;
}

/** Apps per write transaction: etcd allows 128 operations in one. */
const BATCH = 100;
/** From this many Apps in one namespace, listing it beats reading them one by one. */
const LIST_THRESHOLD = 16;

/** The live App of every input (undefined where there is none), read in as few calls as fit. */
async function readLive(
  objects: ObjectStore,
  inputs: readonly ManifestApp[],
  concurrency: number,
): Promise<(App | undefined)[]> {
  const perNamespace = new Map<string, number>();
  for (const { app } of inputs) {
    const ns = app.metadata.namespace;
    perNamespace.set(ns, (perNamespace.get(ns) ?? 0) + 1);
  }
  const listed = new Map<string, App>();
  for (const [namespace, count] of perNamespace) {
    if (count < LIST_THRESHOLD) continue;
    const { items } = await objects.list(appResource, { namespace });
    for (const app of items) listed.set(`${namespace}/${app.metadata.name}`, app);
  }
  return mapConcurrently(inputs, concurrency, async ({ app }) => {
    const { namespace, name } = app.metadata;
    if ((perNamespace.get(namespace) ?? 0) >= LIST_THRESHOLD)
      return listed.get(`${namespace}/${name}`);
    return objects.get(appResource, { namespace, name });
  });
}

type Decision = { action: ApplyAction; object: App } | { action: ApplyAction; write: BatchOp };

/** What to do for one App given what is live: an outcome, or a write to make. */
function decide(input: ManifestApp, live: App | undefined, options: ApplyOptions): Decision {
  const plan = planApply(input.written, live, options.fieldManager);
  if (plan.conflicts.length > 0 && !options.forceConflicts) {
    throw conflictError(input, plan.conflicts);
  }
  const dryRun = options.dryRun ?? 'none';
  if (plan.action === 'unchanged' || dryRun === 'client') return plan;
  if (dryRun === 'server') {
    const admitted = appResource.admit!(plan.object, {
      operation: live ? 'update' : 'create',
      ...(live ? { old: live } : {}),
    });
    return { action: plan.action, object: admitted };
  }
  const op = plan.action === 'created' ? 'create' : 'update';
  return { action: plan.action, write: { op, type: appResource, object: plan.object } as BatchOp };
}

async function applyOne(
  objects: ObjectStore,
  input: ManifestApp,
  options: ApplyOptions,
): Promise<{ action: ApplyAction; object: App }> {
  const ref = input.app.metadata;
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const decided = decide(input, await objects.get(appResource, ref), options);
    if (!('write' in decided)) return decided;
    const object = (decided.write as { object: App }).object;
    try {
      const stored =
        decided.action === 'created'
          ? await objects.create(appResource, object)
          : await objects.update(appResource, object);
      return { action: decided.action, object: stored };
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
  const changed = conflicts.filter((c) => c.manager === undefined);
  const owned = conflicts.filter((c) => c.manager !== undefined);
  const parts: string[] = [];
  if (changed.length > 0) {
    const fields = changed.map(
      (c) =>
        `${c.path} (live ${show(c.live)}, last applied ${show(c.lastApplied)}, file ${show(c.desired)})`,
    );
    parts.push(`changed by someone else since your last apply: ${fields.join('; ')}`);
  }
  if (owned.length > 0) {
    const fields = owned.map(
      (c) =>
        `${c.path} (field manager "${c.manager}": live ${show(c.live)}, file ${show(c.desired)})`,
    );
    parts.push(`applied by another field manager: ${fields.join('; ')}`);
  }
  return new MesetaError(
    'Conflict',
    `${APP_RESOURCE}/${input.app.metadata.name}: ${parts.join('; and ')}. ` +
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
