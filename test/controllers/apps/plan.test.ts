import { describe, expect, it } from 'vitest';
import type { AppRevision } from '../../../src/api/app-revision.ts';
import { appTemplate, templateHash } from '../../../src/api/app-revision.ts';
import type { StoredApp } from '../../../src/api/resources.ts';
import {
  creationLimit,
  planApp,
  planRevision,
  planTeardown,
  pruneable,
} from '../../../src/controllers/apps/plan.ts';
import { newInstanceNames } from '../../../src/controllers/apps/instance-names.ts';
import { app, instance, running, stored } from './fixtures.ts';

function revisionOf(object: StoredApp, number: number): AppRevision {
  const template = appTemplate(object.spec);
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'AppRevision',
    metadata: { name: `web-${number}`, namespace: 'default', resourceVersion: '3' },
    spec: { app: 'web', revision: number, templateHash: templateHash(template), template },
  };
}

const names = (list: { metadata: { name: string } }[]) => list.map((i) => i.metadata.name);

describe('planRevision', () => {
  it('makes revision 1 for a new App, owned by it', () => {
    const web = stored(app('web', { instances: 3 }));
    const { target, create } = planRevision(web, []);
    expect(target).toBe(1);
    expect(create?.metadata.name).toBe('web-1');
    expect(create?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'App', uid: 'uid-1' });
    expect(create?.spec.template).not.toHaveProperty('instances');
    expect(create?.spec.template).toMatchObject({ cmd: 'sleep 1000', cpus: 1, mem: 128 });
  });

  it('keeps the revision when only fields that do not define tasks change', () => {
    const before = stored(app('web', { instances: 3 }));
    const after = stored(
      app('web', {
        instances: 7,
        killSelection: 'OLDEST_FIRST',
        backoffSeconds: 9,
        backoffFactor: 2,
        maxLaunchDelaySeconds: 30,
        upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
        unreachableStrategy: { disabled: true, inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
        dependencies: ['db'],
      }),
    );
    const result = planRevision(after, [revisionOf(before, 1)]);
    expect(result).toEqual({ target: 1 });
  });

  it('makes the next revision when a task-defining field changes, even back to an old one', () => {
    const v1 = stored(app('web', { cmd: 'v1' }));
    const v2 = stored(app('web', { cmd: 'v2' }));
    expect(planRevision(v2, [revisionOf(v1, 1)]).create?.spec.revision).toBe(2);
    expect(planRevision(v1, [revisionOf(v1, 1), revisionOf(v2, 2)]).target).toBe(3);
    for (const change of [{ mem: 256 }, { env: { A: '1' } }, { labels: { x: 'y' } }]) {
      expect(
        planRevision(stored(app('web', { cmd: 'v1', ...change })), [revisionOf(v1, 1)]).target,
      ).toBe(2);
    }
  });

  it('never reuses the number of a pruned revision', () => {
    const v1 = stored(app('web', { cmd: 'v1' }));
    const next = { ...v1, status: { targetRevision: 12 } };
    expect(planRevision(next, []).target).toBe(13);
  });
});

