/**
 * The launch queue: paces instance creation to what placement and the Mesos bridge absorb.
 * At most `limit` instances wait for a task at once across the cluster (created, or whose last
 * task ended, and not yet handed to Mesos); an App that wants more waits its turn, first come
 * first served, and is woken when launches make room. Without it a burst of 10,000 instances
 * is created in seconds and then sits Pending for many more, each instance's wait being its
 * place in a queue nobody can see; with it the wait happens before creation, in the open (the
 * App's `Progressing` message says so), and every created instance starts promptly. Marathon
 * keeps such a launch queue; Kubernetes' controllers are paced by their API rate limits.
 *
 * It paces meseta's own pipeline, not Mesos's: the unbound instances of an App that no agent
 * fits (its `Placed` condition is False) do not count, so an unplaceable App never blocks the
 * others, and a launched task counts only until it runs or for `startGraceMs`, whichever comes
 * first, however long Mesos takes to start it.
 *
 * It opens gradually, as TCP's slow start does: after a quiet spell only a quarter of the limit
 * may wait, and each task that starts running (or stops counting after `startGraceMs`) lets one
 * more in, so the window doubles with each wave that starts until it reaches the limit. A burst's first wave competes with the first
 * passes of every App applied with it (revisions, statuses); a small first wave starts promptly
 * nevertheless.
 *
 * Room is promised, not just offered: a woken App is owed its share until its pass comes, so
 * newcomers cannot take it first. A share is at least a tenth of the limit (or all the App still
 * wants), so that filling many Apps costs one pass each rather than one per launch.
 *
 * @example
 *   const queue = new LaunchQueue({ limit: 500, waiting: () => count(), wake: enqueue, clock });
 *   const allowed = queue.admit('default/web', ['default/web-1-a', 'default/web-1-b']);
 */
import type { Clock } from '../../clock.ts';
import { wantsTask, type Instance } from '../../api/instance.ts';

export interface LaunchQueueOptions {
  /** At most this many instances wait for a task at once. */
  limit: number;
  /** How many instances wait for a task now, as the caches show (unplaceable Apps' excluded). */
  waiting: () => number;
  /** Brings an App's pass back once room is promised to it. */
  wake: (app: string) => void;
  clock: Clock;
  /**
   * Runs a pump soon: instance events come in bursts, and one pump after the burst is enough.
   * Default: a microtask.
   */
  defer?: (pump: () => void) => void;
  /**
   * A launched task counts until it runs, but at most this long (default 5 s): what follows a
   * launch (the task's updates, each written to the store before Mesos sends the next) is
   * meseta's work too, but an image that takes minutes to pull must not hold the queue (it still
   * starts `limit` instances per this time at least).
   */
  startGraceMs?: number;
  /**
   * How many may wait after a quiet spell, before tasks start running (default a quarter of the
   * limit, at least a share); the limit turns the slow start off.
   */
  firstWindow?: number;
}

/** The limit when none is configured. */
export const DEFAULT_LAUNCH_QUEUE_LIMIT = 500;

const DEFAULT_START_GRACE_MS = 5000;

/** A promise or a creation the caches never confirm is dropped after this long. */
const PATIENCE_MS = 30_000;

export class LaunchQueue {
  readonly limit: number;
  /** Apps waiting for room, in arrival order: key → instances still wanted. */
  readonly #queued = new Map<string, number>();
  /** Room promised to woken Apps until their pass comes: key → count and when. */
  readonly #promised = new Map<string, { count: number; at: number }>();
  #promisedTotal = 0;
  /** Instances admitted and not yet in the caches, by key → when (in creation order). */
  readonly #unseen = new Map<string, number>();
  /** Instances launched and not yet running, by key → when (in launch order). */
  readonly #starting = new Map<string, number>();
  readonly #minShare: number;
  readonly #startGraceMs: number;
  /** How many may wait now: from a quarter of the limit after a quiet spell up to the limit. */
  #window: number;
  readonly #firstWindow: number;
  readonly #defer: (pump: () => void) => void;
  #pumpAsked = false;

  constructor(private readonly options: LaunchQueueOptions) {
    if (!(options.limit >= 1)) throw new RangeError(`launch queue limit must be ≥ 1`);
    this.limit = options.limit;
    this.#minShare = Math.max(1, Math.ceil(options.limit / 10));
    this.#startGraceMs = options.startGraceMs ?? DEFAULT_START_GRACE_MS;
    this.#firstWindow = Math.min(
      this.limit,
      options.firstWindow ?? Math.max(this.#minShare, Math.ceil(options.limit / 4)),
    );
    this.#window = this.#firstWindow;
    this.#defer = options.defer ?? queueMicrotask;
  }

