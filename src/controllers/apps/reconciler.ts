/**
 * The apps reconciler: for one App key (`namespace/name`), reads the App, its AppRevisions and
 * its Instances from informer caches (instances by app through an index, so a pass costs the
 * App's own instances, not all of them), decides with `planApp` / `planTeardown`, writes the
 * decisions in batches of compare-and-swap operations, records Events (without waiting for
 * them), and writes the App's status when it changed — in the same transaction as the
 * decisions, so that a pass costs one write to the store.
 *
 * Deletion: the App carries the finalizer `meseta.io/instances` from its first reconcile. Once
 * it is marked deleted, every instance is stopped and removed, then its revisions, then the
 * finalizer goes and the store removes the App. Instances and revisions whose App is gone (or
 * is another App of the same name: the owner uid differs) are torn down the same way.
 */
import type { AppRevision } from '../../api/app-revision.ts';
import type { Instance } from '../../api/instance.ts';
import {
  appResource,
  appRevisionResource,
  instanceResource,
  type StoredApp,
} from '../../api/resources.ts';
import { ValidationError } from '../../errors.ts';
import type { Clock } from '../../clock.ts';
import type { Result, Reconciler } from '../../runtime/controller.ts';
import { TerminalError } from '../../runtime/controller.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { objectKey, type Informer } from '../../runtime/informer.ts';
import { jsonEqual } from '../../store/deep-equal.ts';
import { BatchFailedError, type BatchOp, type ObjectStore } from '../../store/object-store.ts';
import { groupByBalance } from './kill-order.ts';
import { planApp, planTeardown, type AppPlan, type PlanOptions } from './plan.ts';
import type { AgentFacts } from '../../placement/fields.ts';
import { OwnWrites } from '../../runtime/own-writes.ts';
import { appStatus, setCondition } from './status.ts';
import type { LaunchQueue } from './launch-queue.ts';

export const INSTANCES_FINALIZER = 'meseta.io/instances';

/** Informer index of Instances and AppRevisions by `namespace/app`. */
export const BY_APP = 'app';

export function appKeyOf(object: Instance | AppRevision): string {
  return `${object.metadata.namespace}/${object.spec.app}`;
}

export interface AppsReconcilerOptions extends PlanOptions {
  store: ObjectStore;
  apps: Informer<StoredApp>;
  revisions: Informer<AppRevision>;
  instances: Informer<Instance>;
  /** Where an agent is (for GROUP_BY balance on scale-down); absent: base kill order only. */
  agentOf?: (agentId: string) => AgentFacts | undefined;
  clock: Clock;
  recorder?: EventRecorder;
  /** Paces creation; absent: every missing instance is created at once (in passes). */
  launchQueue?: LaunchQueue;
}

/** How often to look again while the caches do not show this controller's own writes yet. */
const CATCH_UP_MS = 1000;

/** Writes per pass at most (about 40 transactions); the next pass does the rest. */
const MAX_WRITES = 5000;

export class AppsReconciler implements Reconciler<string> {
  private readonly ownWrites: OwnWrites;

  constructor(private readonly options: AppsReconcilerOptions) {
    this.ownWrites = new OwnWrites(options.clock, 10 * CATCH_UP_MS);
  }

  async reconcile(key: string): Promise<Result | void> {
    const { apps, revisions, instances } = this.options;
    // The events of our last writes will enqueue the key again once the caches have them.
    if (!this.ownWrites.seen(key)) return { requeueAfter: CATCH_UP_MS };
    const app = apps.get(key);
    const allRevisions = revisions.byIndex(BY_APP, key);
    const allInstances = instances.byIndex(BY_APP, key);
    if (!app || app.metadata.deletionTimestamp) {
      return this.teardown(key, app, allRevisions, allInstances);
    }
    const uid = app.metadata.uid;
    const [ownRevisions, strayRevisions] = partitionByOwner(allRevisions, uid);
    const [ownInstances, strayInstances] = partitionByOwner(allInstances, uid);
    let more = false;
    if (strayRevisions.length + strayInstances.length > 0) {
      // Its own write: a stray may hold a name the plan creates again once it is gone.
      more = await this.write(key, teardownOps(strayRevisions, strayInstances));
    }
    const agentOf = this.options.agentOf;
    const balance = agentOf && groupByBalance(app.spec.constraints, agentOf);
    const planned = planApp(app, ownRevisions, ownInstances, this.options, balance);
    const { plan, queued } = this.admit(key, planned);
    // One transaction per pass (of up to 128 writes): the App's finalizer or its status rides
    // with the plan's writes. Both are writes to the App, and a transaction writes a key once:
    // while the finalizer is added, the status waits for the next pass, which the events of
    // this pass's writes bring.
    const ops = planOps(plan);
    const finalizers = app.metadata.finalizers ?? [];
    if (!finalizers.includes(INSTANCES_FINALIZER)) {
      const withFinalizer = {
        ...app,
        metadata: { ...app.metadata, finalizers: [...finalizers, INSTANCES_FINALIZER] },
      };
      ops.unshift({ op: 'update', type: appResource, object: withFinalizer });
    } else if (ops.length < MAX_WRITES) {
      const now = new Date(this.options.clock.now());
      const after = afterPlan(ownInstances, plan);
      const status = appStatus(app, after, plan.targetRevision, now, { queued });
      if (!jsonEqual(app.status, status)) {
        ops.push({ op: 'updateStatus', type: appResource, object: { ...app, status } });
      }
    }
    try {
      more = (await this.write(key, ops)) || more;
    } catch (error) {
      // Creations the failed batch did not commit give their room back.
      const committed = error instanceof BatchFailedError ? error.committed : 0;
      this.options.launchQueue?.abandoned(createdKeys(ops.slice(committed)));
      throw error;
    }
    this.announce(app, plan);
    // More to create than one pass makes: come back without waiting for a change. An App
    // queued for room is woken by the launch queue instead.
    if (more || (plan.moreToCreate && !queued)) {
      return { requeueAfter: 0 };
    }
  }

