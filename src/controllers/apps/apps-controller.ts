/**
 * The apps controller, wired: informers over Apps, AppRevisions and Instances (the last two
 * indexed by App), a work queue of App keys fed by all three, and the AppsReconciler. It
 * keeps the Instances of each App's target revision at `spec.instances`, stops the surplus in
 * kill order, and tears everything down before a deleted App goes (see reconciler.ts).
 *
 * @example
 *   const apps = new AppsController({ store, recorder: new EventRecorder({ store, component: 'apps' }) });
 *   await apps.run(signal); // until signal aborts
 */
import { agentObjectName, type Agent } from '../../api/agent.ts';
import type { AppRevision } from '../../api/app-revision.ts';
import { needsPlacement, wantsTask, type Instance } from '../../api/instance.ts';
import { isTerminal } from '../../mesos/task-states.ts';
import {
  agentResource,
  appResource,
  appRevisionResource,
  instanceResource,
  type StoredApp,
} from '../../api/resources.ts';
import { realClock, type Clock, type Timer } from '../../clock.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { Controller } from '../../runtime/controller.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { Informer, objectKey, runInformed } from '../../runtime/informer.ts';
import type { Gauge, Registry } from '../../runtime/metrics.ts';
import { agentFacts } from '../../placement/fields.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import type { PlanOptions } from './plan.ts';
import { AppsReconciler, appKeyOf, BY_APP } from './reconciler.ts';
import { DEFAULT_LAUNCH_QUEUE_LIMIT, LaunchQueue } from './launch-queue.ts';
import { BY_PLACED, placedIndex } from '../placement/report.ts';

const DEFAULT_WORKERS = 16;
/**
 * An instance change that only moves the App's counts (a task staging, starting, running, its
 * health) waits this long before its pass, so that a burst of them — ten tasks of an App
 * starting together — makes one status write instead of ten (Kubernetes' Job controller
 * batches pod updates the same way). Changes that can alter a decision go at once.
 */
const DEFAULT_STATUS_BATCH_MS = 500;
/** How often the launch queue looks for room no event announced. */
const PUMP_MS = 1000;

export interface AppsControllerOptions extends PlanOptions {
  store: ObjectStore;
  recorder?: EventRecorder;
  /** Passes at once over different Apps. Default: 16. */
  workers?: number;
  clock?: Clock;
  logger?: Logger;
  metrics?: Registry;
  /** Re-reconcile every App this often even without changes. Default: never. */
  resyncMs?: number;
  /** How long an instance change that only moves counts waits for others. Default 500 ms. */
  statusBatchMs?: number;
  /**
   * At most this many instances wait for a task at once, cluster-wide; Apps wanting more
   * wait their turn (see launch-queue.ts). Default 500; `Infinity` turns pacing off.
   */
  launchQueueLimit?: number;
  /**
   * Instances that may wait for a task after a quiet spell, the launch queue's window growing
   * by one per task that starts running up to the limit. Default a quarter of the limit.
   */
  launchQueueFirstWindow?: number;
}

/**
 * Informer index of instances that wait for a task: all under `*`, and those not bound to an
 * agent also by `namespace/app` (what an App no agent fits holds).
 */
const BY_LAUNCH = 'waitsForTask';
const ALL = '*';

function launchIndex(instance: Instance): string[] {
  if (!wantsTask(instance)) return [];
  return needsPlacement(instance) ? [ALL, appKeyOf(instance)] : [ALL];
}

export class AppsController {
  readonly apps: Informer<StoredApp>;
  readonly revisions: Informer<AppRevision>;
  readonly instances: Informer<Instance>;
  /** Where instances run: GROUP_BY balance on scale-down needs each agent's values. */
  readonly agents: Informer<Agent>;
  readonly controller: Controller<string>;
  /** Absent when pacing is off. */
  readonly launchQueue: LaunchQueue | undefined;
  private readonly recorder: EventRecorder | undefined;
  private readonly clock: Clock;
  private readonly queuedGauge: Gauge | undefined;

