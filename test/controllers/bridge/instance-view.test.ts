import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Instance } from '../../../src/api/instance.ts';
import { instanceResource } from '../../../src/api/resources.ts';
import { InstanceView } from '../../../src/controllers/bridge/instance-view.ts';
import { realClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { openInProcessKv } from '../../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../../src/store/kv.ts';
import { ObjectStore } from '../../../src/store/object-store.ts';
import { until } from '../../support/until.ts';

let kv: Kv;
let store: ObjectStore;
let stop: AbortController;

beforeEach(async () => {
  kv = await openInProcessKv();
  store = new ObjectStore({ kv, prefix: '/instance-view' });
  stop = new AbortController();
});
afterEach(async () => {
  stop.abort();
  await kv.close();
});

it('knows the tasks it recorded unreachable on an agent before its cache does', async () => {
  const created = await store.create(instanceResource, {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: { name: 'web-1-0', namespace: 'default' },
    spec: { app: 'web', revision: 1, goal: 'running', agentId: 'A' },
  } as Instance);
  const running = await store.updateStatus(instanceResource, {
    ...created,
    status: { taskId: 't1', state: 'TASK_RUNNING', agentId: 'A' },
  });
  const view = new InstanceView(store, { clock: realClock, logger: silentLogger }, {});
  const watching = view.informer.run(stop.signal).catch(() => {});
  await until(() => view.get('default/web-1-0')?.status?.state === 'TASK_RUNNING' || undefined);
  // The cache stops following the store; the bridge records the agent's loss itself.
  stop.abort();
  await watching;
  const away = await store.updateStatus(instanceResource, {
    ...running,
    status: { ...running.status, state: 'TASK_UNREACHABLE' },
  });
  expect(view.awayOn('A')).toEqual([]);
  view.wrote(away);
  expect(view.awayOn('A')).toEqual([{ taskId: 't1', agentId: 'A' }]);
  expect(view.awayOn('B')).toEqual([]);
});
