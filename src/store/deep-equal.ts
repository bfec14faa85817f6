/**
 * Structural equality of JSON values (objects compared key by key regardless of key order),
 * which is what "the spec changed" means for generation.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = definedKeys(a as Record<string, unknown>);
  const right = definedKeys(b as Record<string, unknown>);
  if (left.length !== right.length) return false;
  const record = b as Record<string, unknown>;
  return left.every(
    (key) => key in record && jsonEqual((a as Record<string, unknown>)[key], record[key]),
  );
}

// JSON drops undefined members, so `{a: undefined}` and `{}` store the same.
function definedKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object).filter((key) => object[key] !== undefined);
}
