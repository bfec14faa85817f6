/**
 * The simulated Mesos master's core: frameworks, agents, offers and tasks, and the rules of
 * src/master/master.cpp that move them — subscription and failover, the allocation cycle with
 * refusal filters and suppression, ACCEPT validation and launches, status update forwarding
 * and acknowledgement, kills and reconciliation, and agent loss. No transport here: a
 * framework's stream is a `Subscriber`, time is an injected Clock, so the core runs the same
 * under HTTP, in process, or on a VirtualClock for deterministic runs.
 */
import type { Clock, Timer } from '../clock.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { Call, Event, OfferConstraints } from '../mesos/scheduler-types.ts';
import type {
  ExecutorInfo,
  FrameworkInfo,
  OfferFilters,
  MasterInfo,
  Offer,
  OfferOperation,
  OperationState,
  TaskInfo,
  TaskState,
  TaskStatus,
  TaskStatusReason,
} from '../mesos/types.ts';
import { SimAgent, defaultAgentTimings, type AgentTimings } from './agent.ts';
import { domainInfo, type AgentSpec } from './cluster.ts';
import {
  compileOfferConstraints,
  type ConstrainedAgent,
  type OfferConstraintsFilter,
} from './offer-constraints.ts';
import { Random } from './random.ts';
import { UpdateChannel } from './update-channel.ts';
import {
  addTo,
  clonePool,
  contains,
  emptyPool,
  isEmptyPool,
  poolFromResources,
  poolToResources,
  subtractFrom,
  type Pool,
} from './resources.ts';
import {
  isTerminal,
  taskKey,
  type AgentRecord,
  type CompletedFramework,
  type FrameworkRecord,
  type OfferRecord,
  type Subscriber,
  type TaskRecord,
} from './state.ts';
import {
  frameworkRoles,
  validateFrameworkInfo,
  validateFrameworkUpdate,
  validateSuppressedRoles,
  validateTask,
} from './validation.ts';

export interface MasterOptions {
  clock: Clock;
  /** Seeds ids and UUIDs; the same seed on a VirtualClock gives the same run. */
  seed?: number;
  hostname?: string;
  ip?: string;
  port?: number;
  /** The master's fault domain; agents in other regions are "remote". */
  domain?: { region: string; zone: string };
  /** `--allocation_interval`, default 1 s. */
  allocationIntervalMs?: number;
  /** HEARTBEAT period; Mesos fixes it at 15 s, tests may shorten it. */
  heartbeatIntervalMs?: number;
  /** `--offer_timeout`; unset means offers never time out. */
  offerTimeoutMs?: number;
  /**
   * How long a partitioned agent goes unanswered before the master marks it unreachable:
   * `agent_ping_timeout` × `max_agent_ping_timeouts`, 15 s × 5 in Mesos.
   */
  agentUnreachableTimeoutMs?: number;
  /** `--executor_shutdown_grace_period`, default 5 s. */
  executorShutdownGraceMs?: number;
  timings?: Partial<AgentTimings>;
  /** Local mode: agents really run each task's command on this machine. */
  local?: boolean;
  version?: string;
  log?: Logger;
}

const maxCompletedTasksPerFramework = 1000;
const maxCompletedFrameworks = 50;
const maxRefuseSeconds = 31536000;
const defaultRefuseSeconds = 5;
// `--min_allocatable_resources` default: an agent is offered only with cpus:0.01 or mem:32.
const minCpus = 0.01;
const minMem = 32;

