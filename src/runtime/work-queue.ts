/**
 * The controllers' work queue, with Kubernetes' guarantees:
 * - a key added many times before a worker takes it is handed out once (de-duplication);
 * - a key is never held by two workers at once;
 * - a key added while a worker holds it is handed out again after `done` (nothing is lost);
 * - delayed and rate-limited adds, for retries and `requeueAfter`;
 * - shutdown stops new adds; `drain` waits until everything queued has been processed.
 *
 * Invariant for callers: every key obtained from `get` must be passed to `done` exactly once.
 */
import type { Clock, Timer } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { defaultControllerLimiter } from './rate-limiter.ts';

export interface WorkQueueOptions<K> {
  clock?: Clock;
  limiter?: RateLimiter<K>;
}

export class WorkQueue<K> {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  // FIFO of keys ready to hand out; `head` avoids O(n) shifts on a large queue.
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing: queued, or re-added while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** Keys waiting for a delayed add, with when they are due. */
  private readonly waiting = new Map<K, { at: number; timer: Timer }>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private readonly drainers: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.clock = options.clock ?? realClock;
    this.limiter = options.limiter ?? defaultControllerLimiter<K>(this.clock);
  }

  /** Marks `key` as needing processing. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // `done` queues it again
    this.enqueue(key);
  }

  /** Adds `key` after `ms`; an earlier pending delayed add of the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  /** Adds `key` after the wait its rate limiter prescribes (a retry after a failure). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clears the key's retry history; call after it was processed successfully. */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  retries(key: K): number {
    return this.limiter.retries(key);
  }

  /**
   * The next key to process, waiting until one is ready. Resolves to undefined once the queue
   * is shut down and empty: the worker should then exit.
   */
  get(): Promise<K | undefined> {
    const key = this.dequeue();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.enqueue(key);
    this.notifyDrained();
  }

  /** Keys ready to be handed out (the queue depth metric). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys currently held by workers. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Stops accepting adds and cancels delayed ones; queued keys are still handed out. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    if (this.length === 0) for (const resolve of this.getters.splice(0)) resolve(undefined);
    this.notifyDrained();
  }

  /** Shuts down and resolves once every queued and in-flight key has been processed. */
  drain(): Promise<void> {
    this.shutDown();
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  private enqueue(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.take(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  private dequeue(): K | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++] as K;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.take(key);
    return key;
  }

  private take(key: K): void {
    this.dirty.delete(key);
    this.processing.add(key);
    if (this.shuttingDown && this.length === 0) {
      // Workers still waiting will never get another key.
      for (const resolve of this.getters.splice(0)) resolve(undefined);
    }
  }

  private isDrained(): boolean {
    return this.length === 0 && this.processing.size === 0;
  }

  private notifyDrained(): void {
    if (!this.shuttingDown || !this.isDrained()) return;
    for (const resolve of this.drainers.splice(0)) resolve();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
  }
}
