/**
 * Field paths inside an object, as segments (`['spec', 'constraints', 0, 'value']`) and as the
 * text every meseta message prints (`spec.constraints[0].value`). Keys that are not plain
 * identifiers print quoted (`metadata.labels["app.kubernetes.io/name"]`), so that the text form
 * is unambiguous and can serve as a lookup key.
 */

export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (identifier.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Turns an Ajv instance path (a JSON pointer, `/spec/constraints/0`) into segments. */
export function pathFromPointer(pointer: string, value: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    segments.push(segment);
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }
  return segments;
}
