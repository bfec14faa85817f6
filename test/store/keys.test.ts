import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import { keyLayout, prefixRangeEnd } from '../../src/store/keys.ts';

const app = { group: 'meseta.io', plural: 'apps', namespaced: true };
const agent = { group: 'meseta.io', plural: 'agents', namespaced: false };

describe('keyLayout', () => {
  it('lays out registry, internal and leader keys under the default prefix', () => {
    const keys = keyLayout();
    expect(keys.object(app, 'default', 'web')).toBe('/meseta/registry/meseta.io/apps/default/web');
    expect(keys.object(agent, undefined, 'node-1')).toBe(
      '/meseta/registry/meseta.io/agents/node-1',
    );
    expect(keys.typePrefix(app)).toBe('/meseta/registry/meseta.io/apps/');
    expect(keys.typePrefix(app, 'default')).toBe('/meseta/registry/meseta.io/apps/default/');
    expect(keys.internal('mesos/framework-id')).toBe('/meseta/internal/mesos/framework-id');
    expect(keys.leader('rollout')).toBe('/meseta/leases/rollout');
  });

  it('puts a second installation under its own prefix', () => {
    expect(keyLayout('/prod/meseta').object(app, 'ns', 'a')).toBe(
      '/prod/meseta/registry/meseta.io/apps/ns/a',
    );
    expect(() => keyLayout('meseta')).toThrow('prefix');
    expect(() => keyLayout('/meseta/')).toThrow('prefix');
  });

  it('refuses names that would break the layout, naming the field', () => {
    const keys = keyLayout();
    const error = (() => {
      try {
        keys.object(app, 'default', 'a/b');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).where.path).toBe('metadata.name');
    expect(() => keys.object(app, undefined, 'web')).toThrow('metadata.namespace');
    expect(() => keys.object(app, 'Default', 'web')).toThrow(ValidationError);
    expect(() => keys.internal('../escape')).toThrow(ValidationError);
  });
});

describe('prefixRangeEnd', () => {
  it('increments the last byte, dropping trailing 0xff bytes', () => {
    expect(prefixRangeEnd('/meseta/registry/')).toBe('/meseta/registry0');
    expect(prefixRangeEnd('a')).toBe('b');
    expect(prefixRangeEnd('é')).toBe('ê');
    expect(prefixRangeEnd('')).toBe('\0');
  });
});