  /**
   * The plan cut to what the launch queue lets the App create now; `queued` says whether it
   * waits for room for more.
   */
  private admit(key: string, plan: AppPlan): { plan: AppPlan; queued: boolean } {
    const queue = this.options.launchQueue;
    if (!queue || (plan.createInstances.length === 0 && !queue.isQueued(key))) {
      return { plan, queued: false };
    }
    const allowed = queue.admit(key, plan.createInstances.map(objectKey));
    if (allowed === plan.createInstances.length) return { plan, queued: false };
    const createInstances = plan.createInstances.slice(0, allowed);
    return { plan: { ...plan, createInstances, moreToCreate: true }, queued: true };
  }

  /**
   * Whether a pass for `key` was put off until the caches show its writes, and they now do:
   * the informers' handlers then enqueue the key even for a change they would ignore (the
   * App's status, written by the last pass, is such a change).
   */
  caughtUp(key: string): boolean {
    return this.ownWrites.caughtUp(key);
  }

  async onTerminal(key: string, error: TerminalError): Promise<void> {
    const app = this.options.apps.get(key);
    if (!app || app.metadata.deletionTimestamp) return;
    const now = new Date(this.options.clock.now()).toISOString();
    const conditions = setCondition(
      app.status?.conditions ?? [],
      'Degraded',
      { status: 'True', reason: error.code, message: error.message },
      app.metadata.generation ?? 0,
      now,
    );
    const written = await this.options.store.updateStatus(appResource, {
      ...app,
      status: { ...app.status, conditions },
    });
    this.ownWrites.note(key, this.options.apps, written);
    void this.options.recorder?.warning(app, error.code, error.message);
  }

  private async teardown(
    key: string,
    app: StoredApp | undefined,
    revisions: AppRevision[],
    instances: Instance[],
  ): Promise<Result | void> {
    const { store } = this.options;
    let live = false;
    if (!app && instances.length + revisions.length > 0) {
      // The caches may lag: make sure the App is really gone before stopping its instances.
      const [namespace, name] = splitKey(key);
      const stored = await store.get(appResource, { namespace, name });
      if (stored && !stored.metadata.deletionTimestamp) {
        live = true;
        const uid = stored.metadata.uid;
        revisions = revisions.filter((r) => ownerUid(r) !== uid);
        instances = instances.filter((i) => ownerUid(i) !== uid);
      }
    }
    // A live App whose cache lags keeps its place in the launch queue.
    if (!live) this.options.launchQueue?.forget(key);
    const plan = planTeardown(revisions, instances);
    if (await this.write(key, teardownOps(plan.removeRevisions, instances, plan))) {
      return { requeueAfter: 0 };
    }
    if (app && plan.decommission.length > 0) {
      void this.options.recorder?.normal(
        app,
        'Deleting',
        `stopping ${plan.decommission.length} instances before the app goes`,
      );
    }
    // With no instance left in the cache, this pass removed the revisions too: the App may go.
    if (!app || instances.length > 0) return;
    const finalizers = (app.metadata.finalizers ?? []).filter((f) => f !== INSTANCES_FINALIZER);
    if (finalizers.length === (app.metadata.finalizers ?? []).length) return;
    await store.update(appResource, { ...app, metadata: { ...app.metadata, finalizers } });
    this.ownWrites.forget(key);
  }

