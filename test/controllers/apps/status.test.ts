import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/api/app-types.ts';
import { appStatus, setCondition } from '../../../src/controllers/apps/status.ts';
import { app, instance, running, stored } from './fixtures.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');
const byType = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

describe('appStatus', () => {
  it('counts instances and says Progressing ScalingUp while instances are missing', () => {
    const web = stored(app('web', { instances: 3 }));
    const status = appStatus(
      web,
      [
        instance('web-1-0', { status: running }),
        instance('web-1-1', { status: { taskId: 't1', state: 'TASK_STAGING' } }),
      ],
      1,
      t0,
    );
    expect(status).toMatchObject({
      observedGeneration: 1,
      instances: 2,
      staged: 1,
      running: 1,
      healthy: 1,
      ready: 1,
      updated: 2,
      currentRevision: 1,
      targetRevision: 1,
    });
    expect(byType(status.conditions, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ScalingUp',
    });
    expect(byType(status.conditions, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumInstancesUnhealthy',
    });
    expect(byType(status.conditions, 'Degraded')).toMatchObject({
      status: 'False',
      reason: 'AsExpected',
    });
  });

  it('is Complete and Available when every instance runs healthy; unhealthy ones degrade it', () => {
    const web = stored(app('web', { instances: 2 }));
    const all = [
      instance('web-1-0', { status: running }),
      instance('web-1-1', { status: running }),
    ];
    const done = appStatus(web, all, 1, t0);
    expect(byType(done.conditions, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'Complete',
    });
    expect(byType(done.conditions, 'Available')).toMatchObject({ status: 'True' });
    const sick = [all[0]!, instance('web-1-1', { status: { ...running, healthy: false } })];
    const degraded = appStatus({ ...web, status: done }, sick, 1, t1);
    expect(degraded.healthy).toBe(1);
    expect(byType(degraded.conditions, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'InstancesUnhealthy',
    });
    expect(byType(degraded.conditions, 'Available')).toMatchObject({ status: 'False' });
  });

  it('honours minimumHealthCapacity for Available', () => {
    const web = stored(
      app('web', {
        instances: 4,
        upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 1 },
      }),
    );
    const list = [
      instance('a', { status: running }),
      instance('b', { status: running }),
      instance('c'),
      instance('d'),
    ];
    expect(byType(appStatus(web, list, 1, t0).conditions, 'Available')?.status).toBe('True');
  });

  it('keeps currentRevision while older instances remain, then moves it to the target', () => {
    const web = stored(app('web', { instances: 1 }));
    const mixed = [instance('web-1-0', { status: running }), instance('web-2-0', { revision: 2 })];
    const during = appStatus(web, mixed, 2, t0);
    expect(during).toMatchObject({ currentRevision: 1, targetRevision: 2, updated: 1 });
    expect(byType(during.conditions, 'Progressing')?.reason).toBe('RevisionChanged');
    const after = appStatus(
      { ...web, status: during },
      [instance('web-2-0', { revision: 2, status: running })],
      2,
      t1,
    );
    expect(after.currentRevision).toBe(2);
  });

  it('says ScalingDown while stopping instances remain', () => {
    const web = stored(app('web', { instances: 1 }));
    const list = [
      instance('a', { status: running }),
      instance('b', { goal: 'decommissioned', status: running }),
    ];
    expect(byType(appStatus(web, list, 1, t0).conditions, 'Progressing')?.reason).toBe(
      'ScalingDown',
    );
  });
});

describe('setCondition', () => {
  it('moves lastTransitionTime only when the status flips', () => {
    const first = setCondition(
      [],
      'Available',
      { status: 'False', reason: 'A', message: 'a' },
      1,
      't0',
    );
    const same = setCondition(
      first,
      'Available',
      { status: 'False', reason: 'B', message: 'b' },
      2,
      't1',
    );
    expect(same).toEqual([
      {
        type: 'Available',
        status: 'False',
        reason: 'B',
        message: 'b',
        lastTransitionTime: 't0',
        observedGeneration: 2,
      },
    ]);
    const flipped = setCondition(
      same,
      'Available',
      { status: 'True', reason: 'C', message: 'c' },
      2,
      't2',
    );
    expect(flipped[0]!.lastTransitionTime).toBe('t2');
    const other = setCondition(
      flipped,
      'Degraded',
      { status: 'False', reason: 'D', message: 'd' },
      2,
      't3',
    );
    expect(other.map((c) => c.type)).toEqual(['Available', 'Degraded']);
    expect(other[0]).toBe(flipped[0]);
  });
});
