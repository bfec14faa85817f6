/**
 * Watches over the engine's change history. A new watch first replays the history from its start
 * revision (in batches of whole revisions) and then receives every later change as it is
 * published; publishing happens only once a change is durable, so a watcher never sees
 * something a crash could take back. Single-key watches are found through a map, so a change
 * costs O(watchers on that key + range watchers), not O(all watchers).
 */
import type { Clock, Timer } from '../../clock.ts';
import { inInterval, type KeyInterval } from './key-space.ts';
import type { Change } from './requests.ts';

export interface WatchSpec {
  interval: KeyInterval;
  /** First revision to deliver; the caller resolves 0 ("from now") before calling. */
  startRevision: number;
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
  progressNotify: boolean;
}

export interface WatchSink {
  /** Changes, all with modRevision <= `revision`; every change of those revisions is included. */
  events(revision: number, changes: Change[]): void;
  /** A quiet watch's periodic mark: nothing is pending up to `revision`. */
  progress(revision: number): void;
  /** The store is closing: nothing more will come. */
  closed(): void;
}

export interface Watcher {
  readonly spec: WatchSpec;
  readonly sink: WatchSink;
}

/** How many changes one replayed batch carries at most (whole revisions are never split). */
const REPLAY_BATCH = 1000;

export class WatchHub {
  private readonly byKey = new Map<string, Set<Watcher>>();
  private readonly ranged = new Set<Watcher>();
  private readonly progressWatchers = new Set<Watcher>();
  private progressTimer: Timer | undefined;
  /** The newest revision whose changes have been published. */
  publishedRevision: number;

  constructor(
    private readonly clock: Clock,
    private readonly progressIntervalMs: number,
    startRevision: number,
  ) {
    this.publishedRevision = startRevision;
  }

  /**
   * Registers a watch and replays `history` (ascending by revision, already cut to start at or
   * after the watcher's start revision) up to the published revision.
   */
  add(spec: WatchSpec, sink: WatchSink, history: Iterable<Change>): Watcher {
    const watcher: Watcher = { spec, sink };
    this.replay(watcher, history);
    if ('single' in spec.interval) {
      let set = this.byKey.get(spec.interval.single);
      if (!set) this.byKey.set(spec.interval.single, (set = new Set()));
      set.add(watcher);
    } else {
      this.ranged.add(watcher);
    }
    if (spec.progressNotify) {
      this.progressWatchers.add(watcher);
      this.armProgress();
    }
    return watcher;
  }

  remove(watcher: Watcher): void {
    const interval = watcher.spec.interval;
    if ('single' in interval) {
      const set = this.byKey.get(interval.single);
      set?.delete(watcher);
      if (set?.size === 0) this.byKey.delete(interval.single);
    } else {
      this.ranged.delete(watcher);
    }
    this.progressWatchers.delete(watcher);
  }

  /** Delivers the (durable) changes of one revision to every watcher that wants them. */
  publish(revision: number, changes: Change[]): void {
    this.publishedRevision = revision;
    if (this.byKey.size === 0 && this.ranged.size === 0) return;
    const batches = new Map<Watcher, Change[]>();
    for (const change of changes) {
      const exact = this.byKey.get(change.kv.key);
      if (exact) for (const w of exact) collect(batches, w, change);
      for (const w of this.ranged) {
        if (inInterval(w.spec.interval, change.kv.key)) collect(batches, w, change);
      }
    }
    for (const [watcher, events] of batches) watcher.sink.events(revision, events);
  }

  close(): void {
    this.progressTimer?.cancel();
    const watchers = new Set([...this.ranged, ...[...this.byKey.values()].flatMap((s) => [...s])]);
    for (const w of watchers) w.sink.closed();
    this.byKey.clear();
    this.ranged.clear();
    this.progressWatchers.clear();
  }

  private replay(watcher: Watcher, history: Iterable<Change>): void {
    let batch: Change[] = [];
    let batchRevision = 0;
    for (const change of history) {
      const revision = change.kv.mod;
      if (revision > this.publishedRevision) break;
      if (revision !== batchRevision && batch.length >= REPLAY_BATCH) {
        watcher.sink.events(batchRevision, batch);
        batch = [];
      }
      batchRevision = revision;
      if (wants(watcher, change)) batch.push(change);
    }
    if (batch.length > 0) watcher.sink.events(this.publishedRevision, batch);
  }

  private armProgress(): void {
    if (this.progressTimer || this.progressWatchers.size === 0) return;
    this.progressTimer = this.clock.setTimeout(() => {
      this.progressTimer = undefined;
      for (const w of this.progressWatchers) w.sink.progress(this.publishedRevision);
      this.armProgress();
    }, this.progressIntervalMs);
  }
}

function wants(watcher: Watcher, change: Change): boolean {
  const spec = watcher.spec;
  if (change.kv.mod < spec.startRevision) return false;
  if (change.type === 'put' ? spec.noPut : spec.noDelete) return false;
  return inInterval(spec.interval, change.kv.key);
}

function collect(batches: Map<Watcher, Change[]>, watcher: Watcher, change: Change): void {
  if (!wants(watcher, change)) return;
  const list = batches.get(watcher);
  if (list) list.push(change);
  else batches.set(watcher, [change]);
}
