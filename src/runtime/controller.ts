/**
 * A controller: a work queue of object keys and a few workers that hand each key to a
 * Reconciler. Reconcile is level-triggered: it reads the current state, takes one step toward
 * the desired state and returns; it is called again whenever anything it read may have changed.
 * Failures are retried per key with exponential backoff; a TerminalError is recorded (by the
 * reconciler's `onTerminal`) and not retried until the key is added again by a change.
 */
import { MesetaError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { Registry } from './metrics.ts';
import { WorkQueue } from './work-queue.ts';

/** What a reconcile asks for next. */
export interface Result {
  /** Reconcile this key again after this many milliseconds, even if nothing changes. */
  requeueAfter?: number;
}

/** Moves one object one step toward its desired state. Called again whenever anything it
 *  read may have changed; must be safe to call at any time, any number of times. */
export interface Reconciler<K> {
  reconcile(key: K, signal: AbortSignal): Promise<Result | void>;
  /** Records a terminal failure on the object (a condition, an event). */
  onTerminal?(key: K, error: TerminalError): Promise<void>;
}

/** A failure that retrying cannot fix (e.g. an invalid spec): reported, not retried. */
export class TerminalError extends MesetaError {
  constructor(reason: string, message: string) {
    super(reason, message);
  }
}

export interface ControllerOptions<K> {
  name: string;
  reconciler: Reconciler<K>;
  workers?: number;
  queue?: WorkQueue<K>;
  logger?: Logger;
  metrics?: Registry;
  /** How a key prints in logs. */
  describe?: (key: K) => string;
}

export class Controller<K> {
  readonly name: string;
  readonly queue: WorkQueue<K>;
  private readonly reconciler: Reconciler<K>;
  private readonly workers: number;
  private readonly logger: Logger;
  private readonly describe: (key: K) => string;
  private readonly observe: (seconds: number, outcome: string) => void;

  constructor(options: ControllerOptions<K>) {
    this.name = options.name;
    this.reconciler = options.reconciler;
    this.workers = options.workers ?? 4;
    this.queue = options.queue ?? new WorkQueue<K>();
    this.logger = (options.logger ?? silentLogger).child({ controller: options.name });
    this.describe = options.describe ?? String;
    const metrics = options.metrics;
    if (metrics) {
      metrics
        .gauge('meseta_workqueue_depth', 'Keys waiting in a controller work queue')
        .collect(() => this.queue.length, { controller: this.name });
      const duration = metrics.histogram(
        'meseta_reconcile_duration_seconds',
        'Time spent in one reconcile',
      );
      const total = metrics.counter('meseta_reconcile_total', 'Reconciles by outcome');
      this.observe = (seconds, outcome) => {
        duration.observe(seconds, { controller: this.name });
        total.inc({ controller: this.name, outcome });
      };
    } else {
      this.observe = () => {};
    }
  }

  enqueue(key: K): void {
    this.queue.add(key);
  }

  /** Enqueues `key` after `ms`, unless an earlier add of it is already due. */
  enqueueAfter(key: K, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /**
   * Runs the workers until `signal` aborts, then stops taking keys, lets the reconciles in
   * flight finish (they see the aborted signal) and resolves.
   */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutDown();
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    const workers = Array.from({ length: this.workers }, () => this.work(signal));
    await Promise.all(workers);
    signal.removeEventListener('abort', stop);
  }

  private async work(signal: AbortSignal): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.process(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async process(key: K, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await this.reconciler.reconcile(key, signal);
      this.queue.forget(key);
      if (result?.requeueAfter !== undefined && !signal.aborted) {
        this.queue.addAfter(key, result.requeueAfter);
      }
      this.observe(seconds(), 'success');
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof TerminalError) {
        this.queue.forget(key);
        this.observe(seconds(), 'terminal');
        this.logger.warn('reconcile failed for good', { key: this.describe(key), error });
        await this.reconciler.onTerminal?.(key, error).catch((cause: unknown) =>
          this.logger.error('recording a terminal failure failed', {
            key: this.describe(key),
            error: cause,
          }),
        );
        return;
      }
      this.observe(seconds(), 'error');
      this.logger.info('reconcile failed, will retry', {
        key: this.describe(key),
        retries: this.queue.retries(key),
        error,
      });
      this.queue.addRateLimited(key);
    }
  }
}
