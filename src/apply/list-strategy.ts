/**
 * How `apply` merges each list of an App, read from the CRD: `x-kubernetes-list-type: map`
 * lists merge element by element on their `x-kubernetes-list-map-keys`, `set` lists merge by
 * whole value, `atomic` (and undeclared) lists are replaced whole. The schema walk happens
 * once per merge step, alongside the value, so looking a list up costs nothing.
 */
import type { OpenApiSchema } from '../api/crd.ts';
import type { PathSegment } from '../api/field-path.ts';

export type ListStrategy =
  { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: readonly string[] };

/**
 * Lists whose merge deliberately differs from the CRD's declaration, by field path (no
 * indexes). Constraints are declared atomic — Marathon sends them whole — but two people
 * pinning an app (one to a rack, one away from a host) must not erase each other's
 * constraint on apply, so they merge as a set of whole values.
 */
const overrides: ReadonlyMap<string, ListStrategy> = new Map([
  ['spec.constraints', { type: 'set' }],
]);

export function listStrategy(
  schema: OpenApiSchema | undefined,
  path: readonly PathSegment[],
): ListStrategy {
  const override = overrides.get(path.filter((s) => typeof s === 'string').join('.'));
  if (override) return override;
  const declared = schema?.['x-kubernetes-list-type'];
  const keys = schema?.['x-kubernetes-list-map-keys'];
  if (declared === 'map' && keys && keys.length > 0) return { type: 'map', keys };
  if (declared === 'set') return { type: 'set' };
  return { type: 'atomic' };
}

/** The schema of field `key` of an object described by `schema`, if it declares one. */
export function propertySchema(
  schema: OpenApiSchema | undefined,
  key: string,
): OpenApiSchema | undefined {
  if (!schema) return undefined;
  const declared = schema.properties?.[key];
  if (declared) return declared;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}
