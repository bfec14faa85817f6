import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseApp } from '../../src/api/app.ts';
import { appResource } from '../../src/api/resources.ts';
import { LAST_APPLIED, lastAppliedKey } from '../../src/apply/apply-plan.ts';
import { labelPruneCandidates } from '../../src/apply/label-prune.ts';
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { parseLabelSelector } from '../../src/store/label-selector.ts';
import { ObjectStore } from '../../src/store/object-store.ts';

let kv: Kv;
let objects: ObjectStore;

beforeAll(async () => {
  kv = await openInProcessKv();
  objects = new ObjectStore({ kv, prefix: '/label-prune' });
  const app = (namespace: string, name: string, labels: object, annotations: object = {}) =>
    objects.create(
      appResource,
      parseApp({
        apiVersion: 'meseta.io/v1',
        kind: 'App',
        metadata: { namespace, name, labels, annotations },
        spec: { cmd: 'sleep 1000' },
      }),
    );
  const applied = { [LAST_APPLIED]: '{}' };
  await app('default', 'kept', { tier: 'web' }, applied);
  await app('default', 'gone', { tier: 'web' }, applied);
  await app('default', 'db', { tier: 'db' }, applied);
  await app('default', 'by-hand', { tier: 'web' });
  await app('default', 'other-manager', { tier: 'web' }, { [lastAppliedKey('ci')]: '{}' });
  await app('shop', 'gone-too', { tier: 'web' }, applied);
  await app('lab', 'elsewhere', { tier: 'web' }, applied);
});

afterAll(() => kv.close());

it('names the matching Apps this manager applied, outside this apply, in its namespaces', async () => {
  const candidates = await labelPruneCandidates(objects, {
    namespaces: ['shop', 'default', 'default'],
    selector: parseLabelSelector('tier=web'),
    applied: new Set(['default/kept']),
    fieldManager: 'meseta',
  });
  expect(candidates).toEqual(['default/gone', 'shop/gone-too']);
  const ci = await labelPruneCandidates(objects, {
    namespaces: ['default'],
    selector: parseLabelSelector('tier'),
    applied: new Set(),
    fieldManager: 'ci',
  });
  expect(ci).toEqual(['default/other-manager']);
});
