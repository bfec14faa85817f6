import type { Kv } from '../../src/store/kv.ts';

/**
 * `kv` with some of its methods replaced — to count transactions, see watch options or hold
 * answers back — and every other call passed on to it.
 */
export function kvWith(kv: Kv, overrides: Partial<Kv>): Kv {
  return new Proxy(kv, {
    get(target, property) {
      const override = overrides[property as keyof Kv];
      if (override) return override;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
