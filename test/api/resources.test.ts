import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appTemplate, templateHash } from '../../src/api/app-revision.ts';
import type { AppRevision } from '../../src/api/app-revision.ts';
import type { Instance } from '../../src/api/instance.ts';
import {
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
  });

  it('never moves an instance to another app or revision', async () => {
    const created = await store.create(instanceResource, instance());
    const moved = { ...created, spec: { ...created.spec, revision: 2 } };
    expect(await problemOf(store.update(instanceResource, moved))).toContain('spec.revision');
    const stopped = { ...created, spec: { ...created.spec, goal: 'decommissioned' as const } };
    expect((await store.update(instanceResource, stopped)).spec.goal).toBe('decommissioned');
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
