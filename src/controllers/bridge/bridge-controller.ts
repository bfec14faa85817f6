/**
 * The Mesos bridge: the only part of meseta that talks to Mesos. It subscribes as the framework
 * whose id it keeps in the store (so that a new leader fails over to it), publishes the agents
 * it learns of, holds and declines offers, launches instances bound to agents, kills what should
 * not run (and orphans), writes what Mesos says into Instances before acknowledging it, and
 * reconciles after every subscription and periodically. See docs/bridge.md.
 *
 * Every store write goes through the `store` and `records` it is given: a manager that fences
 * them with its leader lease makes the bridge stop writing the moment it is no longer leader.
 *
 * @example
 *   const bridge = new BridgeController({ store, records, mesos: { masters: ['http://m1:5050'] } });
 *   await bridge.run(signal); // until signal aborts
 */
import type { Agent } from '../../api/agent.ts';
import type { AppRevision } from '../../api/app-revision.ts';
import { hasLiveTask } from '../../api/instance.ts';
import { agentResource, appRevisionResource } from '../../api/resources.ts';
import { realClock, type Clock, type Timer } from '../../clock.ts';
import { silentLogger, type Logger } from '../../log.ts';
import {
  SchedulerClient,
  type SchedulerClientConfig,
  type SchedulerEvent,
} from '../../mesos/client/index.ts';
import type { TaskStatus } from '../../mesos/types.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { Informer, runInformed } from '../../runtime/informer.ts';
import type { Registry } from '../../runtime/metrics.ts';
import type { InternalRecords } from '../../store/internal-records.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import { whileUnavailable } from '../../store/unavailable-backoff.ts';
import { AgentPublisher } from './agent-publisher.ts';
import { BridgeMetrics } from './bridge-metrics.ts';
import { isTerminal } from './instance-status.ts';
import { InstanceView } from './instance-view.ts';
import { Killer } from './killer.ts';
import { BY_REVISION, Launcher, revisionKey } from './launcher.ts';
import { OfferBook } from './offer-book.ts';
import { OfferPolicy } from './offer-policy.ts';
import { Reconciliation } from './reconciliation.ts';
import { StatusWriter } from './status-writer.ts';

/** Where the framework id is kept (an internal record). */
export const FRAMEWORK_ID_RECORD = 'mesos/framework-id';

export interface FrameworkIdRecord {
  frameworkId: string;
}

/** How to reach Mesos and who the framework is. */
export interface BridgeMesosConfig extends Omit<
  SchedulerClientConfig,
  'framework' | 'frameworkId'
> {
  framework?: Partial<SchedulerClientConfig['framework']>;
}

export interface BridgeControllerOptions {
  store: ObjectStore;
  records: InternalRecords;
  mesos: BridgeMesosConfig;
  clock?: Clock;
  logger?: Logger;
  metrics?: Registry;
  recorder?: EventRecorder;
  /** Internal record holding the framework id. Default `mesos/framework-id`. */
  frameworkIdRecord?: string;
  /** Longest time an offer is held while something is pending. Default 10 s. */
  offerHoldMs?: number;
  /** Filter of offers declined after being held. Default 5 s. */
  declineRefuseSeconds?: number;
  /** Filter of offers declined while nothing is pending. Default 120 s (Marathon's). */
  idleRefuseSeconds?: number;
  /** How long nothing must be pending before offers are declined for long. Default 3 s. */
  offerIdleGraceMs?: number;
  /** Filter on what an ACCEPT leaves unused. Default 0: back at the next allocation. */
  acceptRefuseSeconds?: number;
  /** How long an orphan task may live before it is killed. Default 30 s. */
  orphanGraceMs?: number;
  /** First re-kill delay (doubling to 5 min). Default 10 s. */
  killRetryMs?: number;
  /** Implicit reconciliation period. Default 10 minutes. */
  implicitReconcileMs?: number;
  /** First re-send of an unanswered explicit reconciliation (doubling to 1 min). Default 5 s. */
  reconcileRetryMs?: number;
  /** Tasks per explicit RECONCILE call. Default 1,000. */
  reconcileBatchSize?: number;
  /** Agents' status is written at most this often. Default 250 ms. */
  publishIntervalMs?: number;
  /** Period of the offer policy, kills and launch retries. Default 1 s. */
  tickMs?: number;
}