  /**
   * Writes `all`, or the first MAX_WRITES of them; says whether some were left for later.
   * Creations left for later give their room in the launch queue back.
   */
  private async write(key: string, all: BatchOp[]): Promise<boolean> {
    if (all.length === 0) return false;
    const ops = all.slice(0, MAX_WRITES);
    if (ops.length < all.length) {
      this.options.launchQueue?.abandoned(createdKeys(all.slice(MAX_WRITES)));
    }
    try {
      const results = await this.options.store.batch(ops);
      results.forEach((result, i) => {
        const type = ops[i]!.type;
        const informer =
          type === instanceResource
            ? this.options.instances
            : type === appResource
              ? this.options.apps
              : this.options.revisions;
        this.ownWrites.note(key, informer, result.object, result.gone);
      });
    } catch (error) {
      // The store holds only admitted objects: an object it refuses is a bug, not a race.
      if (error instanceof ValidationError) throw new TerminalError('InvalidObject', error.message);
      if (error instanceof Error && error.cause instanceof ValidationError) {
        throw new TerminalError('InvalidObject', error.message);
      }
      throw error;
    }
    return ops.length < all.length;
  }

  /**
   * Records what the pass did. Not awaited: the recorder orders and coalesces the writes of
   * each Event on its own and never throws, and a pass must not wait for its Events.
   */
  private announce(app: StoredApp, plan: AppPlan): void {
    const recorder = this.options.recorder;
    if (!recorder) return;
    if (plan.createRevision) {
      void recorder.normal(app, 'RevisionCreated', `created revision ${plan.targetRevision}`);
    }
    if (plan.createInstances.length > 0) {
      void recorder.normal(
        app,
        'InstancesCreated',
        `created ${plan.createInstances.length} instances of revision ${plan.targetRevision}`,
      );
    }
    if (plan.decommission.length > 0) {
      void recorder.normal(app, 'InstancesStopping', `stopping ${names(plan.decommission)}`);
    }
    if (plan.remove.length > 0) {
      void recorder.normal(app, 'InstancesRemoved', `removed ${names(plan.remove)}`);
    }
  }
}

/** The keys of the objects `ops` create. */
function createdKeys(ops: readonly BatchOp[]): string[] {
  return ops.flatMap((op) => (op.op === 'create' ? [objectKey(op.object)] : []));
}

function planOps(plan: AppPlan): BatchOp[] {
  const ops: BatchOp[] = [];
  if (plan.createRevision) {
    ops.push({ op: 'create', type: appRevisionResource, object: plan.createRevision });
  }
  for (const object of plan.createInstances) {
    ops.push({ op: 'create', type: instanceResource, object });
  }
  for (const instance of plan.decommission) ops.push(decommissionOp(instance));
  for (const instance of plan.remove) ops.push(deleteOp(instanceResource, instance));
  for (const revision of plan.pruneRevisions) ops.push(deleteOp(appRevisionResource, revision));
  return ops;
}

function teardownOps(
  revisions: AppRevision[],
  instances: Instance[],
  plan = planTeardown(revisions, instances),
): BatchOp[] {
  return [
    ...plan.decommission.map(decommissionOp),
    ...plan.remove.map((i) => deleteOp(instanceResource, i)),
    ...plan.removeRevisions.map((r) => deleteOp(appRevisionResource, r)),
  ];
}

function decommissionOp(instance: Instance): BatchOp {
  return {
    op: 'update',
    type: instanceResource,
    object: { ...instance, spec: { ...instance.spec, goal: 'decommissioned' } },
  };
}

function deleteOp(
  type: typeof instanceResource | typeof appRevisionResource,
  object: Instance | AppRevision,
): BatchOp {
  return {
    op: 'delete',
    type,
    ref: { namespace: object.metadata.namespace!, name: object.metadata.name },
    resourceVersion: object.metadata.resourceVersion!,
  };
}

/** The App's instances as they will be once `plan` is written. */
function afterPlan(instances: Instance[], plan: AppPlan): Instance[] {
  if (plan.remove.length === 0 && plan.decommission.length === 0) {
    return plan.createInstances.length > 0 ? [...instances, ...plan.createInstances] : instances;
  }
  const removed = new Set(plan.remove.map((i) => i.metadata.name));
  const stopping = new Set(plan.decommission.map((i) => i.metadata.name));
  const after = instances
    .filter((i) => !removed.has(i.metadata.name))
    .map((i) =>
      stopping.has(i.metadata.name)
        ? { ...i, spec: { ...i.spec, goal: 'decommissioned' as const } }
        : i,
    );
  return [...after, ...plan.createInstances];
}

function ownerUid(object: Instance | AppRevision): string | undefined {
  for (const owner of object.metadata.ownerReferences ?? []) {
    if (owner.kind === 'App' && owner.controller) return owner.uid;
  }
  return undefined;
}

/** [owned by the App with `uid`, owned by another or none]: one pass, for the hot path. */
function partitionByOwner<T extends Instance | AppRevision>(
  objects: T[],
  uid: string | undefined,
): [T[], T[]] {
  const owned: T[] = [];
  const strays: T[] = [];
  for (const object of objects) (ownerUid(object) === uid ? owned : strays).push(object);
  return [owned, strays];
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

function names(instances: Instance[]): string {
  const shown = instances.slice(0, 5).map((i) => i.metadata.name);
  const more = instances.length > 5 ? ` and ${instances.length - 5} more` : '';
  return `${shown.join(', ')}${more}`;
}
