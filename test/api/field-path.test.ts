import { describe, expect, it } from 'vitest';
import { formatPath, pathFromPointer } from '../../src/api/field-path.ts';

describe('field paths', () => {
  it('print as dotted names with list indexes, quoting keys that are not identifiers', () => {
    expect(formatPath(['spec', 'constraints', 0, 'value'])).toBe('spec.constraints[0].value');
    expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    expect(formatPath([])).toBe('');
  });

  it('come from JSON pointers, with numbers only for list indexes', () => {
    const value = { spec: { env: { '0': 'a', 'a/b': 'c' }, constraints: [{}] } };
    expect(pathFromPointer('/spec/constraints/0', value)).toEqual(['spec', 'constraints', 0]);
    expect(pathFromPointer('/spec/env/0', value)).toEqual(['spec', 'env', '0']);
    expect(pathFromPointer('/spec/env/a~1b', value)).toEqual(['spec', 'env', 'a/b']);
    expect(pathFromPointer('', value)).toEqual([]);
  });
});
