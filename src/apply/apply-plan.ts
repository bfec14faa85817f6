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
    delete metadata.annotations[LAST_APPLIED];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
  return JSON.stringify(copy);
}

/** The configuration last applied to `live`, or undefined if none (or it is unreadable). */
export function readLastApplied(live: App): JsonObject | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function planApply(written: JsonObject, live: App | undefined): ApplyPlan {
  const recorded = lastAppliedOf(written);
  const desired = JSON.parse(recorded) as JsonObject;
  if (!live) {
    return { action: 'created', object: annotated(defaultApp(desired), recorded), conflicts: [] };
  }
  const { status: _status, ...liveSpec } = live;
  const last = readLastApplied(live);
  const { merged, conflicts } = threeWayMerge(last, desired, liveSpec, {
    ...(last ? { lastAppliedDefaulted: defaultApp(last) } : {}),
  });
  const object = annotated(defaultApp(merged as JsonObject), recorded);
  object.metadata.resourceVersion = live.metadata.resourceVersion!;
  const same =
    jsonEqual(object.spec, live.spec) &&
    jsonEqual(object.metadata.labels ?? {}, live.metadata.labels ?? {}) &&
    jsonEqual(object.metadata.annotations ?? {}, live.metadata.annotations ?? {});
  return { action: same ? 'unchanged' : 'configured', object, conflicts };
}

function annotated(app: App, recorded: string): App {
  app.metadata.annotations = { ...app.metadata.annotations, [LAST_APPLIED]: recorded };
  return app;
}
