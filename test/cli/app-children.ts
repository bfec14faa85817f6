/**
 * Seeds a store with what the apps controller and the Mesos bridge would have written for two
 * Apps: AppRevisions, Instances (with task status) and Events, in `default` and `shop`.
 */
import { expect } from 'vitest';
import type { AppRevision } from '../../src/api/app-revision.ts';
import type { Event } from '../../src/api/event.ts';
import type { Instance, InstanceStatus } from '../../src/api/instance.ts';
import {
  appResource,
  appRevisionResource,
  eventResource,
  instanceResource,
} from '../../src/api/resources.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

function revision(namespace: string, app: string, number: number, hash: string): AppRevision {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'AppRevision',
    metadata: { name: `${app}-${number}`, namespace },
    spec: { app, revision: number, templateHash: hash, template: { cmd: 'sleep 1000' } as never },
  };
}

function instance(
  namespace: string,
  app: string,
  rev: number,
  ordinal: number,
  status?: InstanceStatus,
): { instance: Instance; status?: InstanceStatus } {
  return {
    instance: {
      apiVersion: 'meseta.io/v1',
      kind: 'Instance',
      metadata: { name: `${app}-${rev}-${ordinal}`, namespace },
      spec: { app, revision: rev, goal: 'running' },
    },
    ...(status ? { status } : {}),
  };
}

function event(
  namespace: string,
  name: string,
  involved: { kind: string; name: string },
  fields: Pick<Event, 'type' | 'reason' | 'message' | 'count'>,
  lastSecondsAgo: number,
): Event {
  const last = new Date(Date.now() - lastSecondsAgo * 1000).toISOString();
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: { apiVersion: 'meseta.io/v1', ...involved, namespace },
    ...fields,
    firstTimestamp: last,
    lastTimestamp: last,
  };
}

/** Apps `web` (2 revisions, 3 instances) and `db` in default; `cart` in shop. */
export async function seedAppChildren(flags: string[], objects: ObjectStore): Promise<void> {
  const dir = manifestDir({
    'web.yaml': appManifest('web', { instances: 3 }),
    'db.yaml': appManifest('db'),
    'cart.yaml': appManifest('cart', {}, { namespace: 'shop' }),
  });
  expect((await runInProcess(['apply', '-f', dir, ...flags])).code).toBe(0);
  const web = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
  expect(web).toBeDefined();
  for (const r of [
    revision('default', 'web', 1, 'aaaaaaaaaaaaaaaa'),
    revision('default', 'web', 2, 'bbbbbbbbbbbbbbbb'),
    revision('default', 'db', 1, 'cccccccccccccccc'),
    revision('shop', 'cart', 1, 'dddddddddddddddd'),
  ]) {
    await objects.create(appRevisionResource, r);
  }
  for (const { instance: i, status } of [
    instance('default', 'web', 1, 0, {
      taskId: 'web.instance-web-1-0.1',
      state: 'TASK_RUNNING',
      healthy: true,
      agentId: 'agent-a',
      hostname: 'node-a.example',
      ports: [31000, 31001],
    }),
    instance('default', 'web', 2, 0, {
      taskId: 'web.instance-web-2-0.1',
      state: 'TASK_STAGING',
      agentId: 'agent-b',
    }),
    instance('default', 'web', 2, 1),
    instance('default', 'db', 1, 0, {
      taskId: 'db.instance-db-1-0.1',
      state: 'TASK_FAILED',
      healthy: false,
      agentId: 'agent-c',
      hostname: 'node-c.example',
    }),
    instance('shop', 'cart', 1, 0),
  ]) {
    const created = await objects.create(instanceResource, i);
    if (status) await objects.updateStatus(instanceResource, { ...created, status });
  }
  for (const e of [
    event(
      'default',
      'web.scaled',
      { kind: 'App', name: 'web' },
      { type: 'Normal', reason: 'ScalingUp', message: 'created 3 instances', count: 1 },
      300,
    ),
    event(
      'default',
      'web-2-0.failed',
      { kind: 'Instance', name: 'web-2-0' },
      { type: 'Warning', reason: 'TaskFailed', message: 'exited with 1', count: 4 },
      20,
    ),
    event(
      'default',
      'db.scaled',
      { kind: 'App', name: 'db' },
      { type: 'Normal', reason: 'ScalingUp', message: 'created 1 instance', count: 1 },
      100,
    ),
    event(
      'shop',
      'cart.scaled',
      { kind: 'App', name: 'cart' },
      { type: 'Normal', reason: 'ScalingUp', message: 'created 1 instance', count: 1 },
      50,
    ),
  ]) {
    await objects.create(eventResource, e);
  }
}
