import { describe, expect, it } from 'vitest';
import { AgentSlot } from '../../src/placement/agent-slot.ts';
import { ClusterIndex } from '../../src/placement/cluster-index.ts';
import { compileConstraints } from '../../src/placement/constraints.ts';
import { agentObject } from './cluster-fixtures.ts';

function index(): ClusterIndex {
  const agents = [
    agentObject('A1', { attributes: { rack: 'a' }, zone: 'z1' }),
    agentObject('A2', { attributes: { rack: 'a' }, zone: 'z2', offered: [] }),
    agentObject('B1', { attributes: { rack: 'b' }, zone: 'z1', unschedulable: true }),
    agentObject('B2', { attributes: { rack: 'b' }, zone: 'z2' }),
    agentObject('G1', { attributes: { rack: 'a' }, gpus: 1 }),
    agentObject('N1'),
  ];
  return new ClusterIndex(agents.map((agent, i) => new AgentSlot(i, agent)));
}

describe('ClusterIndex', () => {
  it('gives each value an id, and -1 to agents without one', () => {
    const column = index().column('rack');
    expect([...column.ids]).toEqual([0, 0, 1, 1, 0, -1]);
    expect(column.values).toEqual(['a', 'b']);
    expect(column.idOf.get('b')).toBe(1);
  });

  it('filters agents by cordon, GPU rule, static constraints and needed fields, once per filter', () => {
    const cluster = index();
    const written = [
      { field: '@zone', operator: 'LIKE' as const, value: 'z.*' },
      { field: 'rack', operator: 'GROUP_BY' as const },
    ];
    const eligible = cluster.eligible(compileConstraints(written), false);
    expect([...eligible.all]).toEqual([0, 1, 3]);
    expect([...eligible.offered]).toEqual([0, 3]);
    // Another App revision with the same filter shares the list.
    expect(cluster.eligible(compileConstraints(written), false)).toBe(eligible);
    expect([...cluster.eligible([], true).all]).toEqual([4]);
    const unlike = compileConstraints([{ field: 'rack', operator: 'UNLIKE', value: 'a' }]);
    // B2 (rack b) and N1 (no rack at all); B1 is cordoned.
    expect([...cluster.eligible(unlike, false).all]).toEqual([3, 5]);
  });

  it('splits a list by value, and finds the agents holding a value', () => {
    const cluster = index();
    const all = cluster.eligible(
      compileConstraints([{ field: 'rack', operator: 'GROUP_BY' }]),
      false,
    ).all;
    const partition = cluster.partition(all, 'rack');
    expect([...partition].map(([id, agents]) => [id, [...agents]])).toEqual([
      [0, [0, 1]],
      [1, [3]],
    ]);
    expect(cluster.partition(all, 'rack')).toBe(partition);
    expect(cluster.slotsWith('rack', 0)).toEqual([0, 1, 4]);
    expect(cluster.slotsWith('rack', 7)).toEqual([]);
  });
});