  /**
   * How many of `instances` (keys of the App's new instances, in the order they would be
   * created) App `app` may create now; those are counted until the caches show them. The App
   * queues for the rest, keeping its place if it was queued already.
   */
  admit(app: string, instances: readonly string[]): number {
    const promise = this.#takeBackPromise(app);
    const wanted = instances.length;
    if (wanted === 0) {
      this.#queued.delete(app);
      this.pump();
      return 0;
    }
    // Promised room is the App's; without a promise it may take room only if nobody is ahead
    // of it, and only a share worth a pass (as `pump` would give it).
    const first = this.#queued.keys().next();
    const room = Math.max(0, this.#room());
    const inTurn = first.done === true || first.value === app;
    const granted =
      promise !== undefined || (inTurn && room >= Math.min(wanted, this.#minShare))
        ? Math.min(wanted, room)
        : 0;
    const now = this.options.clock.now();
    for (let i = 0; i < granted; i++) this.#unseen.set(instances[i]!, now);
    if (granted === wanted) {
      this.#queued.delete(app);
    } else if (granted > 0 || !this.#queued.has(app)) {
      // Served in part, or new: to the back of the line.
      this.#queued.delete(app);
      this.#queued.set(app, wanted - granted);
    } else {
      this.#queued.set(app, wanted); // keeps its place
    }
    this.pump();
    return granted;
  }

  /** Whether `app` waits for room. */
  isQueued(app: string): boolean {
    return this.#queued.has(app) || this.#promised.has(app);
  }

  /**
   * Follows an instance change (`now` undefined: deleted): a launch starts its grace, a task
   * that runs or ends ends it, and room made wakes the Apps waiting for it.
   */
  follow(key: string, old: Instance, now: Instance | undefined): void {
    const state = now?.status?.state;
    const starting = now !== undefined && (state === 'TASK_STAGING' || state === 'TASK_STARTING');
    if (starting && wantsTask(old) && !wantsTask(now)) {
      this.#starting.delete(key);
      this.#starting.set(key, this.options.clock.now());
    } else if (!starting) {
      const launched = this.#starting.delete(key);
      // Slow start: each task that runs lets one more in, up to the limit.
      if (launched && state === 'TASK_RUNNING') this.#widen();
    }
    if (wantsTask(old) || state !== old.status?.state) this.#pumpSoon();
  }

  #pumpSoon(): void {
    if (this.#pumpAsked || this.#queued.size === 0) return;
    this.#pumpAsked = true;
    this.#defer(() => {
      this.#pumpAsked = false;
      this.pump();
    });
  }

  /** The caches now show `instance`, which this queue admitted. */
  seen(instance: string): void {
    this.#unseen.delete(instance);
  }

  /** Admitted instances whose creation failed: their room is free again. */
  abandoned(instances: readonly string[]): void {
    for (const instance of instances) this.#unseen.delete(instance);
    this.pump();
  }

  /** The App is gone or being deleted: it wants nothing more. */
  forget(app: string): void {
    this.#queued.delete(app);
    this.#takeBackPromise(app);
    this.pump();
  }

  /** Apps waiting for room (promised ones included). */
  get queuedApps(): number {
    return this.#queued.size + this.#promised.size;
  }

  /**
   * Promises room to the Apps at the head of the line, and wakes them. Call it whenever room
   * may have been made: an instance launched or gone, an App found unplaceable.
   */
  pump(): void {
    this.#expire();
    if (this.#queued.size === 0) return;
    let room = this.#room();
    for (const [app, wanted] of this.#queued) {
      const share = Math.min(wanted, room);
      if (share < Math.min(wanted, this.#minShare)) break;
      this.#queued.delete(app);
      this.#promised.set(app, { count: share, at: this.options.clock.now() });
      this.#promisedTotal += share;
      room -= share;
      this.options.wake(app);
    }
  }

  /** Takes back the room promised to `app`, if any, and says what it was. */
  #takeBackPromise(app: string): { count: number; at: number } | undefined {
    const promise = this.#promised.get(app);
    if (promise) {
      this.#promised.delete(app);
      this.#promisedTotal -= promise.count;
    }
    return promise;
  }

  #room(): number {
    const taken = this.options.waiting() + this.#starting.size + this.#unseen.size;
    if (taken + this.#promisedTotal === 0) this.#window = this.#firstWindow;
    return this.#window - taken - this.#promisedTotal;
  }

  #widen(): void {
    this.#window = Math.min(this.limit, this.#window + 1);
  }

  /** How many instances may wait for a task now (at most `limit`). */
  get window(): number {
    return this.#window;
  }

  /** Drops promises whose pass never came and creations the caches never showed. */
  #expire(): void {
    const before = this.options.clock.now() - PATIENCE_MS;
    for (const [app, promise] of this.#promised) {
      if (promise.at > before) break;
      this.#takeBackPromise(app);
    }
    for (const [instance, at] of this.#unseen) {
      if (at > before) break;
      this.#unseen.delete(instance);
    }
    const started = this.options.clock.now() - this.#startGraceMs;
    for (const [instance, at] of this.#starting) {
      if (at > started) break;
      this.#starting.delete(instance);
      // Mesos is slow to start it, not meseta: the slow start goes on as if it ran.
      this.#widen();
    }
  }
}
