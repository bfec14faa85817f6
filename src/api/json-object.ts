/**
 * Manifests arrive as untyped JSON; code that inspects them before (or without) validation
 * narrows with this one guard instead of trusting the shape.
 */

export type JsonObject = Record<string, unknown>;

/** True for a mapping: not null, not a list, not a scalar. */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