describe('planApp', () => {
  const web = stored(app('web', { instances: 3 }));
  const rev1 = revisionOf(web, 1);

  it('creates the missing instances with the lowest free ordinals', () => {
    const plan = planApp(web, [rev1], [instance('web-1-1')]);
    expect(plan.createRevision).toBeUndefined();
    expect(names(plan.createInstances)).toEqual(['web-1-0', 'web-1-2']);
    expect(plan.createInstances[0]!.spec).toEqual({ app: 'web', revision: 1, goal: 'running' });
    expect(plan.decommission).toEqual([]);
  });

  it('creates a tenth of a large App per pass (500 to 5,000) and says more are missing', () => {
    expect([10, 20_000, 100_000].map((n) => creationLimit(n))).toEqual([500, 2000, 5000]);
    const big = stored(app('web', { instances: 20_000 }));
    const plan = planApp(big, [revisionOf(big, 1)], []);
    expect(plan.createInstances).toHaveLength(2000);
    expect(plan.moreToCreate).toBe(true);
    expect(planApp(web, [rev1], []).moreToCreate).toBe(false);
  });

  it('creates at most maxCreates instances in one pass', () => {
    const big = stored(app('web', { instances: 1000 }));
    expect(
      planApp(big, [revisionOf(big, 1)], [], { maxCreates: 100 }).createInstances,
    ).toHaveLength(100);
  });

  it('on scale-down stops the surplus in kill order; unlaunched ones are deleted at once', () => {
    const list = [
      instance('web-1-0', { status: running }),
      instance('web-1-1', { status: running, created: '2026-01-02T00:00:00Z' }),
      instance('web-1-2', { status: { taskId: 't', state: 'TASK_STAGING' } }),
      instance('web-1-3'),
      instance('web-1-4', { status: running }),
    ];
    const plan = planApp(stored(app('web', { instances: 2 })), [rev1], list);
    expect(plan.createInstances).toEqual([]);
    expect(names(plan.remove)).toEqual(['web-1-3']);
    expect(names(plan.decommission)).toEqual(['web-1-2', 'web-1-1']);
  });

  it('removes decommissioned instances once no task is alive, and not before', () => {
    const list = [
      instance('web-1-0', { status: running }),
      instance('web-1-1', { status: running }),
      instance('web-1-2', { status: running }),
      instance('web-1-3', {
        goal: 'decommissioned',
        status: { taskId: 't', state: 'TASK_KILLED' },
      }),
      instance('web-1-4', {
        goal: 'decommissioned',
        status: { taskId: 't', state: 'TASK_KILLING' },
      }),
      instance('web-1-5', {
        goal: 'decommissioned',
        status: { taskId: 't', state: 'TASK_UNREACHABLE' },
      }),
    ];
    const plan = planApp(web, [rev1], list);
    expect(names(plan.remove)).toEqual(['web-1-3']);
    expect(plan.decommission).toEqual([]);
    expect(plan.createInstances).toEqual([]);
  });

  it('on a new revision creates its instances beside the old and retires the old once all new run healthy', () => {
    const v2 = stored(app('web', { instances: 2, cmd: 'v2' }));
    const old = [
      instance('web-1-0', { status: running }),
      instance('web-1-1', { status: running }),
    ];
    const first = planApp(v2, [rev1], old);
    expect(first.targetRevision).toBe(2);
    expect(first.createRevision?.metadata.name).toBe('web-2');
    expect(names(first.createInstances)).toEqual(['web-2-0', 'web-2-1']);
    expect(first.decommission).toEqual([]);

    const rev2 = revisionOf(v2, 2);
    const starting = [
      ...old,
      instance('web-2-0', { revision: 2, status: running }),
      instance('web-2-1', { revision: 2 }),
    ];
    expect(planApp(v2, [rev1, rev2], starting).decommission).toEqual([]);

    const unhealthy = { ...running, healthy: false };
    const sick = [
      ...old,
      instance('web-2-0', { revision: 2, status: running }),
      instance('web-2-1', { revision: 2, status: unhealthy }),
    ];
    expect(planApp(v2, [rev1, rev2], sick).decommission).toEqual([]);

    const ready = [
      ...old,
      instance('web-2-0', { revision: 2, status: running }),
      instance('web-2-1', { revision: 2, status: running }),
    ];
    expect(names(planApp(v2, [rev1, rev2], ready).decommission).sort()).toEqual([
      'web-1-0',
      'web-1-1',
    ]);
    expect(planApp(v2, [rev1, rev2], ready, { retireOldRevisions: false }).decommission).toEqual(
      [],
    );
  });

  it('prunes revisions beyond the history limit that no instance uses', () => {
    const revisions = [1, 2, 3, 4, 5].map((n) =>
      revisionOf(stored(app('web', { cmd: `v${n}` })), n),
    );
    expect(pruneable(revisions, 5, new Set([1]), 2).map((r) => r.spec.revision)).toEqual([2]);
    expect(pruneable(revisions, 5, new Set(), 10)).toEqual([]);
    expect(pruneable(revisions, 5, new Set(), 0).map((r) => r.spec.revision)).toEqual([4, 3, 2, 1]);
  });
});

describe('planTeardown', () => {
  it('stops live instances, deletes the rest, and the revisions only once no instance is left', () => {
    const rev = revisionOf(stored(app('web')), 1);
    const list = [
      instance('web-1-0', { status: running }),
      instance('web-1-1'),
      instance('web-1-2', {
        goal: 'decommissioned',
        status: { taskId: 't', state: 'TASK_FINISHED' },
      }),
      instance('web-1-3', { goal: 'decommissioned', status: running }),
    ];
    const plan = planTeardown([rev], list);
    expect(names(plan.decommission)).toEqual(['web-1-0']);
    expect(names(plan.remove)).toEqual(['web-1-1', 'web-1-2']);
    expect(plan.removeRevisions).toEqual([]);
    expect(planTeardown([rev], []).removeRevisions).toEqual([rev]);
  });
});

describe('newInstanceNames', () => {
  it('takes the lowest ordinals not in use, and cuts long App names keeping them unique', () => {
    expect(newInstanceNames('web', 3, 3, new Set(['web-3-0', 'web-3-2']))).toEqual([
      'web-3-1',
      'web-3-3',
      'web-3-4',
    ]);
    const long = 'a'.repeat(253);
    const [name] = newInstanceNames(long, 1, 1, new Set());
    expect(name!.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^a+-[0-9a-f]{8}-1-0$/);
    expect(newInstanceNames(`${'a'.repeat(252)}b`, 1, 1, new Set())[0]).not.toBe(name);
  });
});
