import { describe, expect, it } from 'vitest';
import {
  addTo,
  contains,
  describePool,
  poolFromResources,
  poolToResources,
  subtractFrom,
  type Pool,
} from '../../src/sim/resources.ts';

const pool = (cpus: number, ports: [number, number][]): Pool => ({
  scalars: { cpus },
  ranges: { ports },
  sets: {},
});

describe('resource pools', () => {
  it('adds and subtracts scalars without drift and ranges by interval', () => {
    const a = pool(1, [[31000, 31010]]);
    subtractFrom(a, pool(0.1, [[31003, 31004]]));
    expect(a).toEqual({
      scalars: { cpus: 0.9 },
      ranges: {
        ports: [
          [31000, 31002],
          [31005, 31010],
        ],
      },
      sets: {},
    });
    for (let i = 0; i < 9; i++) subtractFrom(a, pool(0.1, []));
    expect(a.scalars.cpus).toBeUndefined();
    addTo(a, pool(0.3, [[31003, 31004]]));
    expect(a.ranges.ports).toEqual([[31000, 31010]]);
    expect(a.scalars.cpus).toBe(0.3);
  });

  it('knows whether one pool contains another', () => {
    const agent = pool(2, [[31000, 31010]]);
    expect(contains(agent, pool(2, [[31000, 31000]]))).toBe(true);
    expect(contains(agent, pool(2.001, []))).toBe(false);
    expect(contains(agent, pool(1, [[31010, 31011]]))).toBe(false);
  });

  it('converts to and from Mesos resources', () => {
    const { pool: read, problems } = poolFromResources([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '31000', end: '31001' }] } },
      { name: 'bad', type: 'SCALAR', scalar: { value: -1 } },
    ]);
    expect(problems).toEqual(['Invalid scalar resource bad: -1']);
    expect(poolToResources(read, { legacyRole: false, allocationRole: 'r' })).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 }, allocation_info: { role: 'r' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, allocation_info: { role: 'r' } },
      {
        name: 'ports',
        type: 'RANGES',
        ranges: { range: [{ begin: '31000', end: '31001' }] },
        allocation_info: { role: 'r' },
      },
    ]);
    expect(describePool(read)).toBe('cpus:1.5; mem:128; ports:[31000-31001]');
  });
});