const partitionAwareOnly: ReadonlySet<TaskState> = new Set([
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

/** What changed, for operator API subscribers (`watch`). */
export type MasterChange =
  | { kind: 'task_added'; task: TaskRecord }
  | { kind: 'task_updated'; task: TaskRecord; status: TaskStatus }
  | { kind: 'agent_added'; agent: AgentRecord }
  | { kind: 'agent_removed'; agentId: string }
  | { kind: 'framework_added' | 'framework_updated'; framework: FrameworkRecord }
  | { kind: 'framework_removed'; info: FrameworkInfo };

export type UpdateFrameworkResult = { status: 200 } | { status: 400 | 403 | 409; error: string };

export class Master {
  id: string;
  readonly info: MasterInfo;
  /** Agent → master status updates, where update faults are injected. */
  readonly updates: UpdateChannel;
  readonly agentUnreachableTimeoutMs: number;
  private recoveredAt = 0;
  private reregisterTimers: Timer[] = [];
  private readonly watchers = new Set<(change: MasterChange) => void>();
  readonly clock: Clock;
  readonly startTime: number;
  readonly random: Random;
  private readonly log: Logger;
  readonly timings: AgentTimings;
  private readonly local: boolean;
  private readonly allocationIntervalMs: number;
  readonly heartbeatIntervalMs: number;
  private readonly offerTimeoutMs: number | undefined;
  private readonly executorShutdownGraceMs: number;
  private readonly region: string | undefined;

  private readonly agents = new Map<string, AgentRecord>();
  private readonly frameworks = new Map<string, FrameworkRecord>();
  private readonly completed = new Map<string, CompletedFramework>();
  private readonly offers = new Map<string, OfferRecord>();
  private readonly bySubscriber = new Map<Subscriber, string>();
  /** Agents that may have something to offer. */
  private readonly allocatable = new Set<string>();
  private frameworkSeq = 0;
  private offerSeq = 0;
  private agentSeq = 0;
  private allocationTimer: Timer | undefined;
  private allocationSoon: Timer | undefined;
  private running = false;

  constructor(options: MasterOptions) {
    this.clock = options.clock;
    this.random = new Random(options.seed ?? Date.now());
    this.log = options.log ?? silentLogger;
    this.timings = { ...defaultAgentTimings, ...options.timings };
    this.local = options.local ?? false;
    this.allocationIntervalMs = options.allocationIntervalMs ?? 1000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
    this.offerTimeoutMs = options.offerTimeoutMs;
    this.agentUnreachableTimeoutMs = options.agentUnreachableTimeoutMs ?? 75_000;
    this.updates = new UpdateChannel(this.clock);
    this.executorShutdownGraceMs = options.executorShutdownGraceMs ?? 5000;
    this.region = options.domain?.region;
    this.startTime = this.clock.now();
    this.id = this.random.uuid();
    const hostname = options.hostname ?? 'localhost';
    const ip = options.ip ?? '127.0.0.1';
    const port = options.port ?? 5050;
    this.info = {
      id: this.id,
      ip: ipToUint32(ip),
      port,
      pid: `master@${ip}:${port}`,
      hostname,
      version: options.version ?? '1.11.0',
      address: { hostname, ip, port },
      ...(options.domain
        ? {
            domain: {
              fault_domain: {
                region: { name: options.domain.region },
                zone: { name: options.domain.zone },
              },
            },
          }
        : {}),
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    };
  }

  /** Calls `listener` on every change an operator API subscriber hears of; returns the undo. */
  watch(listener: (change: MasterChange) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private changed(change: MasterChange): void {
    for (const watcher of this.watchers) watcher(change);
  }

  /** The master's flags, as GET_FLAGS reports them. */
  flags(): { name: string; value: string }[] {
    const flags: [string, string][] = [
      ['allocation_interval', `${this.allocationIntervalMs / 1000}secs`],
      ['executor_shutdown_grace_period', `${this.executorShutdownGraceMs / 1000}secs`],
      ['hostname', this.info.hostname ?? ''],
      ['min_allocatable_resources', 'cpus:0.01|mem:32'],
      ['port', String(this.info.port)],
    ];
    if (this.offerTimeoutMs !== undefined)
      flags.push(['offer_timeout', `${this.offerTimeoutMs / 1000}secs`]);
    return flags.map(([name, value]) => ({ name, value }));
  }

  /** Starts the allocation cycle. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      this.allocate();
      this.allocationTimer = this.clock.setTimeout(tick, this.allocationIntervalMs);
    };
    this.allocationTimer = this.clock.setTimeout(tick, this.allocationIntervalMs);
  }

  /** Stops every timer and closes every stream. */
  stop(): void {
    this.running = false;
    this.allocationTimer?.cancel();
    this.allocationSoon?.cancel();
    for (const framework of this.frameworks.values()) {
      framework.heartbeat?.cancel();
      framework.failoverTimer?.cancel();
      if (framework.subscriber) this.detach(framework);
    }
    for (const agent of this.agents.values()) {
      agent.partitionTimer?.cancel();
      agent.sim.destroy();
    }
    for (const offer of this.offers.values()) offer.timer?.cancel();
    for (const timer of this.reregisterTimers) timer.cancel();
    this.updates.clear();
  }

  // ---------------------------------------------------------------------------------------
  // Agents

  addAgent(spec: AgentSpec): AgentRecord {
    const id = `${this.id}-S${this.agentSeq++}`;
    const ip = agentIp(this.agentSeq);
    const sim = new SimAgent(
      id,
      ip,
      this.clock,
      this.random,
      {
        statusUpdate: (agentId, frameworkId, status, latest) =>
          this.updates.deliver(() => this.statusUpdate(agentId, frameworkId, status, latest)),
      },
      { timings: this.timings, local: this.local },
    );
    const record: AgentRecord = {
      id,
      info: {
        hostname: spec.hostname,
        port: spec.port,
        resources: poolToResources(spec.resources, { legacyRole: true }),
        attributes: spec.attributes,
        id: { value: id },
        ...(spec.domain ? { domain: domainInfo(spec) } : {}),
      },
      ip,
      status: 'active',
      total: clonePool(spec.resources),
      free: clonePool(spec.resources),
      hasGpus: (spec.resources.scalars.gpus ?? 0) > 0,
      region: spec.domain?.region,
      offers: new Set(),
      tasks: new Map(),
      executors: new Map(),
      registeredTime: this.clock.now(),
      sim,
    };
    this.agents.set(id, record);
    if (this.watchers.size) this.changed({ kind: 'agent_added', agent: record });
    this.totalsCache = undefined;
    this.allocatable.add(id);
    this.requestAllocation();
    return record;
  }

  agent(id: string): AgentRecord | undefined {
    return this.agents.get(id);
  }

  listAgents(): Iterable<AgentRecord> {
    return this.agents.values();
  }

  /**
   * Cuts the agent off: its updates stop arriving at once, and after the ping timeout
   * (`agentUnreachableTimeoutMs`) the master marks it unreachable.
   */
  partitionAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status !== 'active' || agent.partitionTimer) return;
    agent.sim.reachable = false;
    agent.partitionTimer = this.clock.setTimeout(() => {
      agent.partitionTimer = undefined;
      this.markAgentUnreachable(agentId);
    }, this.agentUnreachableTimeoutMs);
  }

  /** Ends a partition: before the timeout nothing else happens; after it the agent reregisters. */
  healAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    if (agent.partitionTimer) {
      agent.partitionTimer.cancel();
      agent.partitionTimer = undefined;
      agent.sim.reconnect();
    } else if (agent.status === 'unreachable') {
      this.reconnectAgent(agentId);
    }
  }

  /**
   * The agent stops answering: after the ping timeout Mesos marks it unreachable. Its offers
   * are rescinded, its tasks become TASK_UNREACHABLE (or TASK_LOST for frameworks that are
   * not partition-aware), and every connected framework gets FAILURE{agent_id}.
   */
  markAgentUnreachable(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status !== 'active') return;
    agent.partitionTimer?.cancel();
    agent.partitionTimer = undefined;
    agent.sim.reachable = false;
    agent.status = 'unreachable';
    this.changed({ kind: 'agent_removed', agentId });
    agent.unreachableTime = this.clock.now();
    this.allocatable.delete(agentId);
    for (const offerId of [...agent.offers]) this.rescindOffer(offerId);
    for (const task of [...agent.tasks.values()]) {
      const framework = this.frameworks.get(task.frameworkId);
      if (!framework) continue;
      task.unreachableTime = agent.unreachableTime;
      const status = this.masterStatus(
        task,
        'TASK_UNREACHABLE',
        'REASON_AGENT_REMOVED',
        'Agent is unreachable',
        {
          unreachable_time: { nanoseconds: nanos(agent.unreachableTime) },
        },
      );
      this.applyMasterStatus(task, status);
      framework.tasks.delete(task.info.task_id.value);
      framework.unreachableTasks.set(task.info.task_id.value, task);
      this.sendUpdate(framework, status);
    }
    this.broadcastFailure(agentId);
  }

  /** An unreachable agent comes back and reregisters: its tasks come back as they are. */
  reconnectAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status !== 'unreachable') return;
    agent.status = 'active';
    agent.reregisteredTime = this.clock.now();
    agent.unreachableTime = undefined;
    for (const task of agent.tasks.values()) {
      const framework = this.frameworks.get(task.frameworkId);
      if (!framework) continue;
      framework.unreachableTasks.delete(task.info.task_id.value);
      framework.tasks.set(task.info.task_id.value, task);
      task.unreachableTime = undefined;
      // The agent's own view wins again once its updates arrive; until then the last state
      // the agent reported is the best the master knows.
      const last = lastAgentStatus(task);
      if (last) {
        task.state = last.state;
        // Reconciliation answers from this: the master's TASK_UNREACHABLE no longer holds.
        task.statusUpdateState = last.state;
      }
    }
    this.allocatable.add(agentId);
    agent.sim.reconnect();
    this.requestAllocation();
  }

  /**
   * The operator marks an agent gone (MARK_AGENT_GONE): its tasks become TASK_GONE_BY_OPERATOR
   * (TASK_LOST for non-partition-aware frameworks) and the agent never comes back.
   */
  markAgentGone(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status === 'gone') return;
    const wasActive = agent.status === 'active';
    agent.partitionTimer?.cancel();
    agent.partitionTimer = undefined;
    agent.status = 'gone';
    if (wasActive) this.changed({ kind: 'agent_removed', agentId });
    agent.sim.reachable = false;
    this.allocatable.delete(agentId);
    for (const offerId of [...agent.offers]) this.rescindOffer(offerId);
    for (const task of [...agent.tasks.values()]) {
      const framework = this.frameworks.get(task.frameworkId);
      if (!framework) continue;
      const status = this.masterStatus(
        task,
        'TASK_GONE_BY_OPERATOR',
        'REASON_AGENT_REMOVED_BY_OPERATOR',
        'Agent marked gone by operator',
      );
      this.applyMasterStatus(task, status);
      this.completeTask(framework, task);
      this.sendUpdate(framework, status);
    }
    agent.tasks.clear();
    agent.sim.destroy();
    if (wasActive) this.broadcastFailure(agentId);
  }

  /** The master now answers at another address (a standby took over). */
  moveTo(hostname: string, ip: string, port: number): void {
    this.info.hostname = hostname;
    this.info.port = port;
    this.info.pid = `master@${ip}:${port}`;
    this.info.address = { hostname, ip, port };
  }

  /** Whether the master is still recovering after a failover (the API answers 503). */
  get recovering(): boolean {
    return this.clock.now() < this.recoveredAt;
  }

  /**
   * A master failover: a new leader with a new id and an empty memory of offers, filters,
   * completed frameworks and completed tasks. Every framework stream drops; frameworks are
   * known again as "recovered" and must resubscribe with their id. The API answers 503 for
   * `recoveryMs`; agents reregister `agentReregisterMs` later, resending pending updates.
   * (Simplification: tasks stay known across the failover, as if every agent had
   * reregistered, except that reconciliation of unknown tasks on a recovering agent gets no
   * answer, as in Mesos.)
   */
  failover(options: { recoveryMs?: number; agentReregisterMs?: number } = {}): void {
    const recoveryMs = options.recoveryMs ?? 0;
    const reregisterMs = options.agentReregisterMs ?? 1000;
    this.id = this.random.uuid();
    this.info.id = this.id;
    this.recoveredAt = this.clock.now() + recoveryMs;
    this.frameworkSeq = 0;
    this.offerSeq = 0;
    this.completed.clear();
    for (const framework of this.frameworks.values()) {
      for (const offerId of [...framework.offers]) this.discardOffer(offerId, undefined);
      if (framework.subscriber) {
        const subscriber = framework.subscriber;
        this.detach(framework);
        subscriber.close();
      }
      framework.failoverTimer?.cancel();
      framework.failoverTimer = undefined;
      framework.active = false;
      framework.recovered = true;
      framework.filters.clear();
      framework.suppressed.clear();
      framework.completedTasks = [];
    }
    for (const agent of this.agents.values()) {
      if (agent.status !== 'active') continue;
      agent.status = 'recovering';
      agent.sim.reachable = false;
      this.allocatable.delete(agent.id);
      this.reregisterTimers.push(
        this.clock.setTimeout(() => {
          if (agent.status !== 'recovering') return;
          agent.status = 'active';
          agent.reregisteredTime = this.clock.now();
          this.allocatable.add(agent.id);
          agent.sim.reconnect();
          this.requestAllocation();
        }, recoveryMs + reregisterMs),
      );
    }
    this.log.info('master failed over', { master: this.id });
  }

  private broadcastFailure(agentId: string): void {
    for (const framework of this.frameworks.values()) {
      this.send(framework, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Frameworks: subscription, failover, removal

  framework(id: string): FrameworkRecord | undefined {
    return this.frameworks.get(id);
  }

  listFrameworks(): Iterable<FrameworkRecord> {
    return this.frameworks.values();
  }

  listCompletedFrameworks(): Iterable<CompletedFramework> {
    return this.completed.values();
  }

  /**
   * SUBSCRIBE on a new stream. Answers on the stream itself: SUBSCRIBED then heartbeats, or
   * ERROR and a close when the framework is refused.
   */
  subscribe(subscribe: NonNullable<Call['subscribe']>, subscriber: Subscriber): void {
    const info = subscribe.framework_info;
    const refuse = (message: string) => {
      subscriber.send({ type: 'ERROR', error: { message } });
      subscriber.close();
    };
    const invalid = validateFrameworkInfo(info);
    if (invalid) return refuse(invalid);
    if (info.id?.value && this.completed.has(info.id.value)) {
      return refuse('Framework has been removed');
    }
    const roles = frameworkRoles(info);
    const suppressedError = validateSuppressedRoles(roles, subscribe.suppressed_roles ?? []);
    if (suppressedError) return refuse(suppressedError);
    const constraints = compileOfferConstraints(subscribe.offer_constraints, roles);
    if (typeof constraints === 'string') return refuse(constraints);

    const existingId = info.id?.value;
    if (!existingId) {
      const id = `${this.id}-${String(this.frameworkSeq++).padStart(4, '0')}`;
      const framework = this.newFramework(id, { ...info, id: { value: id } }, false);
      framework.suppressed = new Set(subscribe.suppressed_roles ?? []);
      setOfferConstraints(framework, subscribe.offer_constraints, constraints);
      this.frameworks.set(id, framework);
      this.log.info('framework subscribed', { framework: id, name: info.name });
      this.connect(framework, subscriber);
      this.changed({ kind: 'framework_added', framework });
      return;
    }
    let framework = this.frameworks.get(existingId);
    if (!framework) {
      // Unknown id: Mesos assumes a master failover and recovers the framework.
      framework = this.newFramework(existingId, info, true);
      this.frameworks.set(existingId, framework);
    }
    const next: FrameworkInfo = { ...info, user: framework.info.user };
    if (framework.info.checkpoint !== undefined) next.checkpoint = framework.info.checkpoint;
    else delete next.checkpoint;
    const updateError = validateFrameworkUpdate(framework.info, next);
    if (updateError) return refuse(updateError);
    this.applyFrameworkInfo(framework, next, subscribe.suppressed_roles ?? []);
    setOfferConstraints(framework, subscribe.offer_constraints, constraints);
    framework.reregisteredTime = this.clock.now();
    framework.failoverTimer?.cancel();
    framework.failoverTimer = undefined;
    if (framework.subscriber) {
      const old = framework.subscriber;
      this.detach(framework);
      old.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
      old.close();
    }
    // Outstanding offers are discarded without RESCIND; fresh ones follow.
    for (const offerId of [...framework.offers]) this.discardOffer(offerId, undefined);
    this.log.info('framework resubscribed', { framework: existingId });
    this.connect(framework, subscriber);
    this.changed({ kind: 'framework_updated', framework });
  }

  /** The stream of `subscriber` ended (client went away or the transport closed it). */
  disconnect(subscriber: Subscriber): void {
    const id = this.bySubscriber.get(subscriber);
    const framework = id === undefined ? undefined : this.frameworks.get(id);
    if (!framework || framework.subscriber !== subscriber) return;
    this.detach(framework);
    framework.active = false;
    // Offers are rescinded; the framework cannot hear about it.
    for (const offerId of [...framework.offers]) this.discardOffer(offerId, undefined);
    const timeoutMs = Math.max(0, (framework.info.failover_timeout ?? 0) * 1000);
    this.log.info('framework disconnected', {
      framework: framework.id,
      failoverTimeoutMs: timeoutMs,
    });
    if (timeoutMs === 0) return this.removeFramework(framework);
    framework.failoverTimer = this.clock.setTimeout(() => {
      if (!framework.subscriber && this.frameworks.get(framework.id) === framework) {
        this.removeFramework(framework);
      }
    }, timeoutMs);
  }

  /** TEARDOWN (or failover timeout): kill everything the framework runs and forget it. */
  removeFramework(framework: FrameworkRecord): void {
    this.log.info('framework removed', { framework: framework.id });
    framework.failoverTimer?.cancel();
    if (framework.subscriber) {
      const subscriber = framework.subscriber;
      this.detach(framework);
      subscriber.close();
    }
    for (const offerId of [...framework.offers]) this.discardOffer(offerId, undefined);
    for (const task of [...framework.tasks.values(), ...framework.unreachableTasks.values()]) {
      if (!isTerminal(task.state)) {
        const status = this.masterStatus(
          task,
          'TASK_KILLED',
          'REASON_FRAMEWORK_REMOVED',
          'Framework ' + framework.id + ' removed',
        );
        this.applyMasterStatus(task, status);
      }
      this.completeTask(framework, task);
    }
    framework.unreachableTasks.clear();
    for (const agent of this.agents.values()) agent.sim.shutdownFramework(framework.id);
    this.frameworks.delete(framework.id);
    this.changed({ kind: 'framework_removed', info: framework.info });
    framework.active = false;
    this.completed.set(framework.id, {
      id: framework.id,
      info: framework.info,
      tasks: framework.completedTasks,
      unregisteredTime: this.clock.now(),
    });
    if (this.completed.size > maxCompletedFrameworks) {
      const oldest = this.completed.keys().next().value as string;
      this.completed.delete(oldest);
    }
  }

  private newFramework(id: string, info: FrameworkInfo, recovered: boolean): FrameworkRecord {
    return {
      id,
      info,
      roles: frameworkRoles(info),
      capabilities: new Set((info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN')),
      active: false,
      recovered,
      suppressed: new Set(),
      filters: new Map(),
      offers: new Set(),
      tasks: new Map(),
      unreachableTasks: new Map(),
      completedTasks: [],
      registeredTime: this.clock.now(),
      allocated: {},
    };
  }

  private applyFrameworkInfo(
    framework: FrameworkRecord,
    info: FrameworkInfo,
    suppressed: string[],
  ): void {
    const oldRoles = new Set(framework.roles);
    framework.info = info;
    framework.roles = frameworkRoles(info);
    framework.capabilities = new Set((info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN'));
    const newRoles = new Set(framework.roles);
    for (const offerId of [...framework.offers]) {
      const offer = this.offers.get(offerId);
      if (offer && !newRoles.has(offer.role)) this.rescindOffer(offerId);
    }
    const nextSuppressed = new Set(suppressed);
    for (const role of framework.roles) {
      // Roles newly unsuppressed (or newly added) start without refusal filters.
      if (!nextSuppressed.has(role) && (framework.suppressed.has(role) || !oldRoles.has(role))) {
        framework.filters.delete(role);
      }
    }
    framework.suppressed = nextSuppressed;
  }

  private connect(framework: FrameworkRecord, subscriber: Subscriber): void {
    framework.subscriber = subscriber;
    framework.active = true;
    framework.recovered = false;
    this.bySubscriber.set(subscriber, framework.id);
    subscriber.send({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: framework.id },
        heartbeat_interval_seconds: this.heartbeatIntervalMs / 1000,
        master_info: this.info,
      },
    });
    const beat = () => {
      if (framework.subscriber !== subscriber) return;
      subscriber.send({ type: 'HEARTBEAT' });
      framework.heartbeat = this.clock.setTimeout(beat, this.heartbeatIntervalMs);
    };
    beat();
    this.requestAllocation();
  }

  private detach(framework: FrameworkRecord): void {
    if (framework.subscriber) this.bySubscriber.delete(framework.subscriber);
    framework.subscriber = undefined;
    framework.heartbeat?.cancel();
    framework.heartbeat = undefined;
  }

  /** UPDATE_FRAMEWORK: 200, or 400 for an invalid or forbidden change. */
  updateFramework(
    framework: FrameworkRecord,
    update: NonNullable<Call['update_framework']>,
  ): UpdateFrameworkResult {
    const info = update.framework_info;
    const invalid = validateFrameworkInfo(info) ?? validateFrameworkUpdate(framework.info, info);
    if (invalid) return { status: 400, error: invalid };
    const suppressedError = validateSuppressedRoles(
      frameworkRoles(info),
      update.suppressed_roles ?? [],
    );
    if (suppressedError) return { status: 400, error: suppressedError };
    const constraints = compileOfferConstraints(update.offer_constraints, frameworkRoles(info));
    if (typeof constraints === 'string') return { status: 400, error: constraints };
    this.applyFrameworkInfo(framework, info, update.suppressed_roles ?? []);
    setOfferConstraints(framework, update.offer_constraints, constraints);
    this.changed({ kind: 'framework_updated', framework });
    this.requestAllocation();
    return { status: 200 };
  }

  // ---------------------------------------------------------------------------------------
  // Calls

  /** Every call but SUBSCRIBE and UPDATE_FRAMEWORK, once the transport has accepted it. */
  handle(framework: FrameworkRecord, call: Call): void {
    switch (call.type) {
      case 'TEARDOWN':
        return this.removeFramework(framework);
      case 'ACCEPT':
        return this.accept(framework, call.accept!);
      case 'DECLINE':
        return this.decline(framework, call.decline!);
      case 'REVIVE':
        return this.revive(framework, call.revive?.roles ?? []);
      case 'SUPPRESS':
        return this.suppress(framework, call.suppress?.roles ?? []);
      case 'KILL':
        return this.kill(framework, call.kill!);
      case 'SHUTDOWN':
        return this.shutdownExecutor(framework, call.shutdown!);
      case 'ACKNOWLEDGE':
        return this.acknowledge(framework, call.acknowledge!);
      case 'RECONCILE':
        return this.reconcile(framework, call.reconcile?.tasks ?? []);
      case 'RECONCILE_OPERATIONS':
        return this.reconcileOperations(framework, call.reconcile_operations!);
      default:
        // MESSAGE: simulated executors ignore framework messages (delivery is best-effort).
        // REQUEST: the hierarchical allocator ignores it. Inverse offers and operation
        // acknowledgements: the simulator makes neither inverse offers nor operations.
        return;
    }
  }

  private decline(framework: FrameworkRecord, decline: NonNullable<Call['decline']>): void {
    const refuse = refuseSeconds(decline.filters?.refuse_seconds);
    for (const offerId of decline.offer_ids ?? []) {
      const offer = this.offers.get(offerId.value);
      if (offer && offer.frameworkId === framework.id) this.discardOffer(offer.id, refuse);
    }
  }

  private revive(framework: FrameworkRecord, roles: string[]): void {
    const targets = roles.length > 0 ? roles : framework.roles;
    if (targets.some((role) => !framework.roles.includes(role))) return;
    for (const role of targets) {
      framework.suppressed.delete(role);
      framework.filters.delete(role);
    }
    this.requestAllocation();
  }

  private suppress(framework: FrameworkRecord, roles: string[]): void {
    const targets = roles.length > 0 ? roles : framework.roles;
    if (targets.some((role) => !framework.roles.includes(role))) return;
    for (const role of targets) framework.suppressed.add(role);
  }

  private accept(framework: FrameworkRecord, accept: NonNullable<Call['accept']>): void {
    const offerIds = (accept.offer_ids ?? []).map((id) => id.value);
    const error =
      offerIds.length === 0 ? 'No offers specified' : this.validateOffers(framework, offerIds);
    if (error) {
      for (const offerId of offerIds) {
        const offer = this.offers.get(offerId);
        if (offer && offer.frameworkId === framework.id) this.discardOffer(offerId, undefined);
      }
      this.refuseOperations(framework, accept.operations ?? [], error);
      return;
    }
    const offers = offerIds.map((id) => this.offers.get(id)!);
    const agent = this.agents.get(offers[0]!.agentId)!;
    const role = offers[0]!.role;
    const pool = emptyPool();
    for (const offer of offers) {
      addTo(pool, offer.resources);
      this.removeOffer(offer);
    }
    for (const operation of accept.operations ?? []) {
      if (operation.type === 'LAUNCH') {
        for (const task of operation.launch?.task_infos ?? [])
          this.launchTask(framework, agent, role, pool, task);
      } else if (operation.type === 'LAUNCH_GROUP') {
        this.launchGroup(framework, agent, role, pool, operation);
      } else if (operation.id) {
        this.sendOperationStatus(
          framework,
          operation,
          'OPERATION_ERROR',
          `The simulator does not support ${operation.type ?? 'UNKNOWN'} operations`,
          agent.id,
        );
      }
    }
    this.recover(agent, pool, framework, role, refuseSeconds(accept.filters?.refuse_seconds));
  }

  private validateOffers(framework: FrameworkRecord, offerIds: string[]): string | undefined {
    const seen = new Set<string>();
    for (const id of offerIds) {
      if (seen.has(id)) return `Duplicate offer ${id} in offer list`;
      seen.add(id);
    }
    for (const id of offerIds) {
      if (!this.offers.has(id)) return `Offer ${id} is no longer valid`;
    }
    for (const id of offerIds) {
      const offer = this.offers.get(id)!;
      if (offer.frameworkId !== framework.id) {
        return `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
      }
    }
    const first = this.offers.get(offerIds[0]!)!;
    for (const id of offerIds) {
      const offer = this.offers.get(id)!;
      if (offer.role !== first.role) {
        return `Aggregated offers must be allocated to the same role. Offer ${id} uses role '${offer.role} but another is using role '${first.role}`;
      }
    }
    for (const id of offerIds) {
      const offer = this.offers.get(id)!;
      if (offer.agentId !== first.agentId) {
        return `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${offer.agentId} and agent ${first.agentId}`;
      }
    }
    return undefined;
  }

  private refuseOperations(
    framework: FrameworkRecord,
    operations: OfferOperation[],
    error: string,
  ): void {
    const partitionAware = framework.capabilities.has('PARTITION_AWARE');
    for (const operation of operations) {
      const tasks =
        operation.type === 'LAUNCH'
          ? (operation.launch?.task_infos ?? [])
          : operation.type === 'LAUNCH_GROUP'
            ? (operation.launch_group?.task_group.tasks ?? [])
            : undefined;
      if (tasks) {
        for (const task of tasks) {
          this.sendUpdate(framework, {
            task_id: task.task_id,
            state: partitionAware ? 'TASK_DROPPED' : 'TASK_LOST',
            message: `Task launched with invalid offers: ${error}`,
            source: 'SOURCE_MASTER',
            reason: 'REASON_INVALID_OFFERS',
            agent_id: task.agent_id,
            timestamp: this.clock.now() / 1000,
          });
        }
      } else if (operation.id) {
        this.sendOperationStatus(
          framework,
          operation,
          'OPERATION_ERROR',
          `Operation attempted with invalid offers: ${error}`,
        );
      }
    }
  }

  private sendOperationStatus(
    framework: FrameworkRecord,
    operation: OfferOperation,
    state: OperationState,
    message: string,
    agentId?: string,
  ): void {
    this.send(framework, {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: {
        status: {
          ...(operation.id ? { operation_id: operation.id } : {}),
          state,
          message,
          ...(agentId ? { agent_id: { value: agentId } } : {}),
        },
      },
    });
  }

  private taskContext(framework: FrameworkRecord, agent: AgentRecord, role: string, pool: Pool) {
    return {
      agentId: agent.id,
      hasTask: (id: string) => framework.tasks.has(id),
      hasUnreachableTask: (id: string) => framework.unreachableTasks.has(id),
      hasExecutor: (id: string) => agent.executors.has(`${framework.id}/${id}`),
      available: pool,
      role,
    };
  }

  private launchTask(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    pool: Pool,
    task: TaskInfo,
  ): void {
    const { error, taskResources: taskPool } = validateTask(
      task,
      this.taskContext(framework, agent, role, pool),
    );
    if (error) return this.taskError(framework, task, error, 'REASON_TASK_INVALID');
    subtractFrom(pool, taskPool);
    let executorPool: Pool | undefined;
    if (
      task.executor &&
      !agent.executors.has(`${framework.id}/${task.executor.executor_id.value}`)
    ) {
      executorPool = poolFromResources(task.executor.resources).pool;
      subtractFrom(pool, executorPool);
    }
    this.addTask(
      framework,
      agent,
      role,
      task,
      taskPool,
      task.executor?.executor_id.value ?? task.task_id.value,
      task.executor,
      executorPool,
    );
  }

  private launchGroup(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    pool: Pool,
    operation: OfferOperation,
  ): void {
    const group = operation.launch_group!;
    const tasks = group.task_group.tasks ?? [];
    const executorId = group.executor.executor_id.value;
    const trial = clonePool(pool);
    const context = this.taskContext(framework, agent, role, trial);
    let error: string | undefined;
    const needs: Pool[] = [];
    let executorPool: Pool | undefined;
    if (!agent.executors.has(`${framework.id}/${executorId}`)) {
      executorPool = poolFromResources(group.executor.resources).pool;
      if (!contains(trial, executorPool)) {
        error = 'Total resources required by task group and its executor are more than available';
      } else subtractFrom(trial, executorPool);
    }
    const ids = new Set<string>();
    for (const task of tasks) {
      if (error) break;
      if (ids.has(task.task_id.value))
        error = `Task '${task.task_id.value}' is invalid: Task has duplicate ID: ${task.task_id.value}`;
      ids.add(task.task_id.value);
      // Tasks of a group run under the group's executor and carry no executor of their own.
      const asCommand: TaskInfo = task.command || task.executor ? task : { ...task, command: {} };
      const result = validateTask(asCommand, context);
      if (result.error) error = `Task '${task.task_id.value}' is invalid: ${result.error}`;
      else {
        subtractFrom(trial, result.resources);
        needs.push(result.resources);
      }
    }
    if (error) {
      for (const task of tasks) this.taskError(framework, task, error, 'REASON_TASK_GROUP_INVALID');
      return;
    }
    pool.scalars = trial.scalars;
    pool.ranges = trial.ranges;
    pool.sets = trial.sets;
    tasks.forEach((task, i) =>
      this.addTask(
        framework,
        agent,
        role,
        task,
        needs[i]!,
        executorId,
        group.executor,
        i === 0 ? executorPool : undefined,
      ),
    );
  }

  private taskError(
    framework: FrameworkRecord,
    task: TaskInfo,
    message: string,
    reason: TaskStatusReason,
  ): void {
    this.sendUpdate(framework, {
      task_id: task.task_id,
      state: 'TASK_ERROR',
      message,
      source: 'SOURCE_MASTER',
      reason,
      agent_id: task.agent_id,
      timestamp: this.clock.now() / 1000,
    });
  }

  private addTask(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    info: TaskInfo,
    resources: Pool,
    executorId: string,
    executorInfo: ExecutorInfo | undefined,
    executorPool?: Pool,
  ): void {
    const record: TaskRecord = {
      info,
      frameworkId: framework.id,
      agentId: agent.id,
      executorId,
      ...(executorInfo
        ? { executorInfo: { ...executorInfo, framework_id: { value: framework.id } } }
        : {}),
      role,
      resources,
      state: 'TASK_STAGING',
      statuses: [],
    };
    framework.tasks.set(info.task_id.value, record);
    agent.tasks.set(taskKey(framework.id, info.task_id.value), record);
    // The master tracks executors it was given (custom and default ones) with their resources;
    // command executors belong to the agent.
    const executorKey = `${framework.id}/${executorId}`;
    if (executorInfo && !agent.executors.has(executorKey)) {
      agent.executors.set(executorKey, executorPool ?? emptyPool());
    }
    if (this.watchers.size) this.changed({ kind: 'task_added', task: record });
    agent.sim.launch({
      frameworkId: framework.id,
      info,
      executorId,
      killingState: framework.capabilities.has('TASK_KILLING_STATE'),
    });
  }

  private kill(framework: FrameworkRecord, kill: NonNullable<Call['kill']>): void {
    const taskId = kill.task_id.value;
    const task = framework.tasks.get(taskId);
    if (!task) {
      // Mesos answers a kill of an unknown task with an explicit reconciliation of it.
      return this.reconcile(framework, [
        { task_id: kill.task_id, ...(kill.agent_id ? { agent_id: kill.agent_id } : {}) },
      ]);
    }
    if (kill.agent_id && kill.agent_id.value !== task.agentId) return;
    const agent = this.agents.get(task.agentId);
    if (!agent || agent.status !== 'active') return;
    const policy = kill.kill_policy?.grace_period ?? task.info.kill_policy?.grace_period;
    agent.sim.kill(
      framework.id,
      taskId,
      policy ? Number(BigInt(policy.nanoseconds) / 1_000_000n) : undefined,
    );
  }

  private shutdownExecutor(
    framework: FrameworkRecord,
    shutdown: NonNullable<Call['shutdown']>,
  ): void {
    const agent = this.agents.get(shutdown.agent_id.value);
    if (!agent || agent.status !== 'active') return;
    for (const task of agent.tasks.values()) {
      if (task.frameworkId === framework.id && task.executorId === shutdown.executor_id.value) {
        agent.sim.kill(framework.id, task.info.task_id.value, this.executorShutdownGraceMs);
      }
    }
  }

  private acknowledge(framework: FrameworkRecord, ack: NonNullable<Call['acknowledge']>): void {
    const agent = this.agents.get(ack.agent_id.value);
    if (!agent) return;
    const task = framework.tasks.get(ack.task_id.value);
    if (!task || task.agentId !== agent.id) return;
    if (isTerminal(task.statusUpdateState) && task.statusUpdateUuid === ack.uuid) {
      this.completeTask(framework, task);
    }
    agent.sim.acknowledge(framework.id, ack.task_id.value, ack.uuid);
  }

  /** RECONCILE, explicit (`tasks` given) or implicit (empty), answered as Mesos does. */
  reconcile(
    framework: FrameworkRecord,
    tasks: NonNullable<NonNullable<Call['reconcile']>['tasks']>,
  ): void {
    if (tasks.length === 0) {
      for (const task of framework.tasks.values()) {
        this.sendUpdate(framework, this.reconciliationStatus(task));
      }
      return;
    }
    // Asked at most once per call: an explicit reconcile may name 100,000 tasks.
    let recovering: boolean | undefined;
    for (const { task_id, agent_id } of tasks) {
      const task = framework.tasks.get(task_id.value);
      if (task) {
        this.sendUpdate(framework, this.reconciliationStatus(task));
        continue;
      }
      const agent = agent_id ? this.agents.get(agent_id.value) : undefined;
      // Unknown task on an agent still reregistering after a failover: no answer; the
      // scheduler must ask again.
      if (agent?.status === 'recovering') continue;
      if (!agent_id && (recovering ??= this.anyAgentRecovering())) continue;
      const base = {
        task_id,
        source: 'SOURCE_MASTER' as const,
        reason: 'REASON_RECONCILIATION' as const,
        timestamp: this.clock.now() / 1000,
        ...(agent_id ? { agent_id } : {}),
      };
      if (agent?.status === 'active') {
        this.sendUpdate(framework, {
          ...base,
          state: 'TASK_GONE',
          message: 'Reconciliation: Task is unknown to the agent',
        });
      } else if (agent?.status === 'unreachable') {
        this.sendUpdate(framework, {
          ...base,
          state: 'TASK_UNREACHABLE',
          message: 'Reconciliation: Task is unreachable',
          unreachable_time: { nanoseconds: nanos(agent.unreachableTime ?? this.clock.now()) },
        });
      } else if (agent?.status === 'gone') {
        this.sendUpdate(framework, {
          ...base,
          state: 'TASK_GONE_BY_OPERATOR',
          message: 'Reconciliation: Task is gone',
        });
      } else {
        this.sendUpdate(framework, {
          ...base,
          state: 'TASK_UNKNOWN',
          message: 'Reconciliation: Task is unknown',
        });
      }
    }
  }

  private anyAgentRecovering(): boolean {
    for (const agent of this.agents.values()) if (agent.status === 'recovering') return true;
    return false;
  }

  private reconciliationStatus(task: TaskRecord): TaskStatus {
    const last = task.statuses[task.statuses.length - 1];
    const status: TaskStatus = {
      task_id: task.info.task_id,
      state: task.statusUpdateState ?? task.state,
      message: 'Reconciliation: Latest task state',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      agent_id: { value: task.agentId },
      ...(task.executorId ? { executor_id: { value: task.executorId } } : {}),
      timestamp: this.clock.now() / 1000,
    };
    if (last?.healthy !== undefined) status.healthy = last.healthy;
    if (last?.check_status) status.check_status = last.check_status;
    if (last?.container_status) status.container_status = last.container_status;
    if (task.unreachableTime !== undefined)
      status.unreachable_time = { nanoseconds: nanos(task.unreachableTime) };
    return status;
  }

  private reconcileOperations(
    framework: FrameworkRecord,
    call: NonNullable<Call['reconcile_operations']>,
  ): void {
    for (const operation of call.operations ?? []) {
      const agent = operation.agent_id ? this.agents.get(operation.agent_id.value) : undefined;
      let state: OperationState = 'OPERATION_UNKNOWN';
      let message = "Reconciliation: Operation is unknown and no 'agent_id' was provided";
      if (operation.agent_id && !agent)
        message = 'Reconciliation: Both operation and agent are unknown';
      else if (agent?.status === 'active') message = 'Reconciliation: Operation is unknown';
      else if (agent?.status === 'unreachable') {
        state = 'OPERATION_UNREACHABLE';
        message = 'Reconciliation: Agent is unreachable';
      } else if (agent?.status === 'gone') {
        state = 'OPERATION_GONE_BY_OPERATOR';
        message = 'Reconciliation: Agent marked gone by operator';
      }
      this.send(framework, {
        type: 'UPDATE_OPERATION_STATUS',
        update_operation_status: {
          status: {
            operation_id: operation.operation_id,
            state,
            message,
            ...(operation.agent_id ? { agent_id: operation.agent_id } : {}),
          },
        },
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Status updates

  /** An update from an agent (executor or agent source, with a uuid), first send or retry. */
  private statusUpdate(
    agentId: string,
    frameworkId: string,
    status: TaskStatus,
    latestState: TaskState,
  ): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status !== 'active') return;
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return;
    const task = framework.tasks.get(status.task_id.value);
    if (task) {
      task.statusUpdateState = status.state;
      task.statusUpdateUuid = status.uuid;
      const last = task.statuses[task.statuses.length - 1];
      if (last?.uuid !== status.uuid) {
        // The master keeps statuses without their data, as Mesos does.
        if (status.data === undefined) task.statuses.push(status);
        else {
          const { data: _data, ...kept } = status;
          task.statuses.push(kept);
        }
      }
      this.transition(task, latestState);
      if (this.watchers.size) this.changed({ kind: 'task_updated', task, status });
    }
    this.sendUpdate(framework, status);
  }

  private transition(task: TaskRecord, state: TaskState): void {
    if (task.state === state) return;
    const wasTerminal = isTerminal(task.state);
    task.state = state;
    if (!wasTerminal && isTerminal(state)) this.releaseTask(task);
  }

  private applyMasterStatus(task: TaskRecord, status: TaskStatus): void {
    task.statuses.push(status);
    task.statusUpdateState = status.state;
    task.statusUpdateUuid = undefined;
    this.transition(task, status.state);
    if (this.watchers.size) this.changed({ kind: 'task_updated', task, status });
  }

  /** The task's resources go back to its agent. */
  private releaseTask(task: TaskRecord): void {
    const agent = this.agents.get(task.agentId);
    const framework = this.frameworks.get(task.frameworkId);
    if (framework) adjust(framework.allocated, task.resources, -1);
    if (!agent) return;
    if (agent.status !== 'gone') {
      addTo(agent.free, task.resources);
      if (agent.status === 'active') this.allocatable.add(agent.id);
    }
    if (task.executorInfo) {
      const executorKey = `${task.frameworkId}/${task.executorId}`;
      const stillUsed = [...agent.tasks.values()].some(
        (other) =>
          other !== task &&
          other.frameworkId === task.frameworkId &&
          other.executorId === task.executorId &&
          !isTerminal(other.state),
      );
      const executorPool = agent.executors.get(executorKey);
      if (!stillUsed && executorPool) {
        agent.executors.delete(executorKey);
        if (framework) adjust(framework.allocated, executorPool, -1);
        if (agent.status !== 'gone') addTo(agent.free, executorPool);
        // The executor exits once its last task has ended, and the framework hears of it.
        if (framework) {
          this.send(framework, {
            type: 'FAILURE',
            failure: {
              agent_id: { value: agent.id },
              executor_id: { value: task.executorId! },
              status: 0,
            },
          });
        }
      }
    }
  }

  /** The task leaves the live set (terminal and acknowledged, or its framework is gone). */
  private completeTask(framework: FrameworkRecord, task: TaskRecord): void {
    framework.tasks.delete(task.info.task_id.value);
    framework.unreachableTasks.delete(task.info.task_id.value);
    this.agents.get(task.agentId)?.tasks.delete(taskKey(framework.id, task.info.task_id.value));
    framework.completedTasks.push(task);
    if (framework.completedTasks.length > maxCompletedTasksPerFramework)
      framework.completedTasks.shift();
  }

  private masterStatus(
    task: TaskRecord,
    state: TaskState,
    reason: TaskStatusReason,
    message: string,
    extra: Partial<TaskStatus> = {},
  ): TaskStatus {
    return {
      task_id: task.info.task_id,
      state,
      message,
      source: 'SOURCE_MASTER',
      reason,
      agent_id: { value: task.agentId },
      ...(task.executorId ? { executor_id: { value: task.executorId } } : {}),
      timestamp: this.clock.now() / 1000,
      ...extra,
    };
  }

  /** Sends an UPDATE, translating partition-aware states for frameworks that are not. */
  private sendUpdate(framework: FrameworkRecord, status: TaskStatus): void {
    let sent = status;
    if (partitionAwareOnly.has(status.state) && !framework.capabilities.has('PARTITION_AWARE')) {
      sent = { ...status, state: 'TASK_LOST' };
    }
    this.send(framework, { type: 'UPDATE', update: { status: sent } });
  }

  private send(framework: FrameworkRecord, event: Event): void {
    framework.subscriber?.send(event);
  }

  // ---------------------------------------------------------------------------------------
  // Offers and allocation

  /** Asks for an allocation pass as soon as possible (new framework, revive, new agent). */
  requestAllocation(): void {
    if (!this.running || this.allocationSoon) return;
    this.allocationSoon = this.clock.setTimeout(() => {
      this.allocationSoon = undefined;
      this.allocate();
    }, 0);
  }

  /**
   * One allocation pass: each agent with unallocated resources goes, whole, to the
   * (framework, role) with the lowest dominant share that wants it — connected, active, role
   * not suppressed, no refusal filter covering those resources, and able to use the agent
   * (GPU_RESOURCES for GPU agents, REGION_AWARE for remote regions).
   */
  allocate(): void {
    const candidates: { framework: FrameworkRecord; role: string; share: number }[] = [];
    for (const framework of this.frameworks.values()) {
      if (!framework.active || !framework.subscriber) continue;
      for (const role of framework.roles) {
        if (!framework.suppressed.has(role))
          candidates.push({ framework, role, share: this.share(framework) });
      }
    }
    if (candidates.length === 0 || this.allocatable.size === 0) return;
    candidates.sort((a, b) => a.share - b.share);
    const now = this.clock.now();
    const batches = new Map<FrameworkRecord, Offer[]>();
    for (const agentId of this.allocatable) {
      const agent = this.agents.get(agentId);
      if (!agent || agent.status !== 'active' || isEmptyPool(agent.free)) {
        this.allocatable.delete(agentId);
        continue;
      }
      for (let i = 0; i < candidates.length; i++) {
        const candidate = candidates[i]!;
        if (!this.wants(candidate.framework, candidate.role, agent, now)) continue;
        const offer = this.makeOffer(candidate.framework, candidate.role, agent);
        let batch = batches.get(candidate.framework);
        if (!batch) batches.set(candidate.framework, (batch = []));
        batch.push(offer);
        candidate.share = this.share(candidate.framework);
        // Keep candidates ordered by share; only the one that moved needs re-placing.
        for (
          let j = i;
          j + 1 < candidates.length && candidates[j]!.share > candidates[j + 1]!.share;
          j++
        ) {
          [candidates[j], candidates[j + 1]] = [candidates[j + 1]!, candidates[j]!];
        }
        break;
      }
    }
    for (const [framework, offers] of batches)
      this.send(framework, { type: 'OFFERS', offers: { offers } });
  }

  private wants(
    framework: FrameworkRecord,
    role: string,
    agent: AgentRecord,
    now: number,
  ): boolean {
    const constraint = framework.offerConstraints?.get(role);
    if (constraint && !constraint(constrainedAgent(agent))) return false;
    if (!meetsMinimum(framework.info.offer_filters?.[role], agent.free)) return false;
    if (agent.hasGpus && !framework.capabilities.has('GPU_RESOURCES')) return false;
    if (
      this.region &&
      agent.region &&
      agent.region !== this.region &&
      !framework.capabilities.has('REGION_AWARE')
    )
      return false;
    const filters = framework.filters.get(role);
    const filter = filters?.get(agent.id);
    if (filter) {
      if (filter.until <= now) filters!.delete(agent.id);
      else if (contains(filter.resources, agent.free)) return false;
    }
    return true;
  }

  private share(framework: FrameworkRecord): number {
    let share = 0;
    for (const [name, used] of Object.entries(framework.allocated)) {
      const total = this.totals[name];
      if (total) share = Math.max(share, used / total);
    }
    return share;
  }

  private get totals(): Record<string, number> {
    if (!this.totalsCache) {
      const totals: Record<string, number> = {};
      for (const agent of this.agents.values()) {
        for (const [name, value] of Object.entries(agent.total.scalars))
          totals[name] = (totals[name] ?? 0) + value;
      }
      this.totalsCache = totals;
    }
    return this.totalsCache;
  }
  private totalsCache: Record<string, number> | undefined;

  private makeOffer(framework: FrameworkRecord, role: string, agent: AgentRecord): Offer {
    const id = `${this.id}-O${this.offerSeq++}`;
    const resources = agent.free;
    agent.free = emptyPool();
    this.allocatable.delete(agent.id);
    const record: OfferRecord = {
      id,
      frameworkId: framework.id,
      agentId: agent.id,
      role,
      resources,
    };
    if (this.offerTimeoutMs !== undefined) {
      record.timer = this.clock.setTimeout(() => this.rescindOffer(id), this.offerTimeoutMs);
    }
    this.offers.set(id, record);
    agent.offers.add(id);
    framework.offers.add(id);
    adjust(framework.allocated, resources, 1);
    return this.offerMessage(record, framework, agent);
  }

  /** The Offer as this framework sees it (its capabilities decide the resource format). */
  offerMessage(record: OfferRecord, framework: FrameworkRecord, agent: AgentRecord): Offer {
    const multiRole = framework.capabilities.has('MULTI_ROLE');
    const executorIds: { value: string }[] = [];
    const prefix = `${framework.id}/`;
    for (const key of agent.executors.keys())
      if (key.startsWith(prefix)) executorIds.push({ value: key.slice(prefix.length) });
    const offer: Offer = {
      id: { value: record.id },
      framework_id: { value: framework.id },
      agent_id: { value: agent.id },
      hostname: agent.info.hostname,
      url: {
        scheme: 'http',
        address: { hostname: agent.info.hostname, ip: agent.ip, port: agent.info.port ?? 5051 },
        path: '/slave(1)',
      },
      resources: poolToResources(record.resources, {
        legacyRole: !framework.capabilities.has('RESERVATION_REFINEMENT'),
        ...(multiRole ? { allocationRole: record.role } : {}),
      }),
    };
    if (agent.info.domain) offer.domain = agent.info.domain;
    if (agent.info.attributes?.length) offer.attributes = agent.info.attributes;
    if (executorIds.length > 0) offer.executor_ids = executorIds;
    if (multiRole) offer.allocation_info = { role: record.role };
    return offer;
  }

  offer(id: string): OfferRecord | undefined {
    return this.offers.get(id);
  }

  listOffers(framework: FrameworkRecord): OfferRecord[] {
    return [...framework.offers].map((id) => this.offers.get(id)!).filter(Boolean);
  }

  private removeOffer(offer: OfferRecord): void {
    offer.timer?.cancel();
    this.offers.delete(offer.id);
    this.agents.get(offer.agentId)?.offers.delete(offer.id);
    this.frameworks.get(offer.frameworkId)?.offers.delete(offer.id);
  }

  /** Takes an offer back and returns its resources, with a refusal filter if given. */
  private discardOffer(offerId: string, refuse: number | undefined): void {
    const offer = this.offers.get(offerId);
    if (!offer) return;
    this.removeOffer(offer);
    const agent = this.agents.get(offer.agentId);
    const framework = this.frameworks.get(offer.frameworkId);
    if (agent) this.recover(agent, offer.resources, framework, offer.role, refuse);
  }

  /** Takes an offer back, telling the framework with RESCIND. */
  rescindOffer(offerId: string): void {
    const offer = this.offers.get(offerId);
    if (!offer) return;
    const framework = this.frameworks.get(offer.frameworkId);
    this.discardOffer(offerId, undefined);
    if (framework)
      this.send(framework, { type: 'RESCIND', rescind: { offer_id: { value: offerId } } });
  }

  private recover(
    agent: AgentRecord,
    pool: Pool,
    framework: FrameworkRecord | undefined,
    role: string,
    refuse: number | undefined,
  ): void {
    if (framework) adjust(framework.allocated, pool, -1);
    if (isEmptyPool(pool) || agent.status === 'gone') return;
    addTo(agent.free, pool);
    if (agent.status === 'active') this.allocatable.add(agent.id);
    if (framework && refuse !== undefined && refuse > 0) {
      let filters = framework.filters.get(role);
      if (!filters) framework.filters.set(role, (filters = new Map()));
      const previous = filters.get(agent.id);
      const resources = clonePool(pool);
      if (previous && previous.until > this.clock.now()) addTo(resources, previous.resources);
      filters.set(agent.id, { until: this.clock.now() + refuse * 1000, resources });
    }
  }
}

function setOfferConstraints(
  framework: FrameworkRecord,
  spec: OfferConstraints | undefined,
  filter: OfferConstraintsFilter,
): void {
  framework.offerConstraintsSpec = spec;
  framework.offerConstraints = filter.size > 0 ? filter : undefined;
}

function constrainedAgent(agent: AgentRecord): ConstrainedAgent {
  return {
    hostname: agent.info.hostname,
    region: agent.info.domain?.fault_domain?.region.name,
    zone: agent.info.domain?.fault_domain?.zone.name,
    attributes: agent.info.attributes ?? [],
  };
}

function refuseSeconds(value: number | undefined): number {
  if (value === undefined || value < 0 || Number.isNaN(value)) return defaultRefuseSeconds;
  return Math.min(value, maxRefuseSeconds);
}

/**
 * Whether an agent's unallocated resources are worth offering to a framework's role: its
 * `offer_filters[role].min_allocatable_resources` if set (any one of the alternatives, each
 * quantity at least), else the master's default `cpus:0.01|mem:32`.
 */
function meetsMinimum(filters: OfferFilters | undefined, pool: Pool): boolean {
  const alternatives = filters?.min_allocatable_resources?.quantities;
  if (!filters?.min_allocatable_resources) {
    return (pool.scalars.cpus ?? 0) >= minCpus || (pool.scalars.mem ?? 0) >= minMem;
  }
  if (!alternatives || alternatives.length === 0) return true;
  return alternatives.some((alternative) =>
    Object.entries(alternative.quantities ?? {}).every(
      ([name, quantity]) => quantityOf(pool, name) >= quantity.value,
    ),
  );
}

function quantityOf(pool: Pool, name: string): number {
  const scalar = pool.scalars[name];
  if (scalar !== undefined) return scalar;
  const ranges = pool.ranges[name];
  if (ranges) return ranges.reduce((sum, [begin, end]) => sum + end - begin + 1, 0);
  return pool.sets[name]?.length ?? 0;
}

function adjust(totals: Record<string, number>, pool: Pool, sign: 1 | -1): void {
  for (const [name, value] of Object.entries(pool.scalars)) {
    totals[name] = Math.max(0, (totals[name] ?? 0) + sign * value);
  }
}

export function nanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

function ipToUint32(ip: string): number {
  // MasterInfo.ip is the IPv4 address in network byte order, read as a little-endian uint32.
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return 0;
  return ((parts[3]! << 24) | (parts[2]! << 16) | (parts[1]! << 8) | parts[0]!) >>> 0;
}

function agentIp(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** The last status the task's agent (not the master) reported. */
function lastAgentStatus(task: TaskRecord): TaskStatus | undefined {
  for (let i = task.statuses.length - 1; i >= 0; i--) {
    if (task.statuses[i]!.source !== 'SOURCE_MASTER') return task.statuses[i];
  }
  return undefined;
}