  constructor(options: AppsControllerOptions) {
    this.recorder = options.recorder;
    const { store } = options;
    const clock = options.clock ?? realClock;
    this.clock = clock;
    const logger = options.logger ?? silentLogger;
    const common = { clock, logger };
    this.apps = new Informer(store, appResource, {
      ...common,
      indexers: { [BY_PLACED]: placedIndex },
      ...(options.resyncMs ? { resyncMs: options.resyncMs } : {}),
    });
    this.revisions = new Informer(store, appRevisionResource, {
      ...common,
      indexers: { [BY_APP]: (r) => [appKeyOf(r)] },
    });
    this.instances = new Informer(store, instanceResource, {
      ...common,
      indexers: {
        [BY_APP]: (i) => [appKeyOf(i)],
        [BY_LAUNCH]: launchIndex,
      },
    });
    this.agents = new Informer(store, agentResource, common);
    const agentOf = (agentId: string) => {
      const agent = this.agents.get(agentObjectName(agentId));
      return agent && agentFacts(agent);
    };
    const limit = options.launchQueueLimit ?? DEFAULT_LAUNCH_QUEUE_LIMIT;
    this.launchQueue =
      limit === Infinity
        ? undefined
        : new LaunchQueue({
            limit,
            ...(options.launchQueueFirstWindow !== undefined
              ? { firstWindow: options.launchQueueFirstWindow }
              : {}),
            waiting: () => this.waitingForTask(),
            wake: (key) => this.controller.enqueue(key),
            clock,
          });
    const reconciler = new AppsReconciler({
      ...options,
      store,
      clock,
      apps: this.apps,
      revisions: this.revisions,
      instances: this.instances,
      agentOf,
      ...(this.launchQueue ? { launchQueue: this.launchQueue } : {}),
    });
    this.controller = new Controller<string>({
      name: 'apps',
      reconciler,
      // A pass is mostly one store round trip: more in flight share etcd's commits and the
      // embedded store's fsyncs (bench/RESULTS.md: all created on etcd in 18 s with 16, 31-36 s
      // with 4-8). The price: instance events coalesce less, about twice the status writes.
      workers: options.workers ?? DEFAULT_WORKERS,
      logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    const enqueue = (key: string) => this.controller.enqueue(key);
    this.apps.addHandlers({
      added: (app) => enqueue(objectKey(app)),
      modified: (old, app) => {
        const key = objectKey(app);
        if (appChangeMatters(old, app) || reconciler.caughtUp(key)) enqueue(key);
        // Found unplaceable (or no longer): its unbound instances stop (or start) taking room.
        if (placedIndex(old).length !== placedIndex(app).length) this.launchQueue?.pump();
      },
      deleted: (app) => enqueue(objectKey(app)),
    });
    this.revisions.addHandlers({
      added: (r) => enqueue(appKeyOf(r)),
      deleted: (r) => enqueue(appKeyOf(r)),
    });
    const statusBatchMs = options.statusBatchMs ?? DEFAULT_STATUS_BATCH_MS;
    this.instances.addHandlers({
      added: (i) => {
        this.launchQueue?.seen(objectKey(i));
        enqueue(appKeyOf(i));
      },
      modified: (old, i) => {
        if (this.launchQueue) {
          const instanceKey = objectKey(i);
          // A re-list after a compaction can show a created instance as modified.
          this.launchQueue.seen(instanceKey);
          this.launchQueue.follow(instanceKey, old, i);
        }
        const key = appKeyOf(i);
        if (reconciler.caughtUp(key)) enqueue(key);
        else if (!mattersToApps(old, i)) return;
        else if (movesOnlyCounts(old, i)) this.controller.enqueueAfter(key, statusBatchMs);
        else enqueue(key);
      },
      deleted: (i) => {
        this.launchQueue?.follow(objectKey(i), i, undefined);
        enqueue(appKeyOf(i));
      },
    });
    this.queuedGauge = options.metrics?.gauge(
      'meseta_apps_launch_queue_apps',
      'Apps waiting for room in the launch queue before creating instances',
    );
    this.queuedGauge?.collect(() => this.launchQueue?.queuedApps ?? 0);
  }

  /**
   * Instances that wait for a task, but for the unbound ones of Apps no agent fits (placement's
   * `Placed` condition is False): those wait for the cluster, not for meseta's pipeline. Their
   * bound ones are on their way and still count.
   */
  private waitingForTask(): number {
    let waiting = this.instances.countByIndex(BY_LAUNCH, ALL);
    for (const app of this.apps.byIndex(BY_PLACED, 'False')) {
      waiting -= this.instances.countByIndex(BY_LAUNCH, objectKey(app));
    }
    return waiting;
  }

  /**
   * Runs the informers and, once all four have synced, the controller, until `signal` aborts;
   * then waits (a few seconds at most) for the Events recorded so far to be written. Rejects if
   * an informer fails for good (after stopping the rest).
   */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.apps, this.revisions, this.instances, this.agents];
    // Room can also come from promises and creations given up on, which no event announces.
    let pumping: Timer | undefined;
    const pump = () => {
      this.launchQueue?.pump();
      pumping = this.clock.setTimeout(pump, PUMP_MS);
    };
    if (this.launchQueue) pump();
    try {
      await runInformed(informers, signal, (stop) => this.controller.run(stop));
    } finally {
      pumping?.cancel();
      // A replica that no longer leads has no queue: it must not report this term's.
      this.queuedGauge?.set(0);
      // Passes do not wait for their Events: let the last ones reach the store.
      await this.recorder?.flush();
    }
  }
}

/**
 * Whether a change to an instance can change the apps controller's decisions or the App's
 * status. With 100,000 instances the bridge updates statuses all the time; a change of, say,
 * `updatedAt` alone must not cost a pass over the App's instances. A resync (`old === now`)
 * always matters: it is the level-triggered safety net.
 */
export function mattersToApps(old: Instance, now: Instance): boolean {
  if (old === now) return true;
  const a = old.status;
  const b = now.status;
  return (
    old.spec.goal !== now.spec.goal ||
    a?.taskId !== b?.taskId ||
    a?.state !== b?.state ||
    a?.healthy !== b?.healthy ||
    a?.ready !== b?.ready ||
    (a?.failures ?? 0) > 0 !== (b?.failures ?? 0) > 0
  );
}

/**
 * Whether an instance change that matters to the App (see `mattersToApps`) changes only its
 * counts: the task moves between live states, or its health or readiness changes. A task that
 * ends, a new goal, a first failure or a resync can change a decision.
 */
export function movesOnlyCounts(old: Instance, now: Instance): boolean {
  if (old === now || old.spec.goal !== now.spec.goal) return false;
  const a = old.status;
  const b = now.status;
  return (
    isTerminal(a?.state) === isTerminal(b?.state) &&
    (a?.failures ?? 0) > 0 === (b?.failures ?? 0) > 0
  );
}

/**
 * Whether a change to an App can change the controller's decisions: its spec (generation), its
 * deletion, its finalizers or its identity. The status is the controller's own output; its
 * writes need no pass of their own. A resync (`old === now`) always matters.
 */
export function appChangeMatters(old: StoredApp, now: StoredApp): boolean {
  if (old === now) return true;
  const a = old.metadata;
  const b = now.metadata;
  return (
    a.generation !== b.generation ||
    a.uid !== b.uid ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    (a.finalizers ?? []).join() !== (b.finalizers ?? []).join()
  );
}
