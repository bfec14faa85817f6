import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appTemplate, templateHash } from '../../src/api/app-revision.ts';
import type { AppRevision } from '../../src/api/app-revision.ts';
import { agentObjectName, type Agent } from '../../src/api/agent.ts';
import { awaitsLaunch, needsPlacement } from '../../src/api/instance.ts';
import type { Instance } from '../../src/api/instance.ts';
import {
  agentResource,
  appResource,
  appRevisionResource,
  eventResource,
  instanceResource,
} from '../../src/api/resources.ts';
import { ValidationError } from '../../src/errors.ts';
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { app } from '../controllers/apps/fixtures.ts';

let kv: Kv;
let store: ObjectStore;

beforeEach(async () => {
  kv = await openInProcessKv();
  store = new ObjectStore({ kv });
});

afterEach(async () => {
  await kv.close();
});

async function problemOf(write: Promise<unknown>): Promise<string> {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).format();
}

const revision = (): AppRevision => {
  const template = appTemplate(app('web').spec);
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'AppRevision',
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { app: 'web', revision: 1, templateHash: templateHash(template), template },
  };
};

const instance = (): Instance => ({
  apiVersion: 'meseta.io/v1',
  kind: 'Instance',
  metadata: { name: 'web-1-0', namespace: 'default' },
  spec: { app: 'web', revision: 1, goal: 'running' },
});

describe('appResource', () => {
  it('validates and defaults Apps, and keeps the finalizers and owners the controllers manage', async () => {
    const created = await store.create(appResource, {
      apiVersion: 'meseta.io/v1',
      kind: 'App',
      metadata: { name: 'web', namespace: 'default', finalizers: ['meseta.io/instances'] },
      spec: { cmd: 'run' },
    } as never);
    expect(created.spec.mem).toBe(128);
    expect(created.metadata.finalizers).toEqual(['meseta.io/instances']);
    expect(
      await problemOf(
        store.update(appResource, { ...created, spec: { ...created.spec, mem: -1 } }),
      ),
    ).toContain('spec.mem');
    const badFinalizer = { ...created, metadata: { ...created.metadata, finalizers: [''] } };
    expect(await problemOf(store.update(appResource, badFinalizer))).toContain(
      'metadata.finalizers',
    );
  });

  it('checks only the status on a status write, and keeps the stored spec', async () => {
    const created = await store.create(appResource, app('web'));
    const written = await store.updateStatus(appResource, {
      ...created,
      // Neither an invalid spec nor a changed one reaches the store through a status write.
      spec: { ...created.spec, mem: -1 },
      status: { observedGeneration: 1, instances: 3, running: 2 },
    });
    expect(written.status?.running).toBe(2);
    expect(written.spec.mem).toBe(created.spec.mem);
    expect(written.metadata.generation).toBe(created.metadata.generation);
    expect(
      await problemOf(
        store.updateStatus(appResource, {
          ...written,
          status: { ...written.status, running: 'two' as never },
        }),
      ),
    ).toContain('status.running');
    expect(
      await problemOf(
        store.updateStatus(appResource, {
          ...written,
          status: { ...written.status, runing: 1 } as never,
        }),
      ),
    ).toContain('status.runing');
  });
});

describe('appRevisionResource', () => {
  it('refuses a change to a stored revision', async () => {
    const created = await store.create(appRevisionResource, revision());
    const changed = { ...created, spec: { ...created.spec, revision: 2 } };
    expect(await problemOf(store.update(appRevisionResource, changed))).toContain('never changes');
    const labelled = { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } };
    expect((await store.update(appRevisionResource, labelled)).metadata.labels).toEqual({ a: 'b' });
  });

  it('names the bad field of an invalid revision', async () => {
    const bad = revision();
    bad.spec.templateHash = 'nothex';
    expect(await problemOf(store.create(appRevisionResource, bad))).toContain('spec.templateHash');
  });
});

describe('instanceResource', () => {
  it('checks goals and task states against the schema, naming the field', async () => {
    const bad = instance();
    (bad.spec as { goal: string }).goal = 'sleeping';
    expect(await problemOf(store.create(instanceResource, bad))).toBe(
      'spec.goal: Instance: must be one of running, stopped, decommissioned (got "sleeping")',
    );
    const created = await store.create(instanceResource, instance());
    const status = { ...created, status: { state: 'TASK_NAPPING' } } as unknown as Instance;
    expect(await problemOf(store.updateStatus(instanceResource, status))).toContain('status.state');
    const extra = { ...created, spec: { ...created.spec, colour: 'red' } } as Instance;
    expect(await problemOf(store.update(instanceResource, extra))).toContain('spec.colour');
    const unknown = { ...created, status: { state: 'TASK_RUNNING', colour: 'red' } } as Instance;
    expect(await problemOf(store.updateStatus(instanceResource, unknown))).toContain(
      'status.colour',
    );
  });

  it('keeps the stored spec on a status write, whatever the writer sent', async () => {
    const created = await store.create(instanceResource, instance());
    const written = await store.updateStatus(instanceResource, {
      ...created,
      spec: { ...created.spec, revision: 9, colour: 'red' } as Instance['spec'],
      status: { state: 'TASK_RUNNING', taskId: 't1' },
    });
    expect(written.spec).toEqual(created.spec);
    expect(written.status).toEqual({ state: 'TASK_RUNNING', taskId: 't1' });
  });

  it('never moves an instance to another app or revision', async () => {
    const created = await store.create(instanceResource, instance());
    const moved = { ...created, spec: { ...created.spec, revision: 2 } };
    expect(await problemOf(store.update(instanceResource, moved))).toContain('spec.revision');
    const stopped = { ...created, spec: { ...created.spec, goal: 'decommissioned' as const } };
    expect((await store.update(instanceResource, stopped)).spec.goal).toBe('decommissioned');
  });
});

