import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../../src/store/embedded/key-index.ts';

describe('KeyIndex', () => {
  it('stays sorted through random inserts and removals across many chunks', () => {
    const index = new KeyIndex();
    const model = new Set<string>();
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 20_000; step++) {
      const key = `k${Math.floor(random() * 5000)
        .toString(36)
        .padStart(3, '0')}`;
      if (model.has(key)) {
        if (random() < 0.5) {
          index.remove(key);
          model.delete(key);
        }
      } else {
        index.insert(key);
        model.add(key);
      }
    }
    const sorted = [...model].sort();
    expect(index.size).toBe(sorted.length);
    expect([...index.scan('', null)]).toEqual(sorted);
    const from = sorted[Math.floor(sorted.length / 3)]!;
    const to = sorted[Math.floor((2 * sorted.length) / 3)]!;
    expect([...index.scan(from, to)]).toEqual(sorted.filter((k) => k >= from && k < to));
  });

  it('scans an empty index and ranges that hold nothing', () => {
    const index = new KeyIndex();
    expect([...index.scan('a', null)]).toEqual([]);
    index.insert('m');
    expect([...index.scan('n', null)]).toEqual([]);
    expect([...index.scan('a', 'm')]).toEqual([]);
    expect([...index.scan('a', 'n')]).toEqual(['m']);
  });
});
