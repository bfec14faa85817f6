import { describe, expect, it } from 'vitest';
import { MesetaError, ValidationError, formatProblem } from '../src/errors.ts';

describe('error formatting', () => {
  it('names file, line, column and field path', () => {
    const error = new MesetaError('Invalid', 'must be <= 1', {
      file: 'manifests/web.yaml',
      line: 14,
      column: 7,
      path: 'spec.upgradeStrategy.minimumHealthCapacity',
    });
    expect(error.format()).toBe(
      'manifests/web.yaml:14:7 spec.upgradeStrategy.minimumHealthCapacity: must be <= 1',
    );
  });

  it('prints only what is known', () => {
    expect(formatProblem({ path: 'spec.cmd' }, 'required')).toBe('spec.cmd: required');
    expect(formatProblem({ file: '-' }, 'empty input')).toBe('-: empty input');
    expect(formatProblem({}, 'plain')).toBe('plain');
  });

  it('keeps every problem of a validation error', () => {
    const error = new ValidationError([
      new MesetaError('Invalid', 'a', { path: 'spec.a' }),
      new MesetaError('Invalid', 'b', { path: 'spec.b' }),
    ]);
    expect(error.message).toBe('spec.a: a (and 1 more)');
    expect(error.format()).toBe('spec.a: a\nspec.b: b');
  });
});
