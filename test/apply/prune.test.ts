import { describe, expect, it } from 'vitest';
import { appKey, pruneCandidates } from '../../src/apply/prune.ts';

describe('pruneCandidates', () => {
  it('is the inventory minus what the manifests describe now', () => {
    expect(pruneCandidates(['d/a', 'd/b', 's/c'], new Set(['d/a']))).toEqual(['d/b', 's/c']);
    expect(pruneCandidates([], new Set(['d/a']))).toEqual([]);
  });

  it('keys Apps by namespace and name', () => {
    expect(appKey({ metadata: { namespace: 'shop', name: 'web' } })).toBe('shop/web');
  });
});
