import { describe, expect, it } from 'vitest';
import { groupByBalance, killOrder } from '../../../src/controllers/apps/kill-order.ts';
import { instance, running } from './fixtures.ts';

const names = (list: { metadata: { name: string } }[]) => list.map((i) => i.metadata.name);

describe('killOrder', () => {
  it('stops unreachable, then unlaunched, staging, starting, and running instances last', () => {
    const list = [
      instance('web-1-0', { status: running }),
      instance('web-1-1', { status: { taskId: 't1', state: 'TASK_STARTING' } }),
      instance('web-1-2', { status: { taskId: 't2', state: 'TASK_STAGING' } }),
      instance('web-1-3'),
      instance('web-1-4', { status: { taskId: 't4', state: 'TASK_UNREACHABLE' } }),
    ];
    expect(names(killOrder(list, 'YOUNGEST_FIRST'))).toEqual([
      'web-1-4',
      'web-1-3',
      'web-1-2',
      'web-1-1',
      'web-1-0',
    ]);
  });

  it('orders instances in the same condition by age as killSelection says', () => {
    const list = [
      instance('web-1-0', { status: running, created: '2026-01-01T00:00:00Z' }),
      instance('web-1-1', { status: running, created: '2026-01-03T00:00:00Z' }),
      instance('web-1-2', { status: running, created: '2026-01-02T00:00:00Z' }),
    ];
    expect(names(killOrder(list, 'YOUNGEST_FIRST'))).toEqual(['web-1-1', 'web-1-2', 'web-1-0']);
    expect(names(killOrder(list, 'OLDEST_FIRST'))).toEqual(['web-1-0', 'web-1-2', 'web-1-1']);
  });

  it('breaks ties of age by ordinal as numbers, so web-1-10 is younger than web-1-9', () => {
    const list = ['web-1-9', 'web-1-10', 'web-1-2'].map((n) => instance(n, { status: running }));
    expect(names(killOrder(list, 'YOUNGEST_FIRST'))).toEqual(['web-1-10', 'web-1-9', 'web-1-2']);
    expect(names(killOrder(list, 'OLDEST_FIRST'))).toEqual(['web-1-2', 'web-1-9', 'web-1-10']);
  });

  it('does not modify its input', () => {
    const list = [instance('a', { status: running }), instance('b')];
    killOrder(list, 'YOUNGEST_FIRST');
    expect(names(list)).toEqual(['a', 'b']);
  });
});

describe('killOrder with GROUP_BY balance', () => {
  const rackOf: Record<string, string> = { A1: 'a', A2: 'a', B1: 'b', C1: 'c' };
  const agents = (id: string) =>
    rackOf[id]
      ? {
          hostname: id,
          attributes: [{ name: 'rack', type: 'TEXT' as const, text: { value: rackOf[id] } }],
        }
      : undefined;
  const balance = groupByBalance([{ field: 'rack', operator: 'GROUP_BY' }], agents)!;
  const on = (name: string, agentId: string, created = '2026-01-01T00:00:00Z') =>
    instance(name, { status: { ...running, agentId }, created });

  it('stops instances from the value with the most first, then by killSelection', () => {
    const list = [
      on('web-1-0', 'A1'),
      on('web-1-1', 'A2'),
      on('web-1-2', 'A1'),
      on('web-1-3', 'B1'),
      on('web-1-4', 'C1'),
    ];
    // Rack a has 3, b and c one each: two from a restore the balance, then youngest first.
    expect(names(killOrder(list, 'YOUNGEST_FIRST', balance))).toEqual([
      'web-1-2',
      'web-1-1',
      'web-1-4',
      'web-1-3',
      'web-1-0',
    ]);
  });

  it('keeps every prefix as balanced as it can be', () => {
    // 30 instances: 18 on rack a, 4 on b, 8 on c.
    const rackAt = (i: number) => (i % 7 < 4 ? 'A1' : i % 7 === 4 ? 'B1' : 'C1');
    const list = Array.from({ length: 30 }, (_, i) => on(`web-1-${i}`, rackAt(i)));
    const order = killOrder(list, 'OLDEST_FIRST', balance);
    const left = new Map<string, number>();
    for (const i of list) {
      const rack = rackOf[i.status!.agentId!]!;
      left.set(rack, (left.get(rack) ?? 0) + 1);
    }
    const spread = () => Math.max(...left.values()) - Math.min(...left.values());
    let balancedOnce = false;
    let steps = 0;
    for (const stopped of order) {
      const rack = rackOf[stopped.status!.agentId!]!;
      // Until balanced, every stop is from a rack with the most; after, it stays within one.
      if (!balancedOnce) expect(left.get(rack)).toBe(Math.max(...left.values()));
      left.set(rack, left.get(rack)! - 1);
      steps++;
      if (balancedOnce) expect(spread()).toBeLessThanOrEqual(1);
      else if (spread() <= 1) balancedOnce = true;
    }
    expect(balancedOnce).toBe(true);
    expect(steps).toBe(30);
    expect(order).toHaveLength(30);
    expect(new Set(order).size).toBe(30);
  });

  it('lets instances without a value go by condition and age, and is the base order without GROUP_BY', () => {
    const list = [
      on('web-1-0', 'A1'),
      on('web-1-1', 'A2'),
      instance('web-1-2'),
      on('web-1-3', 'B1'),
    ];
    expect(names(killOrder(list, 'YOUNGEST_FIRST', balance))).toEqual([
      'web-1-2',
      'web-1-1',
      'web-1-3',
      'web-1-0',
    ]);
    expect(groupByBalance([{ field: 'rack', operator: 'UNIQUE' }], agents)).toBeUndefined();
    expect(names(killOrder(list, 'YOUNGEST_FIRST'))).toEqual([
      'web-1-2',
      'web-1-3',
      'web-1-1',
      'web-1-0',
    ]);
  });

  it('orders 100,000 instances over 10,000 values quickly', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => on(`web-1-${i}`, `S${i % 10_000}`));
    const hosts = groupByBalance([{ field: 'hostname', operator: 'GROUP_BY' }], (id) => ({
      hostname: id,
    }))!;
    const order = killOrder(many, 'YOUNGEST_FIRST', hosts);
    expect(order).toHaveLength(100_000);
    // The first 10,000 to go are one per host.
    expect(new Set(order.slice(0, 10_000).map((i) => i.status!.agentId)).size).toBe(10_000);
  });
});
