/**
 * What applying one manifest to one live App means, decided without I/O: the object to store
 * (the three-way merge of the last-applied configuration, the file and the live object, with
 * the new last-applied configuration recorded, then defaulted), whether that is a creation, a
 * change or nothing, and the fields someone else changed that the file would overwrite.
 */
import { defaultApp, type App } from '../api/index.ts';
import { isJsonObject, type JsonObject } from '../api/json-object.ts';
import { jsonEqual } from '../store/deep-equal.ts';
import { threeWayMerge, type MergeConflict } from './three-way-merge.ts';

/** The annotation that keeps the manifest as last applied (kubectl keeps it the same way). */
export const LAST_APPLIED = 'meseta.io/last-applied-configuration';
/** The field manager of an apply that names none; its record is LAST_APPLIED. */
export const DEFAULT_MANAGER = 'meseta';
/** Other field managers keep their record under this prefix plus their name. */
const MANAGER_PREFIX = 'last-applied.meseta.io/';
const managerName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `manager` cannot name a field manager, or undefined when it can. */
export function managerProblem(manager: string): string | undefined {
  if (manager.length > 63 || !managerName.test(manager)) {
    return 'must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** The annotation holding what `manager` last applied. */
export function lastAppliedKey(manager: string = DEFAULT_MANAGER): string {
  return manager === DEFAULT_MANAGER ? LAST_APPLIED : `${MANAGER_PREFIX}${manager}`;
}

/** The field manager whose record annotation `key` is, or undefined. */
export function managerOfKey(key: string): string | undefined {
  if (key === LAST_APPLIED) return DEFAULT_MANAGER;
  return key.startsWith(MANAGER_PREFIX) ? key.slice(MANAGER_PREFIX.length) : undefined;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyPlan {
  action: ApplyAction;
  /** What to store; for an update it carries the live resourceVersion (the CAS condition). */
  object: App;
  /** Fields the file sets that someone else changed since the last apply. */
  conflicts: MergeConflict[];
}

/** The manifest as it is recorded in the annotation: without the annotation itself. */
export function lastAppliedOf(written: JsonObject): string {
  const copy = structuredClone(written);
  const metadata = isJsonObject(copy.metadata) ? copy.metadata : undefined;
  if (metadata && isJsonObject(metadata.annotations)) {
    for (const key of Object.keys(metadata.annotations)) {
      if (managerOfKey(key) !== undefined) delete metadata.annotations[key];
    }
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
  return JSON.stringify(copy);
}

/** The configuration last applied to `live`, or undefined if none (or it is unreadable). */
export function readLastApplied(live: App, manager?: string): JsonObject | undefined {
  return parseRecord(live.metadata.annotations?.[lastAppliedKey(manager)]);
}

function parseRecord(text: string | undefined): JsonObject | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Plans applying `written` as field manager `manager`: the merge removes only what this
 * manager applied before, and a field another manager applied (and still holds) conflicts
 * when the file would change it.
 */
export function planApply(
  written: JsonObject,
  live: App | undefined,
  manager: string = DEFAULT_MANAGER,
): ApplyPlan {
  const recorded = lastAppliedOf(written);
  const desired = JSON.parse(recorded) as JsonObject;
  const key = lastAppliedKey(manager);
  if (!live) {
    return {
      action: 'created',
      object: annotated(defaultApp(desired), key, recorded),
      conflicts: [],
    };
  }
  const { status: _status, ...liveSpec } = live;
  const last = readLastApplied(live, manager);
  const { merged, conflicts } = threeWayMerge(last, desired, liveSpec, {
    ...(last ? { lastAppliedDefaulted: defaultApp(last) } : {}),
  });
  for (const [annotation, text] of Object.entries(live.metadata.annotations ?? {})) {
    const other = managerOfKey(annotation);
    const theirs = other !== undefined && other !== manager ? parseRecord(text) : undefined;
    if (!theirs) continue;
    const owned = threeWayMerge(theirs, desired, liveSpec, {
      lastAppliedDefaulted: defaultApp(theirs),
      conflicts: 'owned',
    });
    conflicts.push(...owned.conflicts.map((c) => ({ ...c, manager: other })));
  }
  const object = annotated(defaultApp(merged as JsonObject), key, recorded);
  object.metadata.resourceVersion = live.metadata.resourceVersion!;
  const same =
    jsonEqual(object.spec, live.spec) &&
    jsonEqual(object.metadata.labels ?? {}, live.metadata.labels ?? {}) &&
    jsonEqual(object.metadata.annotations ?? {}, live.metadata.annotations ?? {});
  return { action: same ? 'unchanged' : 'configured', object, conflicts };
}

function annotated(app: App, key: string, recorded: string): App {
  app.metadata.annotations = { ...app.metadata.annotations, [key]: recorded };
  return app;
}
