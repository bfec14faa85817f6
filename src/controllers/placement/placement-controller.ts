/**
 * The placement controller: binds every Instance that needs an agent to one, by rounds.
 *
 * Informers keep Agents, Instances, AppRevisions (indexed by `namespace/app/revision`) and Apps
 * in memory. Any change that can alter a decision (an Agent's offers or cordon, an Instance's
 * binding, goal or task, a new revision) pokes a trigger; a burst of changes makes one round
 * (`settleMs` after its first change), and a round also runs every `resyncMs` so that bindings
 * that waited too long for a launch are replaced. A round decides with the pure `placeRound`
 * (src/placement/round.ts), writes the bindings as compare-and-swap updates, up to 120 per
 * transaction (a conflict skips that instance until the next round), and reports on Apps (the
 * `Placed` condition and `FailedPlacement` events, see report.ts).
 *
 * A round decides from the Instance cache overlaid with the bindings this controller wrote that
 * the cache does not show yet: without them it would count their agents as free again, and
 * with them it never waits for its own writes to come back through the watch (seconds, on a
 * busy etcd). It reads the cache through indexes (what needs an agent, what awaits launch, the
 * instances of an App) and the newest staging per agent, kept as instances change: a round
 * costs what it places, not every instance there is.
 *
 * @example
 *   const placement = new PlacementController({ store, recorder });
 *   await placement.run(signal); // until signal aborts
 */
import type { AppRevision, AppTemplate } from '../../api/app-revision.ts';
import { agentObjectName, type Agent } from '../../api/agent.ts';
import { awaitsLaunch, needsPlacement, type Instance } from '../../api/instance.ts';
import {
  agentResource,
  appResource,
  appRevisionResource,
  instanceResource,
  type StoredApp,
} from '../../api/resources.ts';
import { realClock, type Clock, type Timer } from '../../clock.ts';
import { silentLogger, type Logger } from '../../log.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { Informer, objectKey, runInformed } from '../../runtime/informer.ts';
import type { Registry } from '../../runtime/metrics.ts';
import { isNewerVersion } from '../../store/object.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import { agentStanding, offerUsed } from '../../placement/agent-slot.ts';
import { LastStaged } from '../../placement/last-staged.ts';
import {
  DEFAULT_STALE_BINDING_MS,
  placeRound,
  type RoundInstances,
  type RoundResult,
} from '../../placement/round.ts';
import { writeBindings } from './bind.ts';
import { BY_PLACED, PlacementReporter, placedIndex } from './report.ts';
import { RoundTrigger } from './round-trigger.ts';

export interface PlacementControllerOptions {
  store: ObjectStore;
  recorder?: EventRecorder;
  clock?: Clock;
  logger?: Logger;
  metrics?: Registry;
  /** The framework's Mesos role, whose reservations instances may use. Default `*`. */
  role?: string;
  /** A binding not launched after this long is placed again. Default 30 s. */
  staleBindingMs?: number;
  /** Instances awaiting launch on one agent's offers, at most. Default 5. */
  maxInstancesPerOffer?: number;
  /**
   * Agents whose offer the bridge declines within this long get nothing. Default 2 s; keep it
   * well under the bridge's `offerHoldMs`.
   */
  offerMarginMs?: number;
  /** How long a burst of changes may settle before its round. Default 50 ms. */
  settleMs?: number;
  /** A round at least this often, changes or not. Default 10 s. */
  resyncMs?: number;
  /** A changed why-not message is written to an App at most this often. Default 10 s. */
  reportIntervalMs?: number;
  /** Instances unplaced this long make their App `Placed: False`. Default 3 s. */
  unschedulableAfterMs?: number;
}

/** What one round did. */
export interface RoundSummary {
  /** True when nothing needed an agent, so the cluster was not read at all. */
  idle?: boolean;
  bound: number;
  conflicts: number;
  unplaced: number;
}

const BY_REVISION = 'byRevision';
const BY_PHASE = 'byPlacementPhase';
const NEEDS_AGENT = 'needsAgent';
const AWAITS_LAUNCH = 'awaitsLaunch';
const BY_APP = 'byApp';
/** How often a round with nothing pending looks at the bindings awaiting launch. */
const BINDINGS_LOOK_MS = 1000;

/**
 * Where an instance is in placement's eyes: waiting for an agent, or bound and waiting for its
 * launch (a binding that may go stale). Everything else is placement's business only as load.
 */
