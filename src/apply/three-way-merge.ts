/**
 * kubectl's three-way merge, pure: from what was last applied, what the file says now and
 * what is live, compute what to store.
 * - A field the file sets takes the file's value.
 * - A field that was applied before and is gone from the file is removed.
 * - A field nobody applied (set by another writer, or defaulted) is kept.
 * - Lists merge as the CRD declares them (see list-strategy.ts): keyed lists element by
 *   element on their keys, sets by whole value, atomic lists whole. An element someone else
 *   added is kept; one this applier added and has since removed from the file goes.
 * It also reports conflicts: fields the file sets whose live value was changed by someone else
 * since the last apply and differs from the file's. The caller decides whether to overwrite.
 * Inputs are never modified; the result shares nothing with them.
 */
import { appSchema, type OpenApiSchema } from '../api/crd.ts';
import { formatPath, type PathSegment } from '../api/field-path.ts';
import { isJsonObject, type JsonObject } from '../api/json-object.ts';
import { jsonEqual } from '../store/deep-equal.ts';
import { listStrategy, propertySchema, type ListStrategy } from './list-strategy.ts';

export interface MergeConflict {
  /** e.g. `spec.instances` or `spec.portDefinitions[0].port`. */
  path: string;
  lastApplied: unknown;
  live: unknown;
  desired: unknown;
}

export interface MergeResult {
  merged: unknown;
  conflicts: MergeConflict[];
}

export interface MergeOptions {
  /** Describes the objects' lists; App's schema by default. */
  schema?: OpenApiSchema;
}

/**
 * Merges `desired` (the file) into `live`, removing what `lastApplied` set and `desired` no
 * longer does. `lastApplied` is undefined when this applier never applied the object: then
 * nothing is removed.
 */
export function threeWayMerge(
  lastApplied: unknown,
  desired: unknown,
  live: unknown,
  options: MergeOptions = {},
): MergeResult {
  const conflicts: MergeConflict[] = [];
  const merged = mergeValue(lastApplied, desired, live, options.schema ?? appSchema, [], conflicts);
  return { merged, conflicts };
}

function mergeValue(
  last: unknown,
  desired: unknown,
  live: unknown,
  schema: OpenApiSchema | undefined,
  path: PathSegment[],
  conflicts: MergeConflict[],
): unknown {
  if (isJsonObject(desired) && isJsonObject(live)) {
    return mergeObject(
      isJsonObject(last) ? last : undefined,
      desired,
      live,
      schema,
      path,
      conflicts,
    );
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    const strategy = listStrategy(schema, path);
    const lastList = Array.isArray(last) ? last : [];
    if (strategy.type === 'map' && desired.every(isJsonObject) && live.every(isJsonObject)) {
      return mergeKeyed(lastList, desired, live, strategy, schema, path, conflicts);
    }
    if (strategy.type === 'set') return mergeSet(lastList, desired, live);
  }
  if (
    last !== undefined &&
    live !== undefined &&
    !jsonEqual(live, last) &&
    !jsonEqual(desired, live)
  ) {
    conflicts.push({ path: formatPath(path), lastApplied: last, live, desired });
  }
  return structuredClone(desired);
}

function mergeObject(
  last: JsonObject | undefined,
  desired: JsonObject,
  live: JsonObject,
  schema: OpenApiSchema | undefined,
  path: PathSegment[],
  conflicts: MergeConflict[],
): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(live)) {
    if (value === undefined) continue;
    if (desired[key] !== undefined) {
      const sub = propertySchema(schema, key);
      result[key] = mergeValue(last?.[key], desired[key], value, sub, [...path, key], conflicts);
    } else if (last?.[key] === undefined) {
      result[key] = structuredClone(value);
    }
    // else: applied before, gone from the file now — removed.
  }
  for (const [key, value] of Object.entries(desired)) {
    if (value !== undefined && !(key in result) && live[key] === undefined) {
      result[key] = structuredClone(value);
    }
  }
  return result;
}

function mergeKeyed(
  last: unknown[],
  desired: JsonObject[],
  live: JsonObject[],
  strategy: ListStrategy & { type: 'map' },
  schema: OpenApiSchema | undefined,
  path: PathSegment[],
  conflicts: MergeConflict[],
): unknown[] {
  const itemSchema = schema?.items;
  const identity = (item: JsonObject) => keyOf(item, strategy.keys, itemSchema);
  const lastById = new Map(last.filter(isJsonObject).map((item) => [identity(item), item]));
  const liveById = new Map(live.map((item) => [identity(item), item]));
  const desiredIds = new Set<string>();
  const result: unknown[] = desired.map((item, index) => {
    const id = identity(item);
    desiredIds.add(id);
    const current = liveById.get(id);
    if (current === undefined) return structuredClone(item);
    const at = [...path, index];
    return mergeObject(lastById.get(id), item, current, itemSchema, at, conflicts);
  });
  for (const item of live) {
    const id = identity(item);
    if (!desiredIds.has(id) && !lastById.has(id)) result.push(structuredClone(item));
  }
  return result;
}

function mergeSet(last: unknown[], desired: unknown[], live: unknown[]): unknown[] {
  const lastIds = new Set(last.map(canonical));
  const result: unknown[] = [];
  const seen = new Set<string>();
  for (const item of desired) {
    const id = canonical(item);
    if (!seen.has(id)) result.push(structuredClone(item));
    seen.add(id);
  }
  for (const item of live) {
    const id = canonical(item);
    if (!seen.has(id) && !lastIds.has(id)) result.push(structuredClone(item));
    seen.add(id);
  }
  return result;
}

/** The element's key values, with the schema's defaults for keys the element leaves out. */
function keyOf(item: JsonObject, keys: readonly string[], schema: OpenApiSchema | undefined) {
  return JSON.stringify(
    keys.map((key) => item[key] ?? propertySchema(schema, key)?.default ?? null),
  );
}

/** JSON with object keys sorted, so that equal values have equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isJsonObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}
