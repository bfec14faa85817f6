import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import {
  matchesLabels,
  parseLabelSelector,
  toLabelSelector,
} from '../../src/store/label-selector.ts';

describe('parseLabelSelector', () => {
  it('parses every Kubernetes form: =, ==, !=, in, notin, exists, !exists', () => {
    expect(parseLabelSelector('a=b, c==d,e!=f,g in (x, y),h notin (z),i,!j')).toEqual([
      { key: 'a', operator: 'in', values: ['b'] },
      { key: 'c', operator: 'in', values: ['d'] },
      { key: 'e', operator: 'notin', values: ['f'] },
      { key: 'g', operator: 'in', values: ['x', 'y'] },
      { key: 'h', operator: 'notin', values: ['z'] },
      { key: 'i', operator: 'exists' },
      { key: 'j', operator: 'notexists' },
    ]);
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector('meseta.io/app=web')).toEqual([
      { key: 'meseta.io/app', operator: 'in', values: ['web'] },
    ]);
  });

  it('names the bad term and where it is', () => {
    const error = (() => {
      try {
        parseLabelSelector('a=b,c=$$');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('invalid label value "$$" at column 5');
    expect((error as ValidationError).where.path).toBe('labelSelector');
    expect(() => parseLabelSelector('a=b,,c')).toThrow('empty requirement');
    expect(() => parseLabelSelector('a in (x')).toThrow(ValidationError);
  });
});

describe('matchesLabels', () => {
  const labels = { app: 'web', tier: 'front' };
  const matches = (text: string, on: Record<string, string> | undefined) =>
    matchesLabels(parseLabelSelector(text), on);

  it('requires every requirement to hold', () => {
    expect(matches('app=web', labels)).toBe(true);
    expect(matches('app=web,tier=back', labels)).toBe(false);
    expect(matches('app!=db', labels)).toBe(true);
    expect(matches('missing!=x', labels)).toBe(true);
    expect(matches('tier in (front,back)', labels)).toBe(true);
    expect(matches('missing in (x)', labels)).toBe(false);
    expect(matches('tier notin (front)', labels)).toBe(false);
    expect(matches('app,!missing', labels)).toBe(true);
    expect(matches('!app', labels)).toBe(false);
    expect(matches('', undefined)).toBe(true);
    expect(matches('app', undefined)).toBe(false);
  });

  it('treats a label map as equality requirements', () => {
    expect(matchesLabels(toLabelSelector({ app: 'web' }), labels)).toBe(true);
    expect(matchesLabels(toLabelSelector({ app: 'web', tier: 'x' }), labels)).toBe(false);
  });
});
