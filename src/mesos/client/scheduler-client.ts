/**
 * The Mesos v1 scheduler client: one framework's connection to the Mesos masters, kept up for
 * as long as the process runs. It subscribes (finding the leader among the masters), turns the
 * event stream into typed events, and resubscribes with the same framework id, after a capped
 * and jittered backoff, whenever the stream breaks (dropped, silent, malformed). It stops for
 * good only when stopped, torn down, or when Mesos says the framework was removed, failed over
 * to another scheduler, or refused.
 *
 * Calls go on a separate keep-alive connection pool with the current Mesos-Stream-Id. A call
 * made while not subscribed fails at once with NotSubscribedError and sends nothing: the caller
 * (the bridge) knows whether it is worth retrying after the next `subscribed` event.
 *
 * ```ts
 * const client = new SchedulerClient(config, { onFrameworkId: (id) => store.saveFrameworkId(id) });
 * const events = client.events();
 * client.start();
 * for await (const event of events) {
 *   if (event.type === 'offers') await client.decline(event.offers.map((o) => o.id));
 *   if (event.type === 'update') await client.acknowledge(event.status);
 * }
 * ```
 */
import type { Pool } from 'undici';
import type { Clock } from '../../clock.ts';
import { realClock } from '../../clock.ts';
import type { MesetaError } from '../../errors.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { encodeCall, ContentTypes } from '../codec.ts';
import type { Call, CallType, Event } from '../scheduler-types.ts';
import type {
  AgentID,
  ExecutorID,
  ExecutorInfo,
  Filters,
  KillPolicy,
  OfferID,
  OfferOperation,
  TaskID,
  TaskInfo,
  TaskStatus,
} from '../types.ts';
import { Backoff } from '../../runtime/backoff.ts';
import {
  acceptCall,
  acknowledgeCall,
  declineCall,
  killCall,
  launchGroupOperation,
  launchOperation,
  reconcileCall,
  reviveCall,
  shutdownCall,
  subscribeCall,
  suppressCall,
  teardownCall,
  updateFrameworkCall,
  type ReconcileTask,
} from './calls.ts';
import {
  resolveConfig,
  type FrameworkConfig,
  type ResolvedConfig,
  type SchedulerClientConfig,
} from './config.ts';
import { MesosCallError, MesosErrorEvent, NotSubscribedError } from './errors.ts';
import {
  EventHub,
  fromMesosEvent,
  type EventOf,
  type SchedulerEvent,
  type SchedulerEventType,
} from './events.ts';
import { buildFrameworkInfo } from './framework-info.ts';
import { CallDeadlines } from './call-deadlines.ts';
import { CallEndpoint, callPool, origin } from './http.ts';
import { LeaderDetector } from './leader.ts';
import { runSubscription, type Subscribed } from './subscription.ts';

export interface SchedulerClientOptions {
  clock?: Clock;
  logger?: Logger;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
  /**
   * Called with a framework id the master assigned and that was not saved yet (the first
   * SUBSCRIBED of a new framework). The client waits for it before it reports `subscribed` and
   * reads further; if it throws, the client closes the stream and resubscribes with the id,
   * calling it again. Save the id here: a restarted scheduler must resubscribe with it.
   */
  onFrameworkId?: (frameworkId: string) => void | Promise<void>;
}

export type ClientState =
  | 'idle'
  | 'subscribing'
  | 'subscribed'
  | 'reconnecting'
  | 'stopped'
  | 'removed'
  | 'failed-over'
  | 'refused';

export type AcknowledgeResult =
  { sent: true } | { sent: false; reason: 'no-uuid' | 'no-agent-id'; message: string };

/**
 * Calls Mesos may receive twice without harm (an acknowledgement, kill or reconciliation again,
 * a filter cleared or set again, an offer declined that is gone): these may be pipelined. An
 * ACCEPT may not — a second one would find its offers gone and drop its tasks.
 */
const REPEATABLE: ReadonlySet<CallType> = new Set([
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'KILL',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
  'REVIVE',
  'SUPPRESS',
  'DECLINE',
]);

export class SchedulerClient {
  private config: ResolvedConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly hub: EventHub;
  private readonly backoff: Backoff;
  private readonly leader: LeaderDetector;
  private readonly onFrameworkId: SchedulerClientOptions['onFrameworkId'];
  private readonly stopping = new AbortController();
  // Kept apart from the config so that nothing that prints the client can print the secret.
  readonly #authorization: string | undefined;
  private currentState: ClientState = 'idle';
  private id: string | undefined;
  private savedId: string | undefined;
  private stream: Subscribed | undefined;
  private terminalError: MesetaError | undefined;
  private everSubscribed = false;
  private disconnectedAt: number | undefined;
  private loop: Promise<void> | undefined;
  private tearingDown = false;
  private readonly deadlines: CallDeadlines;
  // Private like the authorization it carries in its headers. The pool is the connections to the
  // stream's master; a stream from another master gets its own, and the old one goes.
  #endpoint: { stream: Subscribed; endpoint: CallEndpoint; pool: Pool } | undefined;

