/**
 * Runs a set of controllers in one process, each under its own leader election (its name is
 * the role), so that any number of replicas can run and only one acts per controller.
 *
 * For each controller the manager campaigns; once leader it creates the controller with the
 * store and internal records fenced by that leadership and runs it. The moment the lease is
 * lost (`leadership.signal`), the controller is told to stop — its writes already fail through
 * the fence — and, once it has stopped, the manager campaigns again. A controller that fails
 * gives its leadership up (so that a healthy replica takes over) and campaigns again after a
 * backoff. Stopping the manager stops every controller, lets work in flight finish, and
 * resigns, so that a standby takes over within one retry period instead of a lease duration.
 *
 * It also answers the probe server: `/healthz` (the manager runs), `/readyz` (the store
 * answers, and every controller it leads has filled its caches), `/metrics` (with
 * `meseta_leader{controller}` 1 while leading).
 *
 * @example
 *   const manager = new Manager({ store, controllers: selectControllers(['apps'], settings), settings, identity });
 *   const probes = await manager.startProbes({ port: 10257 });
 *   await manager.run(signal); // until signal aborts; drained and resigned when it resolves
 *   await probes.close();
 */
import { hostname } from 'node:os';
import { realClock, type Clock } from '../clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { Backoff } from '../runtime/backoff.ts';
import { EventRecorder } from '../runtime/events.ts';
import { Registry, type Gauge, type Counter } from '../runtime/metrics.ts';
import { startProbeServer, type Check, type ProbeServer } from '../runtime/probe-server.ts';
import type { Leadership } from '../store/leader.ts';
import type { Store } from '../store/store.ts';
import type {
  ControllerDeps,
  ControllerFactory,
  ControllerSettings,
  RunningController,
} from './registry.ts';

export interface ElectionTimings {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerOptions {
  store: Store;
  controllers: readonly ControllerFactory[];
  settings: ControllerSettings;
  /** Who this process is in leader keys and logs; default `hostname/pid`. */
  identity?: string;
  /** Default Kubernetes': lease 15 s, renew deadline 10 s, retry 2 s. */
  election?: ElectionTimings;
  clock?: Clock;
  logger?: Logger;
  metrics?: Registry;
  /** How long `/readyz` waits for the store to answer. Default 2 s. */
  storeCheckTimeoutMs?: number;
}

/** What the manager knows of one controller right now. */
export interface ControllerState {
  name: string;
  leading: boolean;
  /** Leadership terms this process has had for it. */
  terms: number;
  /** The running controller while leading. */
  running?: RunningController;
}

export function defaultIdentity(): string {
  return `${hostname()}/${process.pid}`;
}

export class Manager {
  readonly metrics: Registry;
  readonly identity: string;
  private readonly options: ManagerOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly states = new Map<string, ControllerState>();
  private readonly leaderGauge: Gauge;
  private readonly transitions: Counter;
  private readonly failuresTotal: Counter;
  private running = false;

  constructor(options: ManagerOptions) {
    this.options = options;
    this.identity = options.identity ?? defaultIdentity();
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger).child({ identity: this.identity });
    this.metrics = options.metrics ?? new Registry();
    this.leaderGauge = this.metrics.gauge(
      'meseta_leader',
      'Whether this process leads the controller (1) or stands by (0)',
    );
    this.transitions = this.metrics.counter(
      'meseta_leader_terms_total',
      'Times this process became leader of the controller',
    );
    this.failuresTotal = this.metrics.counter(
      'meseta_controller_failures_total',
      'Times a controller stopped with an error while leading',
    );
    this.metrics
      .gauge('process_resident_memory_bytes', 'Resident memory size in bytes')
      .collect(() => process.memoryUsage.rss());
    for (const factory of options.controllers) {
      this.states.set(factory.name, { name: factory.name, leading: false, terms: 0 });
      this.leaderGauge.set(0, { controller: factory.name });
    }
  }

  /** Each controller's state, in the order given. */
  controllers(): ControllerState[] {
    return [...this.states.values()].map((state) => ({ ...state }));
  }