function placementPhase(instance: Instance): string[] {
  if (needsPlacement(instance)) return [NEEDS_AGENT];
  if (awaitsLaunch(instance)) return [AWAITS_LAUNCH];
  return [];
}

export class PlacementController {
  readonly agents: Informer<Agent>;
  readonly instances: Informer<Instance>;
  readonly revisions: Informer<AppRevision>;
  readonly apps: Informer<StoredApp>;
  readonly #options: PlacementControllerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #trigger: RoundTrigger;
  /** Bindings written that the Instance cache may not show yet, by instance key. */
  readonly #written = new Map<string, Instance>();
  readonly #lastStaged = new LastStaged();
  readonly #reporter: PlacementReporter;
  readonly #observe: (result: RoundResult | undefined, summary: RoundSummary, ms: number) => void;
  /** When bindings awaiting launch were last looked at, and whether an Agent's standing changed. */
  #bindingsLookedAt = Number.NEGATIVE_INFINITY;
  #standingChanged = false;
  /** A round asked for when an unplaced App becomes due for reporting. */
  #lookAgain: { at: number; timer: Timer } | undefined;

  constructor(options: PlacementControllerOptions) {
    this.#options = options;
    const { store } = options;
    this.#clock = options.clock ?? realClock;
    this.#logger = (options.logger ?? silentLogger).child({ controller: 'placement' });
    const common = { clock: this.#clock, logger: this.#logger };
    this.agents = new Informer(store, agentResource, common);
    this.instances = new Informer(store, instanceResource, {
      ...common,
      indexers: {
        [BY_PHASE]: placementPhase,
        [BY_APP]: (instance) => [appKey(instance.metadata.namespace ?? '', instance.spec.app)],
      },
    });
    this.revisions = new Informer(store, appRevisionResource, {
      ...common,
      indexers: {
        [BY_REVISION]: (r) => [revisionKey(r.metadata.namespace, r.spec.app, r.spec.revision)],
      },
    });
    this.apps = new Informer(store, appResource, {
      ...common,
      indexers: { [BY_PLACED]: placedIndex },
    });
    this.#trigger = new RoundTrigger(this.#clock, options.settleMs ?? 50);
    this.#reporter = new PlacementReporter({
      store,
      apps: this.apps,
      recorder: options.recorder,
      clock: this.#clock,
      logger: this.#logger,
      ...(options.reportIntervalMs !== undefined
        ? { minIntervalMs: options.reportIntervalMs }
        : {}),
      ...(options.unschedulableAfterMs !== undefined
        ? { unschedulableAfterMs: options.unschedulableAfterMs }
        : {}),
    });
    this.#observe = observer(options.metrics);

