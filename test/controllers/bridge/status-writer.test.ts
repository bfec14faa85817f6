import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/api/instance.ts';
import { instanceResource } from '../../../src/api/resources.ts';
import { BridgeMetrics } from '../../../src/controllers/bridge/bridge-metrics.ts';
import { launchedStatus } from '../../../src/controllers/bridge/instance-status.ts';
import { InstanceView } from '../../../src/controllers/bridge/instance-view.ts';
import { StatusWriter } from '../../../src/controllers/bridge/status-writer.ts';
import { newTaskId } from '../../../src/controllers/bridge/task-id.ts';
import { realClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { TaskState, TaskStatus } from '../../../src/mesos/types.ts';
import { openInProcessKv } from '../../../src/store/embedded/in-process-kv.ts';
import type { Kv } from '../../../src/store/kv.ts';
import { ObjectStore, type BatchOp } from '../../../src/store/object-store.ts';
import type { StoredObject } from '../../../src/store/object.ts';
import type { WriteResult } from '../../../src/store/object-store.ts';
import { until } from '../../support/until.ts';

/** A real store whose batches wait, each, until the test lets them go. */
class HeldStore extends ObjectStore {
  readonly held: { ops: BatchOp[]; release: () => void }[] = [];

  override async batch(ops: BatchOp[]): Promise<WriteResult<StoredObject>[]> {
    await new Promise<void>((release) => this.held.push({ ops, release }));
    return super.batch(ops);
  }

  /** Instance names of the held batch `i`. */
  names(i: number): string[] {
    return this.held[i]!.ops.map((op) => ('object' in op ? op.object.metadata.name : ''));
  }
}

let kv: Kv;
let store: HeldStore;
let stop: AbortController;
let acked: string[];
let writer: StatusWriter;
const tasks = new Map<string, string>();

beforeEach(async () => {
  kv = await openInProcessKv();
  store = new HeldStore({ kv, prefix: '/status-writer' });
  stop = new AbortController();
  acked = [];
  const view = new InstanceView(store, { clock: realClock, logger: silentLogger }, {});
  writer = new StatusWriter({
    store,
    view,
    clock: realClock,
    logger: silentLogger,
    metrics: new BridgeMetrics(undefined, { offersHeld: () => 0, statusBacklog: () => 0 }),
    signal: stop.signal,
    maxBatch: 2,
    maxFlushes: 2,
    acknowledge: async (status) => {
      acked.push(`${status.task_id.value}:${status.state}`);
    },
    onStale: () => {},
  });
  // Launched instances, written past the held batches (plain creates).
  for (const name of ['a', 'b', 'c', 'd']) {
    const taskId = newTaskId('default', name);
    tasks.set(name, taskId);
    const instance: Instance = {
      apiVersion: 'meseta.io/v1',
      kind: 'Instance',
      metadata: { name, namespace: 'default', generation: 1 },
      spec: { app: 'web', revision: 1, goal: 'running', agentId: 'agent-1' },
    };
    instance.status = launchedStatus(
      instance,
      { taskId, agentId: 'agent-1', hostname: 'h', ports: [] },
      Date.now(),
    );
    await ObjectStore.prototype.create.call(store, instanceResource, instance);
  }
});

afterEach(async () => {
  stop.abort();
  for (const h of store.held) h.release();
  await kv.close();
});

function update(name: string, state: TaskState): TaskStatus {
  return { task_id: { value: tasks.get(name)! }, state, uuid: 'dXVpZA==' };
}

async function stateOf(name: string): Promise<string | undefined> {
  const got = await ObjectStore.prototype.get.call(store, instanceResource, {
    namespace: 'default',
    name,
  });
  return (got as Instance | undefined)?.status?.state;
}

describe('StatusWriter', () => {
  it('writes two batches at once, but never two writes of one instance at once', async () => {
    writer.push(update('a', 'TASK_STARTING'));
    writer.push(update('b', 'TASK_STARTING'));
    // Both slots taken: these wait for one to free up.
    writer.push(update('c', 'TASK_STARTING'));
    writer.push(update('d', 'TASK_STARTING'));
    writer.push(update('a', 'TASK_RUNNING'));
    await until(() => store.held.length === 2, { what: 'two batches in flight' });
    expect([store.names(0), store.names(1)].sort()).toEqual([['a'], ['b']]);
    const first = store.names(0)[0] === 'a' ? 0 : 1;
    expect(writer.backlog).toBe(5);

    // b's batch lands first: acknowledged without waiting for a's. The freed slot takes c and d
    // and leaves a's RUNNING queued, because a's STARTING is still being written.
    store.held[1 - first]!.release();
    await until(() => store.held.length === 3, { what: 'the next batch' });
    expect(acked).toEqual([`${tasks.get('b')}:TASK_STARTING`]);
    expect(store.names(2)).toEqual(['c', 'd']);
    expect(await stateOf('a')).toBe('TASK_STAGING');

    // a's STARTING written: only now does its RUNNING go out.
    store.held[first]!.release();
    await until(() => store.held.length === 4, { what: "a's second batch" });
    expect(store.names(3)).toEqual(['a']);
    expect(await stateOf('a')).toBe('TASK_STARTING');
    store.held[2]!.release();
    store.held[3]!.release();
    await until(() => acked.length === 5, { what: 'every update acknowledged' });
    expect(await stateOf('a')).toBe('TASK_RUNNING');
    expect(await stateOf('d')).toBe('TASK_STARTING');
    expect(writer.backlog).toBe(0);
  });

  it("keeps an instance's later updates queued in order behind the one in flight", async () => {
    writer.push(update('a', 'TASK_STARTING'));
    await until(() => store.held.length === 1, { what: "a's first batch" });
    writer.push(update('a', 'TASK_RUNNING'));
    writer.push(update('b', 'TASK_STARTING'));
    writer.push(update('a', 'TASK_FAILED'));
    // b goes out alone; a's two updates wait together for a's first write.
    await until(() => store.held.length === 2, { what: "b's batch" });
    expect(store.names(1)).toEqual(['b']);
    store.held[1]!.release();
    store.held[0]!.release();
    await until(() => store.held.length === 3, { what: "a's second batch" });
    expect(store.names(2)).toEqual(['a']);
    store.held[2]!.release();
    await until(() => acked.length === 4, { what: 'every update acknowledged' });
    // RUNNING then FAILED folded in order: the instance ends failed.
    expect(await stateOf('a')).toBe('TASK_FAILED');
  });
});
