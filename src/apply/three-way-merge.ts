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
  /** Set when the field belongs to another field manager's last apply. */
  manager?: string;
}

export interface MergeResult {
  merged: unknown;
  conflicts: MergeConflict[];
}

export interface MergeOptions {
  /** Describes the objects' lists; App's schema by default. */
  schema?: OpenApiSchema;
  /**
   * `lastApplied` as the store defaulted it. Conflicts compare the live value with this, so
   * that a default the store filled in (inside an atomic list, say) is not mistaken for
   * someone else's change. Default: `lastApplied` itself.
   */
  lastAppliedDefaulted?: unknown;
  /**
   * Which fields conflict. `changed`: the file sets a field the last apply set and someone
   * else has changed since (the default). `owned`: the file would change a field whose live
   * value is still what `lastApplied` set — used with another field manager's record, whose
   * fields are theirs.
   */
  conflicts?: 'changed' | 'owned';
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
  const last = { raw: lastApplied, defaulted: options.lastAppliedDefaulted ?? lastApplied };
  const rule = options.conflicts ?? 'changed';
  const context = { conflicts, rule };
  const merged = mergeValue(last, desired, live, options.schema ?? appSchema, [], context);
  return { merged, conflicts };
}

/** Where conflicts are collected, and by which rule. */
interface Conflicts {
  conflicts: MergeConflict[];
  rule: 'changed' | 'owned';
}

/** The last-applied value at one path, as written and as defaulted. */
interface Last {
  raw: unknown;
  defaulted: unknown;
}

function field(last: Last, key: string): Last {
  return {
    raw: isJsonObject(last.raw) ? last.raw[key] : undefined,
    defaulted: isJsonObject(last.defaulted) ? last.defaulted[key] : undefined,
  };
}

function mergeValue(
  last: Last,
  desired: unknown,
  live: unknown,
  schema: OpenApiSchema | undefined,
  path: PathSegment[],
  conflicts: Conflicts,
): unknown {
  if (isJsonObject(desired) && isJsonObject(live)) {
    return mergeObject(last, desired, live, schema, path, conflicts);
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    const strategy = listStrategy(schema, path);
    if (strategy.type === 'map' && desired.every(isJsonObject) && live.every(isJsonObject)) {
      return mergeKeyed(last, desired, live, strategy, schema, path, conflicts);
    }
    if (strategy.type === 'set') {
      return mergeSet(Array.isArray(last.raw) ? last.raw : [], desired, live);
    }
  }
  if (last.raw !== undefined && live !== undefined && !jsonEqual(desired, live)) {
    const liveIsLast = jsonEqual(live, last.defaulted);
    if (liveIsLast === (conflicts.rule === 'owned')) {
      conflicts.conflicts.push({ path: formatPath(path), lastApplied: last.raw, live, desired });
    }
  }
  return structuredClone(desired);
}

function mergeObject(
  last: Last,
  desired: JsonObject,
  live: JsonObject,
  schema: OpenApiSchema | undefined,
  path: PathSegment[],
  conflicts: Conflicts,
): JsonObject {
  const applied = isJsonObject(last.raw) ? last.raw : {};
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(live)) {
    if (value === undefined) continue;
    if (desired[key] !== undefined) {
      const sub = propertySchema(schema, key);
      result[key] = mergeValue(
        field(last, key),
        desired[key],
        value,
        sub,
        [...path, key],
        conflicts,
      );
    } else if (applied[key] === undefined) {
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
  last: Last,
  desired: JsonObject[],
  live: JsonObject[],
  strategy: ListStrategy & { type: 'map' },
  schema: OpenApiSchema | undefined,
  path: PathSegment[],
  conflicts: Conflicts,
): unknown[] {
  const itemSchema = schema?.items;
  const identity = (item: JsonObject) => keyOf(item, strategy.keys, itemSchema);
  const byId = (list: unknown) =>
    new Map(
      (Array.isArray(list) ? list : []).filter(isJsonObject).map((item) => [identity(item), item]),
    );
  const lastById = byId(last.raw);
  const lastDefaultedById = byId(last.defaulted);
  const liveById = new Map(live.map((item) => [identity(item), item]));
  const desiredIds = new Set<string>();
  const result: unknown[] = desired.map((item, index) => {
    const id = identity(item);
    desiredIds.add(id);
    const current = liveById.get(id);
    if (current === undefined) return structuredClone(item);
    const previous = { raw: lastById.get(id), defaulted: lastDefaultedById.get(id) };
    return mergeObject(previous, item, current, itemSchema, [...path, index], conflicts);
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
