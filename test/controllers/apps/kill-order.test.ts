import { describe, expect, it } from 'vitest';
import { killOrder } from '../../../src/controllers/apps/kill-order.ts';
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
