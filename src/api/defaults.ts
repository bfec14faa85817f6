/**
 * Defaulting: Marathon's defaults, applied the same way by every writer. Schema defaults come
 * from the CRD (as Kubernetes applies them: a missing field with a default gets it, and the
 * walk continues inside, so `upgradeStrategy: {}` fills both capacities); the few defaults that
 * depend on other fields are applied in code below. Pure and idempotent: defaulting a defaulted
 * App changes nothing.
 */
import type { App } from './app-types.ts';
import { appSchema } from './crd.ts';
import type { OpenApiSchema } from './crd.ts';
import { isJsonObject } from './json-object.ts';
import { DEFAULT_NAMESPACE } from './metadata.ts';

/** Returns a defaulted copy of `app`; the input is not modified. */
export function defaultApp(app: App | Record<string, unknown>): App {
  const copy = structuredClone(app) as Record<string, unknown>;
  fillSchemaDefaults(appSchema, copy);
  fillDependentDefaults(copy);
  return copy as unknown as App;
}

function fillSchemaDefaults(schema: OpenApiSchema, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) fillSchemaDefaults(schema.items, item);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && sub.default !== undefined)
      value[key] = structuredClone(sub.default);
    if (value[key] !== undefined) fillSchemaDefaults(sub, value[key]);
  }
  if (typeof schema.additionalProperties === 'object') {
    for (const entry of Object.values(value))
      fillSchemaDefaults(schema.additionalProperties, entry);
  }
}

function fillDependentDefaults(app: Record<string, unknown>): void {
  if (isJsonObject(app.metadata) && app.metadata.namespace === undefined) {
    app.metadata.namespace = DEFAULT_NAMESPACE;
  }
  const spec = app.spec;
  if (!isJsonObject(spec)) return;
  // In bridge networking Marathon gives every mapping a host port unless told otherwise.
  const bridged =
    Array.isArray(spec.networks) &&
    spec.networks.some((n) => isJsonObject(n) && n.mode === 'container/bridge');
  const mappings = isJsonObject(spec.container) ? spec.container.portMappings : undefined;
  if (bridged && Array.isArray(mappings)) {
    for (const mapping of mappings) {
      if (isJsonObject(mapping) && mapping.hostPort === undefined) mapping.hostPort = 0;
    }
  }
  if (!Array.isArray(spec.healthChecks)) return;
  // Marathon checks the first port when a port-based check names none.
  for (const check of spec.healthChecks) {
    if (
      isJsonObject(check) &&
      check.protocol !== 'COMMAND' &&
      check.port === undefined &&
      check.portIndex === undefined
    ) {
      check.portIndex = 0;
    }
  }
}
