/**
 * The apps controller's decisions, as pure functions of what the caches hold: which AppRevision
 * is the target (making a new one when the task-defining spec changed), which Instances of it
 * to create or stop so that `spec.instances` of them run, which old-revision instances to
 * retire, which stopped instances to remove, and which old revisions to forget.
 *
 * The contract with the Mesos bridge: an instance whose goal is `decommissioned` is removed once
 * it has no live task (`hasLiveTask`: never had one, or the last state is terminal). The bridge
 * kills the task of every instance whose goal is not `running`, and records a task id and state
 * (by a compare-and-swap on the instance) before it launches, so that removal — also a
 * compare-and-swap — can never lose a task that is being launched.
 */
import type { KillSelection } from '../../api/app-types.ts';
import { appTemplate, templateHash, type AppRevision } from '../../api/app-revision.ts';
import { childName } from '../../api/child-name.ts';
import { hasLiveTask, isHealthy, type Instance } from '../../api/instance.ts';
import type { StoredApp } from '../../api/resources.ts';
import { jsonEqual } from '../../store/deep-equal.ts';
import type { OwnerReference } from '../../store/object.ts';
import { newInstanceNames } from './instance-names.ts';
import { killOrder, type GroupByBalance } from './kill-order.ts';

export interface PlanOptions {
  /** Old revisions kept (besides the target and any still used by an instance). Default 10. */
  revisionHistoryLimit?: number;
  /**
   * At most this many instances created in one pass; the next pass creates more. Default: a
   * tenth of `spec.instances`, at least 500 and at most 5,000, so that filling an App takes
   * about ten passes whatever its size (each pass costs O(the App's instances)).
   */
  maxCreates?: number;
  /**
   * Decommission instances of older revisions once the target revision has all its instances
   * running and healthy. On until the rollout controller owns revision changes.
   */
  retireOldRevisions?: boolean;
}

export interface AppPlan {
  /** The revision instances should run; `createRevision` is set when it does not exist yet. */
  targetRevision: number;
  createRevision?: AppRevision;
  createInstances: Instance[];
  /** More instances are missing than this pass creates. */
  moreToCreate: boolean;
  /** Instances with a live task to set to goal `decommissioned`, in kill order. */
  decommission: Instance[];
  /** Instances to stop that have no live task (decommissioned or chosen now): delete them. */
  remove: Instance[];
  pruneRevisions: AppRevision[];
}

export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
/** How many instances one pass may create for an App of `desired` instances. */
export function creationLimit(desired: number, maxCreates?: number): number {
  return maxCreates ?? Math.min(5000, Math.max(500, Math.ceil(desired / 10)));
}

export function ownerReference(app: StoredApp): OwnerReference {
  return {
    apiVersion: app.apiVersion,
    kind: app.kind,
    name: app.metadata.name,
    uid: app.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The revision to target: the newest if its template is the App's, else a new one. */
export function planRevision(
  app: StoredApp,
  revisions: readonly AppRevision[],
): { target: number; create?: AppRevision } {
  const template = appTemplate(app.spec);
  const hash = templateHash(template);
  let newest: AppRevision | undefined;
  for (const revision of revisions) {
    if (!newest || revision.spec.revision > newest.spec.revision) newest = revision;
  }
  if (newest && newest.spec.templateHash === hash && jsonEqual(newest.spec.template, template)) {
    return { target: newest.spec.revision };
  }
  // Never reuse a number, even of a pruned revision: instances and backoff are keyed by it.
  const number = Math.max(newest?.spec.revision ?? 0, app.status?.targetRevision ?? 0) + 1;
  return {
    target: number,
    create: {
      apiVersion: 'meseta.io/v1',
      kind: 'AppRevision',
      metadata: {
        name: childName(app.metadata.name, number),
        namespace: app.metadata.namespace,
        ownerReferences: [ownerReference(app)],
      },
      spec: { app: app.metadata.name, revision: number, templateHash: hash, template },
    },
  };
}

/** Everything the controller should do for a live (not deleted) App. */
export function planApp(
  app: StoredApp,
  revisions: readonly AppRevision[],
  instances: readonly Instance[],
  options: PlanOptions = {},
  balance?: GroupByBalance,
): AppPlan {
  const { target, create } = planRevision(app, revisions);
  const desired = app.spec.instances;
  const active: Instance[] = [];
  const oldActive: Instance[] = [];
  const remove: Instance[] = [];
  for (const instance of instances) {
    if (instance.spec.goal === 'decommissioned') {
      if (!hasLiveTask(instance)) remove.push(instance);
    } else if (instance.spec.goal === 'running') {
      (instance.spec.revision === target ? active : oldActive).push(instance);
    }
  }

  const missing = Math.max(0, desired - active.length);
  const creating = Math.min(missing, creationLimit(desired, options.maxCreates));
  const taken = creating > 0 ? new Set(instances.map((i) => i.metadata.name)) : new Set<string>();
  const createInstances = newInstanceNames(app.metadata.name, target, creating, taken).map((name) =>
    newInstance(app, target, name),
  );
  const stop =
    active.length > desired
      ? surplus(active, active.length - desired, app.spec.killSelection, balance)
      : [];
  if ((options.retireOldRevisions ?? true) && oldActive.length > 0) {
    const replaced = active.length >= desired && active.every(isHealthy);
    if (replaced) stop.push(...killOrder(oldActive, app.spec.killSelection));
  }
  // An instance without a live task is simply deleted (a compare-and-swap, see above).
  const decommission = stop.filter(hasLiveTask);
  remove.push(...stop.filter((i) => !hasLiveTask(i)));

  const inUse = new Set(instances.map((i) => i.spec.revision));
  const pruneRevisions = pruneable(
    revisions,
    target,
    inUse,
    options.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT,
  );
  return {
    targetRevision: target,
    ...(create ? { createRevision: create } : {}),
    createInstances,
    moreToCreate: missing > creating,
    decommission,
    remove,
    pruneRevisions,
  };
}

/** The `count` instances to stop first (GROUP_BY balance first, when given). */
export function surplus(
  active: readonly Instance[],
  count: number,
  killSelection: KillSelection,
  balance?: GroupByBalance,
): Instance[] {
  return killOrder(active, killSelection, balance).slice(0, count);
}

/** Revisions beyond the history limit: older than the target, used by no instance. */
export function pruneable(
  revisions: readonly AppRevision[],
  target: number,
  inUse: ReadonlySet<number>,
  limit: number,
): AppRevision[] {
  const old = revisions
    .filter((r) => r.spec.revision < target && !inUse.has(r.spec.revision))
    .sort((a, b) => b.spec.revision - a.spec.revision);
  return old.slice(Math.max(0, limit));
}

/** For a deleted (or vanished) App: stop everything, remove what has stopped, then revisions. */
export function planTeardown(
  revisions: readonly AppRevision[],
  instances: readonly Instance[],
): { decommission: Instance[]; remove: Instance[]; removeRevisions: AppRevision[] } {
  const decommission = instances.filter((i) => i.spec.goal !== 'decommissioned' && hasLiveTask(i));
  const remove = instances.filter((i) => !hasLiveTask(i));
  return { decommission, remove, removeRevisions: instances.length === 0 ? [...revisions] : [] };
}

function newInstance(app: StoredApp, revision: number, name: string): Instance {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: {
      name,
      namespace: app.metadata.namespace,
      ownerReferences: [ownerReference(app)],
    },
    spec: { app: app.metadata.name, revision, goal: 'running' },
  };
}