    const poke = () => this.#trigger.poke();
    this.agents.addHandlers({
      added: poke,
      modified: (old, now) => {
        if (agentStanding(old) !== agentStanding(now)) this.#standingChanged = true;
        if (agentChangeMatters(old, now)) poke();
      },
      deleted: (agent) => {
        if (agent.status?.agentId) this.#lastStaged.forget(agent.status.agentId);
        this.#standingChanged = true;
        poke();
      },
    });
    this.instances.addHandlers({
      added: (instance) => {
        this.#cacheShows(instance);
        this.#lastStaged.note(instance);
        poke();
      },
      modified: (old, now) => {
        this.#cacheShows(now);
        this.#lastStaged.note(now);
        if (instanceChangeMatters(old, now)) poke();
      },
      deleted: (instance) => {
        this.#written.delete(objectKey(instance));
        poke();
      },
    });
    this.revisions.addHandlers({ added: poke });
  }

  /**
   * Runs the informers and, once all have synced, rounds until `signal` aborts. Rejects if an
   * informer fails for good (after stopping the rest).
   */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.agents, this.instances, this.revisions, this.apps];
    await runInformed(informers, signal, (stop) => this.#loop(stop));
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const resyncMs = this.#options.resyncMs ?? 10_000;
    let timer: Timer | undefined;
    const schedule = () => {
      timer = this.#clock.setTimeout(() => {
        this.#trigger.poke();
        schedule();
      }, resyncMs);
    };
    schedule();
    this.#trigger.poke();
    try {
      while (await this.#trigger.next(signal)) {
        try {
          await this.round();
        } catch (error) {
          this.#logger.error('placement round failed; the next one tries again', { error });
        }
      }
    } finally {
      timer?.cancel();
      this.#lookAgain?.timer.cancel();
      this.#lookAgain = undefined;
    }
  }

  /** Asks for a round at `at` (ms), unless one is asked for sooner already. */
  #lookAgainAt(at: number): void {
    if (this.#lookAgain && this.#lookAgain.at <= at) return;
    this.#lookAgain?.timer.cancel();
    const timer = this.#clock.setTimeout(
      () => {
        this.#lookAgain = undefined;
        this.#trigger.poke();
      },
      Math.max(0, at - this.#clock.now()),
    );
    this.#lookAgain = { at, timer };
  }

  /** One round now, from the caches. */
  async round(): Promise<RoundSummary> {
    const started = performance.now();
    const now = this.#clock.now();
    // Most changes while tasks start (a status update, a launch) leave nothing to place; a
    // round reads every instance and agent, so skip it then — but still let Apps whose
    // instances were all placed meanwhile (or deleted) clear their `Placed` condition.
    if (!this.#anythingToPlace(now)) {
      await this.#reporter.report(new Map());
      const summary = { idle: true, bound: 0, conflicts: 0, unplaced: 0 };
      this.#observe(undefined, summary, performance.now() - started);
      return summary;
    }
    const result = placeRound({
      agents: this.agents.list(),
      instances: this.#roundInstances(),
      template: (namespace, app, revision) => this.#template(namespace, app, revision),
      now,
      ...(this.#options.role !== undefined ? { role: this.#options.role } : {}),
      ...(this.#options.staleBindingMs !== undefined
        ? { staleBindingMs: this.#options.staleBindingMs }
        : {}),
      ...(this.#options.maxInstancesPerOffer !== undefined
        ? { maxInstancesPerOffer: this.#options.maxInstancesPerOffer }
        : {}),
      ...(this.#options.offerMarginMs !== undefined
        ? { offerMarginMs: this.#options.offerMarginMs }
        : {}),
    });
    const { written, conflicts } = await writeBindings(
      this.#options.store,
      result.bindings,
      new Date(now).toISOString(),
      this.#logger,
    );
    for (const instance of written) this.#written.set(objectKey(instance), instance);
    const due = await this.#reporter.report(result.apps);
    if (due !== undefined) this.#lookAgainAt(due);
    let unplaced = 0;
    for (const outcome of result.apps.values()) unplaced += outcome.unplaced;
    const summary = { bound: written.length, conflicts, unplaced };
    this.#observe(result, summary, performance.now() - started);
    if (written.length > 0 || unplaced > 0) {
      this.#logger.info('placement round', {
        ...summary,
        ms: Math.round(performance.now() - started),
      });
    }
    return summary;
  }

  /**
   * The cached instances as a round reads them, through the cache's indexes, each replaced by
   * the binding written for it if that is newer: an instance this controller bound awaits its
   * launch even before the cache shows it.
   */
  #roundInstances(): RoundInstances {
    const byPhase = (phase: string): Instance[] => {
      const cached = this.instances.byIndex(BY_PHASE, phase);
      if (this.#written.size === 0) return cached;
      const found = new Map<string, Instance>();
      for (const instance of cached) found.set(objectKey(instance), instance);
      // Our newer bindings replace what the cache has, which may sit under another phase.
      for (const [key, mine] of this.#written) {
        const cachedNow = this.instances.get(key);
        if (cachedNow && isNewerVersion(mine, cachedNow)) found.set(key, mine);
      }
      return [...found.values()].filter((i) => placementPhase(i)[0] === phase);
    };
    return {
      needingAgent: () => byPhase(NEEDS_AGENT),
      awaitingLaunch: () => byPhase(AWAITS_LAUNCH),
      ofApp: (namespace, app) => this.instances.byIndex(BY_APP, appKey(namespace, app)),
      lastStagedOn: (agentId) => this.#lastStaged.on(agentId),
    };
  }

  /** The cache has caught up with a binding written for `instance` (or gone past it). */
  #cacheShows(instance: Instance): void {
    const key = objectKey(instance);
    const mine = this.#written.get(key);
    if (mine && !isNewerVersion(mine, instance)) this.#written.delete(key);
  }

  /**
   * Whether a round would find work: an instance that needs an agent, or a binding placement
   * must replace (it waited longer than `staleBindingMs`, or its agent is gone, removed or
   * cordoned, or holds no offer a launch could use — the same rule as `placeRound`). Costs one
   * look per binding awaiting launch.
   */
  #anythingToPlace(now: number): boolean {
    if (this.instances.countByIndex(BY_PHASE, NEEDS_AGENT) > 0) return true;
    // Bindings go stale over 30 s: looking once a second is soon enough, unless an agent was
    // cordoned or removed (or gone: a deletion pokes a round, and its bindings are stale).
    if (now - this.#bindingsLookedAt < BINDINGS_LOOK_MS && !this.#standingChanged) return false;
    this.#bindingsLookedAt = now;
    this.#standingChanged = false;
    const staleMs = this.#options.staleBindingMs ?? DEFAULT_STALE_BINDING_MS;
    for (const instance of this.instances.byIndex(BY_PHASE, AWAITS_LAUNCH)) {
      if (!(now - Date.parse(instance.spec.boundAt ?? '') < staleMs)) return true;
      const agentId = instance.spec.agentId!;
      const agent = this.agents.get(agentObjectName(agentId));
      if (!agent || agentStanding(agent) !== 'ok') return true;
      if (!agent.status?.offered?.length || offerUsed(agent, this.#lastStaged.on(agentId))) {
        return true;
      }
    }
    return false;
  }

  #template(namespace: string, app: string, revision: number): AppTemplate | undefined {
    return this.revisions.byIndex(BY_REVISION, revisionKey(namespace, app, revision))[0]?.spec
      .template;
  }
}