  constructor(config: SchedulerClientConfig, options: SchedulerClientOptions = {}) {
    const resolved = resolveConfig(config);
    this.#authorization = resolved.credential
      ? 'Basic ' +
        Buffer.from(`${resolved.credential.principal}:${resolved.credential.secret}`).toString(
          'base64',
        )
      : undefined;
    this.config = { ...resolved, credential: undefined };
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'mesos-client' });
    this.hub = new EventHub(this.logger);
    this.backoff = new Backoff(
      resolved.backoff.initialMs,
      resolved.backoff.maxMs,
      resolved.backoff.jitter,
      options.random,
    );
    this.leader = new LeaderDetector(resolved.masters, resolved.maxRedirects, this.logger);
    this.onFrameworkId = options.onFrameworkId;
    this.deadlines = new CallDeadlines(this.clock, resolved.callTimeoutMs);
    this.id = resolved.frameworkId;
    this.savedId = resolved.frameworkId;
  }

  /** Where the client is in its life; calls are only sent in `subscribed`. */
  get state(): ClientState {
    return this.currentState;
  }

  /** The framework id, once known (from configuration or from the master). */
  get frameworkId(): string | undefined {
    return this.id;
  }

  /** The Mesos-Stream-Id of the current subscription. */
  get streamId(): string | undefined {
    return this.stream?.streamId;
  }

  /** Origin of the leading master of the current subscription. */
  get master(): string | undefined {
    return this.stream ? origin(this.stream.url) : undefined;
  }

  /** Why the client stopped on its own (removed, failed over, refused); undefined otherwise. */
  get failure(): MesetaError | undefined {
    return this.terminalError;
  }

  /**
   * Every event from now on, in order, until the client stops. Call it before `start` so
   * that nothing is missed. Each iterator gets every event.
   */
  events(): AsyncIterableIterator<SchedulerEvent> {
    return this.hub.iterate();
  }

  /** Calls `listener` for each event of `type` (or `'*'` for all); returns an unsubscribe function. */
  on<T extends SchedulerEventType>(
    type: T | '*',
    listener: (event: EventOf<T>) => void,
  ): () => void {
    return this.hub.on(type, listener);
  }

  /** Subscribes, and keeps subscribed until stopped. */
  start(): void {
    if (this.currentState !== 'idle')
      throw new Error(`SchedulerClient already started (${this.currentState})`);
    this.currentState = 'subscribing';
    this.loop = this.run().catch((error: unknown) => {
      // Only a bug gets here; stop visibly rather than leave a client that silently does nothing.
      this.logger.error('scheduler client failed', { error });
      this.terminalError = error as MesetaError;
      this.finish('stopped');
    });
  }

  /** Closes the stream and the call connections; ends every event iterator. Tasks keep running. */
  async stop(): Promise<void> {
    if (this.currentState === 'idle') this.finish('stopped');
    this.stopping.abort(new Error('the scheduler client stopped'));
    this.deadlines.abortAll(this.stopping.signal.reason as Error);
    await this.loop;
  }

  async accept(
    offerIds: OfferID[],
    operations: OfferOperation[],
    filters?: Filters,
  ): Promise<void> {
    await this.send((id) => acceptCall(id, offerIds, operations, filters));
  }

  /** ACCEPT with one LAUNCH of `tasks`. */
  async launch(offerIds: OfferID[], tasks: TaskInfo[], filters?: Filters): Promise<void> {
    await this.accept(offerIds, [launchOperation(tasks)], filters);
  }

  /** ACCEPT with one LAUNCH_GROUP: `tasks` start together under `executor`. */
  async launchGroup(
    offerIds: OfferID[],
    executor: ExecutorInfo,
    tasks: TaskInfo[],
    filters?: Filters,
  ): Promise<void> {
    await this.accept(offerIds, [launchGroupOperation(executor, tasks)], filters);
  }

  /** Without filters Mesos refuses the resources for 5 s. */
  async decline(offerIds: OfferID[], filters?: Filters): Promise<void> {
    await this.send((id) => declineCall(id, offerIds, filters));
  }

  /** Stops offers for `roles` (all roles when empty). Outstanding offers stay valid. */
  async suppress(roles?: string[]): Promise<void> {
    await this.send((id) => suppressCall(id, roles));
  }

  /** Resumes offers for `roles` (all when empty) and clears their decline filters. */
  async revive(roles?: string[]): Promise<void> {
    await this.send((id) => reviveCall(id, roles));
  }

  /** `killPolicy` overrides the task's own grace period. */
  async kill(taskId: TaskID, agentId?: AgentID, killPolicy?: KillPolicy): Promise<void> {
    await this.send((id) => killCall(id, taskId, agentId, killPolicy));
  }

  /**
   * Acknowledges a status update. Updates without a uuid (reconciliation answers, master-made
   * updates) need no acknowledgement: nothing is sent and the result says why.
   */
  async acknowledge(status: TaskStatus): Promise<AcknowledgeResult> {
    if (!status.uuid) {
      return {
        sent: false,
        reason: 'no-uuid',
        message: `The ${status.state} update of ${status.task_id.value} has no uuid; Mesos expects no acknowledgement`,
      };
    }
    if (!status.agent_id) {
      return {
        sent: false,
        reason: 'no-agent-id',
        message: `The ${status.state} update of ${status.task_id.value} has no agent_id to acknowledge it with`,
      };
    }
    await this.send((id) => acknowledgeCall(id, status)!);
    return { sent: true };
  }

  /** Explicit reconciliation of `tasks`, or implicit (every task Mesos knows) when empty. */
  async reconcile(tasks?: ReconcileTask[]): Promise<void> {
    await this.send((id) => reconcileCall(id, tasks));
  }

  /** Shuts an executor down (custom executors: it kills its tasks). */
  async shutdown(executorId: ExecutorID, agentId: AgentID): Promise<void> {
    await this.send((id) => shutdownCall(id, executorId, agentId));
  }

  /** Removes the framework from Mesos (all its tasks are killed), then stops the client. */
  async teardown(): Promise<void> {
    // The master closes the stream as soon as it removes the framework: that is no reason to
    // resubscribe.
    this.tearingDown = true;
    try {
      await this.send((id) => teardownCall(id));
    } catch (error) {
      this.tearingDown = false;
      throw error;
    }
    await this.stop();
  }

  /**
   * Changes the framework's info (name, roles, labels, failover timeout…; not user,
   * principal or checkpoint, which Mesos refuses to change) and suppressed roles. Later
   * resubscriptions use the new info.
   */
  async updateFramework(
    changes: Partial<Omit<FrameworkConfig, 'user' | 'principal' | 'checkpoint'>>,
    suppressedRoles?: string[],
  ): Promise<void> {
    const candidate = resolveConfig({
      masters: this.config.masters.map((url) => url.href),
      framework: { ...this.config.framework, ...changes },
      suppressedRoles: suppressedRoles ?? this.config.suppressedRoles,
    });
    await this.send((id) =>
      updateFrameworkCall(buildFrameworkInfo(candidate.framework, id), candidate.suppressedRoles),
    );
    this.config = {
      ...this.config,
      framework: candidate.framework,
      suppressedRoles: candidate.suppressedRoles,
    };
  }

  private async send(build: (frameworkId: string) => Call): Promise<void> {
    const stream = this.stream;
    if (this.currentState !== 'subscribed' || !stream) {
      const type = build(this.id ?? '').type ?? 'UNKNOWN';
      throw new NotSubscribedError(type, this.currentState);
    }
    const call = build(stream.frameworkId);
    const type: CallType = call.type ?? 'UNKNOWN';
    const body = encodeCall(call, this.config.encoding);
    const endpoint = this.endpointOf(stream);
    const pending = this.deadlines.start(`${type} to ${origin(stream.url)}`);
    try {
      const answer = await endpoint.send(body, pending, REPEATABLE.has(type));
      const status = answer.status;
      const ok = status === 202 || (type === 'UPDATE_FRAMEWORK' && status === 200);
      if (!ok) throw new MesosCallError(type, status, answer.body.toString('utf8').trim());
    } catch (error) {
      if (this.stopping.signal.aborted) throw new NotSubscribedError(type, 'stopped');
      throw error;
    } finally {
      this.deadlines.finish(pending);
    }
  }

  /** The call endpoint of `stream`, built on its first call. */
  private endpointOf(stream: Subscribed): CallEndpoint {
    const current = this.#endpoint;
    if (current?.stream === stream) return current.endpoint;
    let pool = current?.pool;
    if (current && current.stream.url.origin !== stream.url.origin) {
      void current.pool.destroy().catch(() => {});
      pool = undefined;
    }
    pool ??= callPool(stream.url.origin, {
      connections: this.config.maxCallConnections,
      pipelining: this.config.callPipelining,
    });
    const headers = { ...this.headers(), 'Mesos-Stream-Id': stream.streamId };
    const endpoint = new CallEndpoint(stream.url, headers, pool);
    this.#endpoint = { stream, pool, endpoint };
    return endpoint;
  }

  private headers(): Record<string, string> {
    const type = ContentTypes[this.config.encoding];
    const headers: Record<string, string> = { 'Content-Type': type, Accept: type };
    if (this.#authorization) headers.Authorization = this.#authorization;
    return headers;
  }

  private async run(): Promise<void> {
    for (;;) {
      const end = await runSubscription({
        call: subscribeCall(
          buildFrameworkInfo(this.config.framework, this.id),
          this.config.suppressedRoles,
        ),
        format: this.config.encoding,
        headers: this.headers(),
        leader: this.leader,
        clock: this.clock,
        logger: this.logger,
        subscribeTimeoutMs: this.config.subscribeTimeoutMs,
        missedHeartbeats: this.config.missedHeartbeats,
        maxEventBytes: this.config.maxEventBytes,
        stop: this.stopping.signal,
        onSubscribed: (subscribed) => this.subscribed(subscribed),
        onEvent: (event) => this.deliver(event),
      });
      this.stream = undefined;
      if (end.kind === 'stopped' || this.tearingDown) return this.finish('stopped');
      if (end.kind === 'terminal') {
        const kind =
          end.error.code === 'FrameworkRemoved'
            ? 'removed'
            : end.error.code === 'FrameworkFailedOver'
              ? 'failed-over'
              : 'refused';
        this.terminalError = end.error;
        this.logger.error('scheduler client stopped by Mesos', { kind, error: end.error });
        this.hub.emit({ type: 'error', message: end.message, kind, error: end.error });
        return this.finish(kind);
      }
      const delay = this.backoff.next();
      if (end.subscribed) {
        this.disconnectedAt = this.clock.now();
        this.currentState = 'reconnecting';
        this.logger.warn('event stream lost; resubscribing', {
          reason: end.reason,
          error: end.error,
          retryInMs: delay,
        });
        this.hub.emit({
          type: 'disconnected',
          reason: end.reason,
          error: end.error,
          retryInMs: delay,
        });
      } else {
        this.logger.warn('subscription attempt failed', {
          reason: end.reason,
          error: end.error,
          retryInMs: delay,
          attempt: this.backoff.attempts,
        });
      }
      try {
        await this.clock.sleep(delay, this.stopping.signal);
      } catch {
        return this.finish('stopped');
      }
    }
  }

  private async subscribed(subscribed: Subscribed): Promise<void> {
    this.id = subscribed.frameworkId;
    if (this.savedId !== subscribed.frameworkId && this.onFrameworkId) {
      await this.onFrameworkId(subscribed.frameworkId);
    }
    this.savedId = subscribed.frameworkId;
    if (this.stopping.signal.aborted) return;
    const attempts = this.backoff.attempts;
    this.backoff.reset();
    this.stream = subscribed;
    this.currentState = 'subscribed';
    const resubscribed = this.everSubscribed;
    this.everSubscribed = true;
    this.logger.info('subscribed', {
      frameworkId: subscribed.frameworkId,
      master: origin(subscribed.url),
      streamId: subscribed.streamId,
    });
    this.hub.emit({
      type: 'subscribed',
      frameworkId: subscribed.frameworkId,
      heartbeatIntervalSeconds: subscribed.heartbeatIntervalSeconds,
      masterInfo: subscribed.masterInfo,
      master: origin(subscribed.url),
      streamId: subscribed.streamId,
      resubscribed,
    });
    if (this.disconnectedAt !== undefined) {
      this.hub.emit({
        type: 'reconnected',
        frameworkId: subscribed.frameworkId,
        downtimeMs: this.clock.now() - this.disconnectedAt,
        attempts,
      });
      this.disconnectedAt = undefined;
    }
  }

  private deliver(event: Event): void {
    if (event.type === 'HEARTBEAT') return this.hub.emit({ type: 'heartbeat' });
    if (event.type === 'ERROR') {
      const message = event.error?.message ?? '';
      this.logger.warn('Mesos sent an ERROR event', { message });
      return this.hub.emit({
        type: 'error',
        message,
        kind: 'other',
        error: new MesosErrorEvent(message),
      });
    }
    const converted = fromMesosEvent(event);
    if (converted) this.hub.emit(converted);
    else this.logger.debug('ignored an event of unknown type', { type: event.type });
  }

  private finish(state: ClientState): void {
    this.currentState = state;
    this.stream = undefined;
    // Calls in flight have failed already (the deadlines' stop); nothing waits for this.
    void this.#endpoint?.pool.destroy().catch(() => {});
    this.#endpoint = undefined;
    this.hub.close();
  }
}