  /**
   * Campaigns for and runs every controller until `signal` aborts; then stops them, waits for
   * their work in flight, resigns, and resolves.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.logger.info('controller manager starting', {
      controllers: this.options.controllers.map((c) => c.name),
    });
    try {
      await Promise.all(this.options.controllers.map((factory) => this.lead(factory, signal)));
    } finally {
      this.running = false;
      this.logger.info('controller manager stopped');
    }
  }

  /** `/healthz` checks: the manager is running. */
  liveness(): Record<string, Check> {
    return { manager: () => this.running };
  }

  /** `/readyz` checks: the store answers; each controller led here has synced its caches. */
  readiness(): Record<string, Check> {
    const checks: Record<string, Check> = { store: () => this.storeAnswers() };
    for (const state of this.states.values()) {
      checks[`controller-${state.name}`] = () =>
        !state.leading || (state.running?.synced?.() ?? true);
    }
    return checks;
  }

  /** Serves `/healthz`, `/readyz` and `/metrics` for this manager. */
  startProbes(options: { host?: string; port?: number } = {}): Promise<ProbeServer> {
    return startProbeServer({
      ...options,
      metrics: this.metrics,
      liveness: this.liveness(),
      readiness: this.readiness(),
    });
  }

  private async lead(factory: ControllerFactory, signal: AbortSignal): Promise<void> {
    const state = this.states.get(factory.name)!;
    const log = this.logger.child({ controller: factory.name });
    const election = this.options.store.election({
      role: factory.name,
      identity: this.identity,
      ...this.options.election,
    });
    const backoff = new Backoff(1_000, 60_000, 0.2);
    while (!signal.aborted) {
      let leadership: Leadership;
      try {
        leadership = await election.campaign(signal);
      } catch (error) {
        if (signal.aborted) break;
        log.error('campaigning failed; trying again', { error });
        await this.pause(backoff.next(), signal);
        continue;
      }
      const failed = await this.term(factory, leadership, state, signal, log);
      if (leadership.signal.aborted) {
        log.warn('leadership lost; controller stopped, campaigning again', {
          reason: leadership.signal.reason as unknown,
        });
      } else {
        // Shutting down, or the controller failed: hand over now rather than when the lease
        // runs out.
        await leadership.resign();
        log.info('resigned leadership');
      }
      if (failed) await this.pause(backoff.next(), signal);
      else backoff.reset();
    }
  }

  /** One leadership term: runs the controller until it or the leadership ends. */
  private async term(
    factory: ControllerFactory,
    leadership: Leadership,
    state: ControllerState,
    signal: AbortSignal,
    log: Logger,
  ): Promise<boolean> {
    const labels = { controller: factory.name };
    state.leading = true;
    state.terms++;
    this.leaderGauge.set(1, labels);
    this.transitions.inc(labels);
    log.info('leading', { term: state.terms, lease: leadership.leaseId });
    const stop = AbortSignal.any([signal, leadership.signal]);
    let failed = false;
    try {
      state.running = factory.create(this.depsFor(factory, leadership, log));
      await state.running.run(stop);
      if (!stop.aborted) throw new Error('the controller stopped by itself');
    } catch (error) {
      if (!stop.aborted) {
        failed = true;
        this.failuresTotal.inc(labels);
        log.error('controller failed; giving up leadership', { error });
      } else {
        log.debug('controller ended after stop', { error });
      }
    } finally {
      state.leading = false;
      state.running = undefined;
      this.leaderGauge.set(0, labels);
    }
    return failed;
  }

  private depsFor(factory: ControllerFactory, leadership: Leadership, log: Logger): ControllerDeps {
    const store = this.options.store.objects.withFence(leadership.fence);
    return {
      store,
      records: this.options.store.records.withFence(leadership.fence),
      kv: this.options.store.kv,
      recorder: new EventRecorder({
        store,
        component: factory.name,
        clock: this.clock,
        logger: log,
      }),
      identity: this.identity,
      settings: this.options.settings,
      clock: this.clock,
      logger: log,
      metrics: this.metrics,
    };
  }

  private pause(ms: number, signal: AbortSignal): Promise<void> {
    return this.clock.sleep(ms, signal).catch(() => {});
  }

  private async storeAnswers(): Promise<boolean> {
    const timeoutMs = this.options.storeCheckTimeoutMs ?? 2_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the store did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.options.store.kv.status(), timeout]);
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
