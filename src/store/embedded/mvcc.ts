/**
 * The MVCC engine behind the embedded etcd-compatible server, with etcd's revision semantics:
 * one main revision per write (a transaction with several puts is one revision; its changes are
 * ordered by sub-revision), create/mod revision and version per key (a delete resets the
 * version), reads of any revision not yet compacted, transactions with etcd's compares and
 * limits, leases whose expiry revokes their keys in one revision, and watches that replay
 * history before streaming.
 *
 * Durability: every response waits until what it reflects is on disk (writes wait for their
 * log record; reads for the records applied before them), and watches see a change only once it
 * is durable. With no data directory everything is in memory.
 */
import { realClock, type Clock } from '../../clock.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { DataDir, type MemberIds } from './data-dir.ts';
import { etcdErrors, EtcdServerError, RevisionCompactedError } from './errors.ts';
import { KeyIndex } from './key-index.ts';
import { intervalOf, type KeyInterval } from './key-space.ts';
import { LeaseTable, MAX_LEASE_TTL, MIN_LEASE_TTL } from './leases.ts';
import type { LogRecord, Mutation } from './record-codec.ts';
import type {
  Change,
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyRevision,
  LeaseInfo,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from './requests.ts';
import { comparatorFor, passesFilters, visibleAt } from './range-rules.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot.ts';
import { checkShape, compareHolds, MISSING, stampRevision } from './txn-rules.ts';
import { WatchHub, type WatchSink, type WatchSpec } from './watch-hub.ts';

/** etcd's default interval between progress notifications (10 minutes). */
export const DEFAULT_PROGRESS_NOTIFY_MS = 10 * 60_000;

export interface MvccOptions {
  /** Where to persist; absent for a memory-only engine. */
  dataDir?: string;
  clock?: Clock;
  log?: Logger;
  /**
   * Write a snapshot (and drop the log it covers) after this many log records, once the log is
   * also at least as large as the previous snapshot.
   */
  snapshotEvery?: number;
  progressNotifyIntervalMs?: number;
}

export interface WatchRequest extends Omit<WatchSpec, 'startRevision'> {
  /** 0: only changes after now. */
  startRevision: number;
}

/** A started watch, or the compact revision that made it impossible. */
export type WatchStart = { compacted: number } | { cancel(): void };

interface WriteTxn {
  revision: number;
  sub: number;
  changes: Change[];
  /** What else to log besides the key changes: lease grants and revokes, compactions. */
  mutations: Mutation[];
}

const RESOLVED = Promise.resolve();
/** Shared by the many writes that log only key changes; never pushed to. */
const NO_MUTATIONS: Mutation[] = [];

interface TxnPath {
  succeeded: boolean;
  nested: TxnPath[];
}

const EMPTY = '';

export class MvccEngine {
  private readonly histories = new Map<string, KeyRevision[]>();
  private readonly index = new KeyIndex();
  /** Every change not compacted away, ascending by (revision, sub-revision). */
  private changes: Change[] = [];
  private currentRevision = 1;
  private compacted = 0;
  private logIndex = 0;
  private recordsSinceSnapshot = 0;
  private approximateBytes = 0;
  private failure: Error | undefined;
  private closed = false;
  /** Durable writes not yet shown to watchers, and the group-commit promise they wait on. */
  private unpublished: { revision: number; changes: Change[]; durable: Promise<void> }[] = [];
  private lastDurable: Promise<void> | undefined;
  private readonly leases: LeaseTable;
  private readonly hub: WatchHub;

  private constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly dataDir: DataDir | undefined,
    readonly member: MemberIds,
    private readonly snapshotEvery: number,
    progressNotifyIntervalMs: number,
  ) {
    this.leases = new LeaseTable(clock, (id) => this.expire(id));
    this.hub = new WatchHub(clock, progressNotifyIntervalMs, 0);
  }

  static async open(options: MvccOptions = {}): Promise<MvccEngine> {
    const clock = options.clock ?? realClock;
    const log = options.log ?? silentLogger;
    const progressMs = options.progressNotifyIntervalMs ?? DEFAULT_PROGRESS_NOTIFY_MS;
    const snapshotEvery = options.snapshotEvery ?? 100_000;
    if (!options.dataDir) {
      const member = { clusterId: '14841639068965178418', memberId: '10276657743932975437' };
      const engine = new MvccEngine(clock, log, undefined, member, snapshotEvery, progressMs);
      engine.hub.publishedRevision = engine.currentRevision;
      return engine;
    }
    const { dataDir, recovered } = await DataDir.open(options.dataDir, log);
    const engine = new MvccEngine(clock, log, dataDir, recovered.member, snapshotEvery, progressMs);
    if (recovered.snapshot) engine.restore(recovered.snapshot);
    for (const record of recovered.records) engine.replay(record);
    engine.hub.publishedRevision = engine.currentRevision;
    log.info('embedded store opened', {
      dataDir: options.dataDir,
      revision: engine.currentRevision,
      keys: engine.histories.size,
      replayedRecords: recovered.records.length,
    });
    return engine;
  }

  get revision(): number {
    return this.currentRevision;
  }

  get compactRevision(): number {
    return this.compacted;
  }

  /** The log position of the last write: what etcd reports as its raft index. */
  get raftIndex(): number {
    return this.logIndex;
  }

  get dbSize(): number {
    return this.dataDir ? this.dataDir.sizeBytes : this.approximateBytes;
  }

  // ---- KV ----

  range(req: RangeRequest): Promise<RangeResponse> {
    this.ensureOpen();
    return this.afterDurable(this.rangeAt(req, this.currentRevision));
  }

  /** A transaction of one put, without the transaction machinery: the hot path. */
  put(req: PutRequest): Promise<PutResponse> {
    this.ensureOpen();
    this.checkPut(req);
    const w = this.beginWrite();
    const res = this.applyPut(w, req);
    const done = this.commit(w);
    res.revision = this.currentRevision;
    return this.settle(done, res);
  }

  async deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    const res = await this.txn({ compare: [], success: [{ deleteRange: req }], failure: [] });
    return (res.responses[0] as { deleteRange: DeleteRangeResponse }).deleteRange;
  }

  txn(req: TxnRequest): Promise<TxnResponse> {
    this.ensureOpen();
    checkShape(req);
    const path = this.pathOf(req);
    this.checkOps(path.succeeded ? req.success : req.failure, path);
    const w = this.beginWrite();
    const responses = this.applyOps(path.succeeded ? req.success : req.failure, path, w);
    const done = this.commit(w);
    const revision = this.currentRevision;
    stampRevision(responses, revision);
    return this.settle(done, { revision, succeeded: path.succeeded, responses });
  }

  /** Discards history before `revision`. */
  compact(revision: number): Promise<{ revision: number }> {
    this.ensureOpen();
    if (revision <= this.compacted) throw new RevisionCompactedError(this.compacted);
    if (revision > this.currentRevision) throw etcdErrors.futureRevision();
    this.applyCompact(revision);
    const w = this.beginWrite();
    w.mutations = [{ op: 'compact', revision }];
    return this.settle(this.commit(w), { revision: this.currentRevision });
  }

  // ---- Leases ----

  leaseGrant(ttl: number, id?: string): Promise<{ id: string; ttl: number; revision: number }> {
    this.ensureOpen();
    if (ttl > MAX_LEASE_TTL) throw etcdErrors.leaseTtlTooLarge();
    const leaseId = id && id !== '0' ? id : this.leases.newId();
    if (this.leases.has(leaseId)) throw etcdErrors.leaseExists();
    const granted = Math.max(ttl, MIN_LEASE_TTL);
    this.leases.add(leaseId, granted);
    const w = this.beginWrite();
    w.mutations = [{ op: 'grant', id: leaseId, ttl: granted }];
    return this.settle(this.commit(w), {
      id: leaseId,
      ttl: granted,
      revision: this.currentRevision,
    });
  }

  /** Revokes the lease and deletes its keys, in one revision. */
  leaseRevoke(id: string): Promise<{ revision: number }> {
    this.ensureOpen();
    const lease = this.leases.get(id);
    if (!lease) throw etcdErrors.leaseNotFound();
    const w = this.beginWrite();
    for (const key of [...lease.keys].sort()) this.deleteKey(w, key);
    w.mutations = [{ op: 'revoke', id }];
    this.leases.remove(id);
    return this.settle(this.commit(w), { revision: this.currentRevision });
  }

  /** Renews the lease: its TTL, or 0 when it does not exist. */
  leaseKeepAlive(id: string): Promise<{ ttl: number; revision: number }> {
    this.ensureOpen();
    const lease = this.leases.renew(id);
    return this.afterDurable({ ttl: lease ? lease.ttl : 0, revision: this.currentRevision });
  }

  leaseTimeToLive(id: string, withKeys: boolean): LeaseInfo & { revision: number } {
    this.ensureOpen();
    const lease = this.leases.get(id);
    if (!lease) return { id, ttl: -1, grantedTtl: 0, keys: [], revision: this.currentRevision };
    return {
      id,
      ttl: this.leases.remaining(lease),
      grantedTtl: lease.ttl,
      keys: withKeys ? [...lease.keys].sort() : [],
      revision: this.currentRevision,
    };
  }

  leaseList(): string[] {
    this.ensureOpen();
    return this.leases.all().map((lease) => lease.id);
  }

  // ---- Watch ----

  /**
   * Starts a watch: replays history from `startRevision` through `sink`, then streams. A start
   * revision below the compact revision starts nothing and reports the compact revision.
   */
  watch(req: WatchRequest, sink: WatchSink): WatchStart {
    this.ensureOpen();
    if (req.startRevision > 0 && req.startRevision < this.compacted) {
      return { compacted: this.compacted };
    }
    // "From now" means after the newest change a reader could have seen: reads wait for
    // durability, and so does publishing, so that is the published revision.
    const start = req.startRevision > 0 ? req.startRevision : this.hub.publishedRevision + 1;
    const spec: WatchSpec = { ...req, startRevision: start };
    const watcher = this.hub.add(spec, sink, this.historyFrom(start));
    return { cancel: () => this.hub.remove(watcher) };
  }

  /** The newest revision every watcher has been sent (for progress requests). */
  get watchedRevision(): number {
    return this.hub.publishedRevision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
    this.leases.close();
    await this.dataDir?.close();
  }

  // ---- internals: reading ----

  private rangeAt(req: RangeRequest, current: number): RangeResponse {
    if (!req.key) throw etcdErrors.emptyKey();
    const at = req.revision && req.revision > 0 ? req.revision : current;
    if (at > current) throw etcdErrors.futureRevision();
    if (at < this.compacted) throw new RevisionCompactedError(this.compacted);
    const sorting = (req.sortOrder ?? 'NONE') !== 'NONE';
    const filtering = !!(
      req.minModRevision ||
      req.maxModRevision ||
      req.minCreateRevision ||
      req.maxCreateRevision
    );
    const limit = req.limit && req.limit > 0 ? req.limit : Infinity;
    let kvs: KeyRevision[] = [];
    let count = 0;
    for (const kv of this.liveIn(intervalOf(req.key, req.rangeEnd), at)) {
      count++;
      if (req.countOnly) continue;
      if (filtering && !passesFilters(req, kv)) continue;
      if (!sorting && kvs.length > limit) continue;
      kvs.push(kv);
    }
    if (sorting) kvs.sort(comparatorFor(req));
    const more = kvs.length > limit;
    if (more) kvs = kvs.slice(0, limit);
    if (req.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY }));
    return { revision: current, kvs, more, count };
  }

  /** Live versions, as of revision `at`, of the keys in `interval`, ascending by key. */
  private *liveIn(interval: KeyInterval, at: number): Generator<KeyRevision> {
    if ('single' in interval) {
      const kv = visibleAt(this.histories.get(interval.single), at);
      if (kv) yield kv;
      return;
    }
    for (const key of this.index.scan(interval.start, interval.end)) {
      const kv = visibleAt(this.histories.get(key), at);
      if (kv) yield kv;
    }
  }

  private latestLive(key: string): KeyRevision | undefined {
    const history = this.histories.get(key);
    const last = history?.[history.length - 1];
    return last && last.version > 0 ? last : undefined;
  }

  private *historyFrom(revision: number): Generator<Change> {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.changes[mid]!.kv.mod < revision) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.changes.length; i++) yield this.changes[i]!;
  }

  // ---- internals: transactions ----

  /** Which branch each (nested) transaction takes, decided on the state before any write. */
  private pathOf(req: TxnRequest): TxnPath {
    const succeeded = req.compare.every((c) => this.holds(c));
    const ops = succeeded ? req.success : req.failure;
    const nested: TxnPath[] = [];
    for (const op of ops) if ('txn' in op) nested.push(this.pathOf(op.txn));
    return { succeeded, nested };
  }

  private holds(c: Compare): boolean {
    const interval = intervalOf(c.key, c.rangeEnd);
    let any = false;
    for (const kv of this.liveIn(interval, this.currentRevision)) {
      any = true;
      if (!compareHolds(c, kv)) return false;
    }
    if (any) return true;
    // etcd: a missing key has revisions and version 0 and lease 0, but no value to compare.
    return c.target !== 'VALUE' && compareHolds(c, MISSING);
  }

  /** etcd's request checks, on the state before the transaction: nothing is applied if one fails. */
  private checkOps(ops: RequestOp[], path: TxnPath): void {
    let nested = 0;
    for (const op of ops) {
      if ('range' in op) {
        const r = op.range;
        if (!r.key) throw etcdErrors.emptyKey();
        if (r.revision && r.revision > this.currentRevision) throw etcdErrors.futureRevision();
        if (r.revision && r.revision > 0 && r.revision < this.compacted) {
          throw new RevisionCompactedError(this.compacted);
        }
      } else if ('put' in op) {
        this.checkPut(op.put);
      } else if ('deleteRange' in op) {
        if (!op.deleteRange.key) throw etcdErrors.emptyKey();
      } else {
        const inner = path.nested[nested++]!;
        this.checkOps(inner.succeeded ? op.txn.success : op.txn.failure, inner);
      }
    }
  }

  private checkPut(p: PutRequest): void {
    if (!p.key) throw etcdErrors.emptyKey();
    if (p.ignoreValue && p.value.length > 0) throw etcdErrors.valueProvided();
    if (p.ignoreLease && p.lease && p.lease !== '0') throw etcdErrors.leaseProvided();
    if ((p.ignoreValue || p.ignoreLease) && !this.latestLive(p.key)) {
      throw etcdErrors.keyNotFound();
    }
    if (!p.ignoreLease && p.lease && p.lease !== '0' && !this.leases.has(p.lease)) {
      throw etcdErrors.leaseNotFound();
    }
  }

  private applyOps(ops: RequestOp[], path: TxnPath, w: WriteTxn): ResponseOp[] {
    let nested = 0;
    return ops.map((op): ResponseOp => {
      if ('range' in op) {
        // Reads inside a transaction see its earlier writes, as in etcd.
        const current = w.changes.length > 0 ? w.revision : this.currentRevision;
        return { range: this.rangeAt(op.range, current) };
      }
      if ('put' in op) return { put: this.applyPut(w, op.put) };
      if ('deleteRange' in op) return { deleteRange: this.applyDelete(w, op.deleteRange) };
      const inner = path.nested[nested++]!;
      const branch = inner.succeeded ? op.txn.success : op.txn.failure;
      return {
        txn: {
          revision: 0,
          succeeded: inner.succeeded,
          responses: this.applyOps(branch, inner, w),
        },
      };
    });
  }

  private applyPut(w: WriteTxn, req: PutRequest): PutResponse {
    const history = this.histories.get(req.key);
    const last = history?.[history.length - 1];
    const prev = last && last.version > 0 ? last : undefined;
    const value = req.ignoreValue ? prev!.value : req.value;
    const lease = req.ignoreLease ? prev!.lease : req.lease || '0';
    this.putKey(w, req.key, value, lease, history);
    return req.prevKv && prev ? { revision: 0, prevKv: prev } : { revision: 0 };
  }

  private applyDelete(w: WriteTxn, req: DeleteRangeRequest): DeleteRangeResponse {
    const doomed = [...this.liveIn(intervalOf(req.key, req.rangeEnd), this.currentRevision)];
    for (const kv of doomed) this.deleteKey(w, kv.key);
    return { revision: 0, deleted: doomed.length, prevKvs: req.prevKv ? doomed : [] };
  }

  private putKey(
    w: WriteTxn,
    key: string,
    value: string,
    lease: string,
    history = this.histories.get(key),
  ): void {
    const last = history?.[history.length - 1];
    const prev = last && last.version > 0 ? last : undefined;
    const kv: KeyRevision = {
      key,
      value,
      create: prev ? prev.create : w.revision,
      mod: w.revision,
      sub: w.sub++,
      version: prev ? prev.version + 1 : 1,
      lease,
    };
    if (!history) {
      this.histories.set(key, (history = []));
      this.index.insert(key);
    }
    history.push(kv);
    if (prev && prev.lease !== '0' && prev.lease !== lease) this.leases.detach(prev.lease, key);
    if (lease !== '0') this.leases.attach(lease, key);
    w.changes.push(prev ? { type: 'put', kv, prev } : { type: 'put', kv });
    this.approximateBytes += key.length + value.length + 64;
  }

  private deleteKey(w: WriteTxn, key: string): void {
    const prev = this.latestLive(key);
    if (!prev) return;
    const tombstone: KeyRevision = {
      key,
      value: EMPTY,
      create: 0,
      mod: w.revision,
      sub: w.sub++,
      version: 0,
      lease: '0',
    };
    this.histories.get(key)!.push(tombstone);
    if (prev.lease !== '0') this.leases.detach(prev.lease, key);
    w.changes.push({ type: 'delete', kv: tombstone, prev });
  }

  private beginWrite(): WriteTxn {
    return { revision: this.currentRevision + 1, sub: 0, changes: [], mutations: NO_MUTATIONS };
  }

  /**
   * Makes a write's effects current and durable: bumps the revision when keys changed, logs
   * them, and publishes the changes to watchers once the log record is on disk (at once
   * without a data directory). Writes that share a group commit share one promise.
   */
  private commit(w: WriteTxn): Promise<void> {
    if (w.changes.length === 0 && w.mutations.length === 0) {
      return this.dataDir?.busy ? this.dataDir.barrier() : RESOLVED;
    }
    if (w.changes.length > 0) {
      this.currentRevision = w.revision;
      for (const change of w.changes) this.changes.push(change);
    }
    this.logIndex++;
    if (!this.dataDir) {
      if (w.changes.length > 0) this.hub.publish(this.currentRevision, w.changes);
      return RESOLVED;
    }
    const record: LogRecord = {
      index: this.logIndex,
      revision: this.currentRevision,
      mutations: w.mutations,
    };
    const durable = this.dataDir.append(record, w.changes);
    if (w.changes.length > 0) {
      this.unpublished.push({ revision: this.currentRevision, changes: w.changes, durable });
    }
    if (durable !== this.lastDurable) {
      this.lastDurable = durable;
      durable.then(
        () => this.publishDurable(durable),
        (error: unknown) => this.fail(error),
      );
    }
    this.maybeSnapshot();
    return durable;
  }

  /** Publishes, in order, the writes of a group commit that is now on disk. */
  private publishDurable(durable: Promise<void>): void {
    // Group commits complete in order, so this one's writes are at the front.
    let count = 0;
    while (this.unpublished[count]?.durable === durable) count++;
    for (const { revision, changes } of this.unpublished.splice(0, count)) {
      this.hub.publish(revision, changes);
    }
  }

  /** `value` once `done` is, or the storage failure that stops the engine. */
  private settle<T>(done: Promise<void>, value: T): Promise<T> {
    return done.then(
      () => value,
      (error: unknown) => Promise.reject(this.fail(error)),
    );
  }

  private afterDurable<T>(value: T): Promise<T> {
    if (!this.dataDir?.busy) return Promise.resolve(value);
    return this.dataDir.barrier().then(
      () => value,
      (error: unknown) => {
        throw this.fail(error);
      },
    );
  }

  private applyCompact(revision: number): void {
    this.compacted = revision;
    for (const [key, history] of this.histories) {
      let keep = history.length - 1;
      while (keep > 0 && history[keep]!.mod > revision) keep--;
      if (history[keep]!.mod > revision) continue; // everything is newer than the compaction
      const drop = history[keep]!.version === 0 ? keep + 1 : keep;
      if (drop === 0) continue;
      if (drop >= history.length) {
        this.histories.delete(key);
        this.index.remove(key);
      } else {
        history.splice(0, drop);
      }
    }
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.changes[mid]!.kv.mod < revision) lo = mid + 1;
      else hi = mid;
    }
    this.changes = this.changes.slice(lo);
  }

  private expire(id: string): void {
    if (this.closed || this.failure || !this.leases.has(id)) return;
    this.leaseRevoke(id).catch((error: unknown) => {
      this.log.warn('could not revoke an expired lease', { lease: id, error });
    });
  }

  // ---- internals: persistence ----

  private maybeSnapshot(): void {
    if (!this.dataDir) return;
    if (++this.recordsSinceSnapshot < this.snapshotEvery || this.dataDir.snapshotInProgress) return;
    // Also wait until the log is as big as the last snapshot: writing a snapshot then costs no
    // more than the log did, so snapshots stay amortised O(1) per write however large the state.
    if (this.dataDir.logBytes < this.dataDir.lastSnapshotBytes) return;
    this.recordsSinceSnapshot = 0;
    const framed = encodeSnapshot(
      {
        index: this.logIndex,
        revision: this.currentRevision,
        compactRevision: this.compacted,
        histories: this.histories.values(),
        leases: this.leases.all(),
      },
      Math.ceil(this.dataDir.lastSnapshotBytes * 1.25),
    );
    this.dataDir.snapshot(this.logIndex, framed).catch((error: unknown) => this.fail(error));
  }

  private restore(payloads: Buffer[]): void {
    const snapshot = decodeSnapshot(payloads);
    this.logIndex = snapshot.index;
    this.currentRevision = snapshot.revision;
    this.compacted = snapshot.compactRevision;
    for (const lease of snapshot.leases) this.leases.add(lease.id, lease.ttl);
    const histories = snapshot.histories.sort((a, b) => (a[0]!.key < b[0]!.key ? -1 : 1));
    for (const history of histories) {
      const key = history[0]!.key;
      this.histories.set(key, history);
      this.index.insert(key);
      for (let i = 0; i < history.length; i++) {
        const kv = history[i]!;
        const before = history[i - 1];
        const prev = before && before.version > 0 ? before : undefined;
        const type = kv.version > 0 ? 'put' : 'delete';
        this.changes.push(prev ? { type, kv, prev } : { type, kv });
        this.approximateBytes += key.length + kv.value.length + 64;
      }
      const last = history[history.length - 1]!;
      if (last.version > 0 && last.lease !== '0') this.leases.attach(last.lease, key);
    }
    this.changes.sort((a, b) => a.kv.mod - b.kv.mod || a.kv.sub - b.kv.sub);
  }

  private replay(record: LogRecord): void {
    const w = this.beginWrite();
    for (const m of record.mutations) {
      switch (m.op) {
        case 'put':
          this.putKey(w, m.key, m.value, m.lease);
          break;
        case 'del':
          this.deleteKey(w, m.key);
          break;
        case 'grant':
          this.leases.add(m.id, m.ttl);
          break;
        case 'revoke':
          this.leases.remove(m.id);
          break;
        case 'compact':
          this.applyCompact(m.revision);
          break;
      }
    }
    if (w.changes.length > 0) {
      this.currentRevision = w.revision;
      for (const change of w.changes) this.changes.push(change);
    }
    if (this.currentRevision !== record.revision) {
      throw new EtcdServerError(
        13,
        `log record ${record.index} says revision ${record.revision}, replay reached ${this.currentRevision}`,
      );
    }
    this.logIndex = record.index;
  }

  private ensureOpen(): void {
    if (this.failure) throw etcdErrors.storageFailed(this.failure.message);
    if (this.closed) throw etcdErrors.stopped();
  }

  /** A write could not be made durable: memory is now ahead of disk, so stop serving. */
  private fail(error: unknown): Error {
    if (!this.failure) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.log.error('embedded store cannot write its log; stopping', { error: this.failure });
    }
    return etcdErrors.storageFailed(this.failure.message);
  }
}
