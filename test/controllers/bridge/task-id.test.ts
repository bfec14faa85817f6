import { describe, expect, it } from 'vitest';
import {
  newNonce,
  newTaskId,
  ownerKey,
  taskOwner,
} from '../../../src/controllers/bridge/task-id.ts';

describe('task ids', () => {
  it('encode namespace, instance and a nonce, and decode back to the instance', () => {
    const id = newTaskId('shop', 'web-3-0', 'a1b2c3');
    expect(id).toBe('shop.web-3-0.a1b2c3');
    expect(taskOwner(id)).toEqual({ namespace: 'shop', instance: 'web-3-0' });
    expect(ownerKey(id)).toBe('shop/web-3-0');
  });

  it('keep dots inside the instance name (App names may have them)', () => {
    const id = newTaskId('default', 'api.v2-1-4');
    expect(taskOwner(id)).toEqual({ namespace: 'default', instance: 'api.v2-1-4' });
  });

  it('are new for every launch', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newTaskId('ns', 'web-1-0')));
    expect(ids.size).toBe(1000);
    expect(newNonce()).toMatch(/^[0-9a-f]{12}$/);
  });

  it('refuse a namespace with a dot, which would make the id ambiguous', () => {
    expect(() => newTaskId('a.b', 'web-1-0')).toThrow(/dot/);
  });

  it('say "not ours" for ids meseta did not make', () => {
    for (const id of ['sleep', 'web.1', '.web.abc', 'ns..abc', 'ns.web.NOTHEX', 'ns.web.']) {
      expect(taskOwner(id), id).toBeUndefined();
      expect(ownerKey(id), id).toBeUndefined();
    }
  });
});