const defaultFramework = {
  name: 'meseta',
  user: process.env.USER || 'root',
  roles: ['*'],
  failoverTimeoutSeconds: 604_800,
  checkpoint: true,
};

export class BridgeController {
  readonly instances: InstanceView;
  readonly revisions: Informer<AppRevision>;
  readonly agents: Informer<Agent>;
  readonly offers = new OfferBook();
  readonly metrics: BridgeMetrics;
  private client: SchedulerClient | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly publisher: AgentPublisher;
  private readonly policy: OfferPolicy;
  private readonly killer: Killer;
  private readonly reconciliation: Reconciliation;
  private readonly launcher: Launcher;
  private writer: StatusWriter | undefined;
  private readonly roles: string[];
  private readonly recordName: string;
  private tickScheduled = false;

  constructor(private readonly options: BridgeControllerOptions) {
    const { store } = options;
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger).child({ controller: 'bridge' });
    this.roles = options.mesos.framework?.roles ?? defaultFramework.roles;
    this.recordName = options.frameworkIdRecord ?? FRAMEWORK_ID_RECORD;
    const common = { clock: this.clock, logger: this.logger };
    this.metrics = new BridgeMetrics(options.metrics, {
      offersHeld: () => this.offers.size,
      statusBacklog: () => this.writer?.backlog ?? 0,
    });
    this.instances = new InstanceView(store, common, {
      awaitingLaunch: (agentId) => {
        if (this.offers.available(agentId).length > 0) this.launcher.trigger();
      },
      demandChanged: () => this.scheduleTick(),
      shouldKill: () => this.scheduleTick(),
    });
    this.revisions = new Informer(store, appRevisionResource, {
      ...common,
      indexers: {
        [BY_REVISION]: (r) => [
          revisionKey(r.metadata.namespace ?? '', r.spec.app, r.spec.revision),
        ],
      },
    });
    this.agents = new Informer(store, agentResource, common);
    const client = {
      accept: (...args: Parameters<SchedulerClient['accept']>) => this.mesos().accept(...args),
      kill: (...args: Parameters<SchedulerClient['kill']>) => this.mesos().kill(...args),
      reconcile: (...args: Parameters<SchedulerClient['reconcile']>) =>
        this.mesos().reconcile(...args),
      decline: (...args: Parameters<SchedulerClient['decline']>) => this.mesos().decline(...args),
      suppress: (...args: Parameters<SchedulerClient['suppress']>) =>
        this.mesos().suppress(...args),
      revive: (...args: Parameters<SchedulerClient['revive']>) => this.mesos().revive(...args),
    };
    const offersChanged = (agentIds: Iterable<string>) => {
      for (const id of agentIds) this.publisher.touch(id);
    };
    const offerHoldMs = options.offerHoldMs ?? 10_000;
    this.publisher = new AgentPublisher({
      store,
      agents: this.agents,
      offers: this.offers,
      offerHoldMs,
      ...common,
      ...(options.publishIntervalMs ? { intervalMs: options.publishIntervalMs } : {}),
    });
    this.policy = new OfferPolicy({
      client,
      offers: this.offers,
      ...common,
      metrics: this.metrics,
      maxHoldMs: offerHoldMs,
      shortRefuseSeconds: options.declineRefuseSeconds ?? 5,
      idleRefuseSeconds: options.idleRefuseSeconds ?? 120,
      idleGraceMs: options.offerIdleGraceMs ?? 3000,
      awaitsLaunch: (agentId) => this.instances.hasAwaiting(agentId),
      offersChanged,
    });
    this.killer = new Killer({
      view: this.instances,
      revisions: this.revisions,
      client,
      ...common,
      metrics: this.metrics,
      orphanGraceMs: options.orphanGraceMs ?? 30_000,
      ...(options.killRetryMs ? { retryMs: options.killRetryMs } : {}),
    });
    this.reconciliation = new Reconciliation({
      client,
      ...common,
      metrics: this.metrics,
      implicitMs: options.implicitReconcileMs ?? 600_000,
      ...(options.reconcileRetryMs ? { retryMs: options.reconcileRetryMs } : {}),
      ...(options.reconcileBatchSize ? { batchSize: options.reconcileBatchSize } : {}),
    });
    this.launcher = new Launcher({
      store,
      view: this.instances,
      revisions: this.revisions,
      offers: this.offers,
      client,
      ...common,
      metrics: this.metrics,
      ...(options.recorder ? { recorder: options.recorder } : {}),
      roles: this.roles,
      acceptRefuseSeconds: options.acceptRefuseSeconds ?? 0,
      offersChanged,
      acceptFailed: (tasks) => void this.reconciliation.explicit(tasks),
    });
  }

  /** Whether the caches are filled (the manager's `/readyz`). */
  synced(): boolean {
    return (
      this.instances.informer.hasSynced() && this.revisions.hasSynced() && this.agents.hasSynced()
    );
  }

  /** The framework id in use (once subscribed). */
  get frameworkId(): string | undefined {
    return this.client?.frameworkId;
  }

  /** The scheduler client's state ('subscribed', 'reconnecting', …). */
  get mesosState(): string {
    return this.client?.state ?? 'idle';
  }

  /** Orphan tasks waiting out their grace period or being killed. */
  get orphans(): number {
    return this.killer.orphanCount;
  }

  /** Task status updates received and not yet written and acknowledged. */
  get statusBacklog(): number {
    return this.writer?.backlog ?? 0;
  }

  /** Tasks asked about by explicit reconciliation that Mesos has not answered yet. */
  get unreconciled(): number {
    return this.reconciliation.pending;
  }

  /** Whether offers are suppressed now. */
  get suppressed(): boolean {
    return this.policy.isSuppressed;
  }

  /**
   * Runs until `signal` aborts: the informers, then (once they have synced) the Mesos
   * subscription and everything driven by it. Rejects when an informer fails for good, or when
   * Mesos ends the framework's subscription for good (removed, failed over to another
   * scheduler, refused) — a person, or the manager, must decide what happens next.
   */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.instances.informer, this.revisions, this.agents];
    let ticker: Timer | undefined;
    try {
      await runInformed(informers, signal, async (stop) => {
        const client = await this.connect(stop);
        if (!client) return;
        const tick = () => {
          ticker = this.clock.setTimeout(() => {
            this.tick();
            if (!stop.aborted) tick();
          }, this.options.tickMs ?? 1000);
        };
        tick();
        await this.follow(client, stop);
      });
    } finally {
      ticker?.cancel();
      this.publisher.stop();
      this.reconciliation.stop();
      await this.client?.stop();
    }
  }

  private mesos(): SchedulerClient {
    if (!this.client) throw new Error('the bridge is not connected to Mesos yet');
    return this.client;
  }

  /** Reads the stored framework id and starts the scheduler client with it. */
  private async connect(signal: AbortSignal): Promise<SchedulerClient | undefined> {
    const { records, mesos } = this.options;
    const stored = await whileUnavailable(() => records.get<FrameworkIdRecord>(this.recordName), {
      signal,
      clock: this.clock,
      logger: this.logger,
      what: 'read the framework id',
    }).catch((error: unknown) => {
      if (signal.aborted) return undefined;
      throw error;
    });
    if (signal.aborted) return undefined;
    const frameworkId = stored?.value.frameworkId;
    const config: SchedulerClientConfig = {
      ...mesos,
      framework: { ...defaultFramework, ...mesos.framework },
      ...(frameworkId ? { frameworkId } : {}),
    };
    this.logger.info('subscribing to Mesos', {
      frameworkId: frameworkId ?? '(new framework)',
      masters: mesos.masters.length,
    });
    const client = new SchedulerClient(config, {
      clock: this.clock,
      logger: this.logger,
      onFrameworkId: (id) => this.saveFrameworkId(id),
    });
    this.client = client;
    this.writer = new StatusWriter({
      store: this.options.store,
      view: this.instances,
      clock: this.clock,
      logger: this.logger,
      metrics: this.metrics,
      signal,
      acknowledge: async (status) => {
        await client.acknowledge(status).catch((error: unknown) => {
          // Mesos resends what was not acknowledged; the status is already written.
          this.logger.debug('ACKNOWLEDGE not sent', { taskId: status.task_id.value, error });
        });
      },
      onStale: (status) => this.stale(status),
    });
    return client;
  }

  /** Stores the framework id Mesos assigned; the client waits for this before going on. */
  private async saveFrameworkId(id: string): Promise<void> {
    await this.options.records.update<FrameworkIdRecord>(this.recordName, () => ({
      frameworkId: id,
    }));
    this.logger.info('framework id stored', { frameworkId: id });
  }

  /** Handles the client's events until it stops (or `signal` aborts). */
  private async follow(client: SchedulerClient, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const events = client.events();
    const onAbort = () => void client.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    client.start();
    try {
      for await (const event of events) {
        this.metrics.events.inc({ type: event.type });
        this.handle(event);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (!signal.aborted && client.failure) throw client.failure;
  }

  private handle(event: SchedulerEvent): void {
    switch (event.type) {
      case 'subscribed':
        return this.subscribed(event.resubscribed);
      case 'disconnected':
        for (const agent of this.offers.clear()) this.publisher.touch(agent);
        return;
      case 'offers':
        for (const offer of event.offers) {
          this.offers.add(offer, this.clock.now());
          // An agent back from being lost: Mesos sends nothing about its tasks on its own.
          if (this.publisher.offered(offer)) {
            const away = this.instances.awayOn(offer.agent_id.value);
            if (away.length > 0) void this.reconciliation.explicit(away);
          }
        }
        this.launcher.trigger();
        if (this.instances.pendingCount === 0) this.scheduleTick();
        return;
      case 'rescind': {
        const agent = this.offers.remove(event.offerId.value);
        if (agent) this.publisher.touch(agent);
        return;
      }
      case 'update':
        return this.update(event.status);
      case 'failure':
        if (event.agentId && !event.executorId) {
          const agentId = event.agentId.value;
          this.logger.info('agent lost or removed', { agentId });
          for (const offer of this.offers.available(agentId)) this.offers.remove(offer.id.value);
          this.publisher.removed(agentId);
        }
        return;
      case 'error':
        this.logger.warn('Mesos reported an error', { message: event.message, kind: event.kind });
        return;
      default:
        return;
    }
  }

  private subscribed(resubscribed: boolean): void {
    // Mesos discards outstanding offers on (re)subscription, without RESCIND.
    for (const agent of this.offers.clear()) this.publisher.touch(agent);
    this.policy.subscribed();
    const tasks: { taskId: string; agentId?: string }[] = [];
    for (const instance of this.instances.informer.list()) {
      const current = this.instances.get(
        `${instance.metadata.namespace}/${instance.metadata.name}`,
      );
      if (!current || !hasLiveTask(current) || !current.status?.taskId) continue;
      tasks.push({
        taskId: current.status.taskId,
        ...(current.status.agentId ? { agentId: current.status.agentId } : {}),
      });
    }
    this.logger.info(resubscribed ? 'resubscribed' : 'subscribed', { tasks: tasks.length });
    void this.reconciliation.subscribed(tasks);
    this.scheduleTick();
  }

  private update(status: TaskStatus): void {
    this.reconciliation.answered(status.task_id.value);
    if (isTerminal(status.state)) this.killer.ended(status.task_id.value);
    this.writer!.push(status);
  }

  /** An update about a task that is not an instance's current task. */
  private stale(status: TaskStatus): void {
    const taskId = status.task_id.value;
    if (isTerminal(status.state)) {
      this.killer.ended(taskId);
      return;
    }
    this.killer.orphan(taskId, status.agent_id?.value, this.clock.now());
  }

  private scheduleTick(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    queueMicrotask(() => {
      this.tickScheduled = false;
      this.tick();
    });
  }

  /** The periodic work: offer policy, due kills, and launches on offers still held. */
  private tick(): void {
    if (this.client?.state !== 'subscribed') return;
    void this.policy.apply(this.instances.pendingCount);
    void this.killer.tick();
    this.launcher.trigger();
  }
}