function appKey(namespace: string, app: string): string {
  return `${namespace}/${app}`;
}

function revisionKey(namespace: string | undefined, app: string, revision: number): string {
  return `${namespace ?? ''}/${app}/${revision}`;
}

/** Whether an Agent change can change a decision: anything but `lastSeenAt`. */
export function agentChangeMatters(old: Agent, now: Agent): boolean {
  if (old === now) return true;
  return (
    old.spec?.unschedulable !== now.spec?.unschedulable ||
    old.status?.state !== now.status?.state ||
    old.status?.offeredAt !== now.status?.offeredAt ||
    old.status?.hostname !== now.status?.hostname ||
    JSON.stringify(old.status?.offered) !== JSON.stringify(now.status?.offered) ||
    JSON.stringify(old.status?.attributes) !== JSON.stringify(now.status?.attributes) ||
    JSON.stringify(old.status?.domain) !== JSON.stringify(now.status?.domain)
  );
}

/**
 * Whether an Instance change can change a decision: its binding, goal, generation, or its task
 * starting or ending. Health and readiness changes, the bulk of status updates, cost nothing.
 */
export function instanceChangeMatters(old: Instance, now: Instance): boolean {
  if (old === now) return true;
  return (
    old.spec.agentId !== now.spec.agentId ||
    old.spec.boundAt !== now.spec.boundAt ||
    old.spec.goal !== now.spec.goal ||
    old.metadata.generation !== now.metadata.generation ||
    old.status?.taskId !== now.status?.taskId ||
    old.status?.state !== now.status?.state ||
    old.status?.observedGeneration !== now.status?.observedGeneration ||
    old.status?.agentId !== now.status?.agentId
  );
}

function observer(
  metrics: Registry | undefined,
): (result: RoundResult | undefined, summary: RoundSummary, ms: number) => void {
  if (!metrics) return () => {};
  const rounds = metrics.counter('meseta_placement_rounds_total', 'Placement rounds by outcome');
  const bound = metrics.counter('meseta_placement_bindings_total', 'Instances bound to agents');
  const conflicts = metrics.counter(
    'meseta_placement_conflicts_total',
    'Bindings that lost a compare-and-swap race',
  );
  const unplaced = metrics.gauge(
    'meseta_placement_unplaced',
    'Instances the last round could not place',
  );
  const duration = metrics.histogram(
    'meseta_placement_round_duration_seconds',
    'Time spent in one placement round',
  );
  return (result, summary, ms) => {
    rounds.inc({ outcome: summary.idle ? 'idle' : 'ran' });
    if (!result) return;
    bound.inc({}, summary.bound);
    conflicts.inc({}, summary.conflicts);
    unplaced.set(summary.unplaced);
    duration.observe(ms / 1000);
  };
}