describe('instance binding', () => {
  it('a binding awaits launch until the bridge launches for its generation; a task that ended needs a new one', async () => {
    const created = await store.create(instanceResource, instance());
    expect(needsPlacement(created)).toBe(true);
    expect(awaitsLaunch(created)).toBe(false);

    const boundAt = '2026-01-01T00:00:00.000Z';
    const bound = await store.update(instanceResource, {
      ...created,
      spec: { ...created.spec, agentId: 'S1', boundAt },
    });
    expect(bound.metadata.generation).toBe(2);
    expect([needsPlacement(bound), awaitsLaunch(bound)]).toEqual([false, true]);

    const launched = await store.updateStatus(instanceResource, {
      ...bound,
      status: { observedGeneration: 2, taskId: 't1', state: 'TASK_STAGING', agentId: 'S1' },
    });
    expect([needsPlacement(launched), awaitsLaunch(launched)]).toEqual([false, false]);

    const failed = await store.updateStatus(instanceResource, {
      ...launched,
      status: { ...launched.status, state: 'TASK_FAILED' },
    });
    expect([needsPlacement(failed), awaitsLaunch(failed)]).toEqual([true, false]);

    // Bound again to the same agent: boundAt moves, so the generation does too.
    const rebound = await store.update(instanceResource, {
      ...failed,
      spec: { ...failed.spec, boundAt: '2026-01-01T00:01:00.000Z' },
    });
    expect(rebound.metadata.generation).toBe(3);
    expect([needsPlacement(rebound), awaitsLaunch(rebound)]).toEqual([false, true]);

    const stopped = { ...rebound, spec: { ...rebound.spec, goal: 'stopped' as const } };
    expect([needsPlacement(stopped), awaitsLaunch(stopped)]).toEqual([false, false]);
  });
});

describe('agentResource', () => {
  const agent = (): Agent => ({
    apiVersion: 'meseta.io/v1',
    kind: 'Agent',
    metadata: { name: agentObjectName('B5C0-S3') },
    status: {
      agentId: 'B5C0-S3',
      hostname: 'agent-3.rack-a',
      state: 'Active',
      attributes: [
        { name: 'rack', type: 'TEXT', text: { value: 'rack-a' } },
        { name: 'level', type: 'SCALAR', scalar: { value: 2 } },
      ],
      domain: { region: 'eu', zone: 'eu-1' },
      offered: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, reservations: [] },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '31000', end: '32000' }] } },
      ],
      offeredAt: '2026-01-01T00:00:00.000Z',
    },
  });

  it('is named after the Mesos agent id, lowercased, or hashed when that is not enough', () => {
    expect(agentObjectName('B5C0-S3')).toBe('b5c0-s3');
    expect(agentObjectName('agent_1')).toMatch(/^agent-1-[0-9a-f]{8}$/);
    expect(agentObjectName('__')).toMatch(/^agent-[0-9a-f]{8}$/);
    expect(agentObjectName('agent_1')).not.toBe(agentObjectName('agent-1'));
  });

  it('is cluster-scoped and keeps Mesos resources whole, reservations and all', async () => {
    const created = await store.create(agentResource, agent());
    expect(created.metadata.namespace).toBeUndefined();
    expect(created.status?.offered?.[0]).toEqual({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 4 },
      reservations: [],
    });
    const namespaced = { ...agent(), metadata: { name: 'x', namespace: 'default' } };
    expect(await problemOf(store.create(agentResource, namespaced))).toContain(
      'metadata.namespace',
    );
  });

  it('names the bad field of an invalid agent', async () => {
    const bad = agent();
    bad.status!.attributes = [{ name: 'rack', type: 'WORD' as 'TEXT' }];
    bad.status!.state = 'Sleeping' as 'Active';
    const text = await problemOf(store.create(agentResource, bad));
    expect(text).toContain('status.attributes[0].type');
    expect(text).toContain('status.state');
  });
});

describe('eventResource', () => {
  it('requires a CamelCase reason and a positive count', async () => {
    const event = {
      apiVersion: 'meseta.io/v1' as const,
      kind: 'Event' as const,
      metadata: { name: 'web.1', namespace: 'default' },
      involvedObject: { apiVersion: 'meseta.io/v1', kind: 'App', name: 'web' },
      type: 'Normal' as const,
      reason: 'not camel',
      message: 'm',
      count: 0,
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:00:00Z',
    };
    const text = await problemOf(store.create(eventResource, event));
    expect(text).toContain('reason');
    expect(text).toContain('count');
  });
});
