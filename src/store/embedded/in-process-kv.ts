/**
 * The `Kv` contract served straight from the MVCC engine, without gRPC: for a process that
 * hosts the embedded store (or wants a private one, memory-only when no data directory is
 * given). It answers exactly as the gRPC path does, with the same errors: a compacted revision
 * is a `CompactedError`; etcd's other refusals are `EtcdServerError`s with etcd's messages.
 *
 * @example
 *   const kv = await openInProcessKv({ dataDir: '/var/lib/meseta/store' });
 *   const revision = await kv.put('/meseta/registry/x', '{}');
 */
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import { CompactedError, NotFoundError, UnavailableError, WatchBrokenError } from '../errors.ts';
import type {
  Compare as KvCompare,
  KeyRange,
  KeyValue,
  Kv,
  KvWatch,
  Op,
  OpResult,
  RangeOptions,
  RangeResult,
  TxnResult,
  WatchBatch,
  WatchEvent,
  WatchOptions,
} from '../kv.ts';
import { EtcdServerError, RevisionCompactedError, etcdErrors } from './errors.ts';
import { intervalOf, keyFromText, keyToText, prefixEnd } from './key-space.ts';
import { MvccEngine } from './mvcc.ts';
import type { Change, Compare, KeyRevision, RequestOp, ResponseOp } from './requests.ts';
import { EMBEDDED_VERSION } from './version.ts';

export interface InProcessKvOptions {
  /** Persist here; absent for memory only. */
  dataDir?: string;
  clock?: Clock;
  log?: Logger;
  /** How often watches that ask for progress get an empty batch (etcd: 10 minutes). */
  progressNotifyIntervalMs?: number;
  /** Log records between snapshots (see MvccOptions). */
  snapshotEvery?: number;
}

export async function openInProcessKv(options: InProcessKvOptions = {}): Promise<Kv> {
  const engine = await MvccEngine.open(options);
  return new InProcessKv(engine, true);
}

/** A Kv over an engine someone else owns (e.g. the one a running server serves). */
export function inProcessKv(engine: MvccEngine): Kv {
  return new InProcessKv(engine, false);
}

class InProcessKv implements Kv {
  private readonly watches = new Set<InProcessWatch>();
  private closed = false;

  constructor(
    private readonly engine: MvccEngine,
    private readonly ownsEngine: boolean,
  ) {}

  async range(range: KeyRange, options: RangeOptions = {}): Promise<RangeResult> {
    this.ensureOpen();
    const res = await translate(() =>
      this.engine.range({
        ...bounds(range),
        limit: options.limit ?? 0,
        revision: options.revision ? Number(options.revision) : 0,
        keysOnly: options.keysOnly ?? false,
        countOnly: options.countOnly ?? false,
      }),
    );
    return {
      kvs: res.kvs.map(toKeyValue),
      more: res.more,
      count: res.count,
      revision: String(res.revision),
    };
  }

  put(key: string, value: string, options: { lease?: string } = {}): Promise<string> {
    // The hot path: one promise on top of the engine's, where translate() would add another.
    try {
      this.ensureOpen();
      return this.engine
        .put({ key: keyFromText(key), value: keyFromText(value), lease: leaseId(options.lease) })
        .then(
          (res) => String(res.revision),
          (error: unknown) => Promise.reject(storeError(error)),
        );
    } catch (error) {
      return Promise.reject(storeError(error));
    }
  }

  async delete(range: KeyRange): Promise<{ deleted: number; revision: string }> {
    this.ensureOpen();
    const res = await translate(() => this.engine.deleteRange(bounds(range)));
    return { deleted: res.deleted, revision: String(res.revision) };
  }

  async txn(compares: KvCompare[], success: Op[], failure: Op[] = []): Promise<TxnResult> {
    this.ensureOpen();
    const res = await translate(() =>
      this.engine.txn({
        compare: compares.map(toCompare),
        success: success.map(toRequestOp),
        failure: failure.map(toRequestOp),
      }),
    );
    return {
      succeeded: res.succeeded,
      revision: String(res.revision),
      results: res.responses.map(toOpResult),
    };
  }

  watch(options: WatchOptions): KvWatch {
    this.ensureOpen();
    const watch = new InProcessWatch(this.engine, options, () => this.watches.delete(watch));
    this.watches.add(watch);
    return watch;
  }

  async compact(revision: string): Promise<void> {
    this.ensureOpen();
    await translate(() => this.engine.compact(Number(revision)));
  }

  async grantLease(ttlSeconds: number): Promise<{ id: string; ttl: number }> {
    this.ensureOpen();
    const res = await translate(() => this.engine.leaseGrant(ttlSeconds));
    return { id: res.id, ttl: res.ttl };
  }

  async keepAliveOnce(id: string): Promise<number> {
    this.ensureOpen();
    return (await translate(() => this.engine.leaseKeepAlive(leaseId(id)))).ttl;
  }

  async revokeLease(id: string): Promise<void> {
    this.ensureOpen();
    try {
      await translate(() => this.engine.leaseRevoke(leaseId(id)));
    } catch (error) {
      // Revoking a lease that already expired has nothing left to do (as on the etcd path).
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  async leaseTimeToLive(id: string): Promise<number> {
    this.ensureOpen();
    return this.engine.leaseTimeToLive(leaseId(id), false).ttl;
  }

  async status(): Promise<{ revision: string; version: string; dbSize: number }> {
    this.ensureOpen();
    return {
      revision: String(this.engine.revision),
      version: EMBEDDED_VERSION,
      dbSize: this.engine.dbSize,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const watch of [...this.watches]) await watch.close();
    if (this.ownsEngine) await this.engine.close();
  }

  // A closed client fails like an etcd client whose connection is gone, so that callers (a
  // leader renewing its lease, say) notice at once.
  private ensureOpen(): void {
    if (this.closed) throw new UnavailableError('in-process store', 'this client is closed');
  }
}

/** A watch's batches as an async iterable, fed by the engine's hub. */
class InProcessWatch implements KvWatch {
  private readonly queue: WatchBatch[] = [];
  private failure: Error | undefined;
  private ended = false;
  private wake: (() => void) | undefined;
  private cancel: (() => void) | undefined;
  readonly batches: AsyncIterable<WatchBatch>;

  constructor(
    engine: MvccEngine,
    options: WatchOptions,
    private readonly onClose: () => void,
  ) {
    const prevKv = options.prevKv ?? false;
    const started = engine.watch(
      {
        interval: intervalOf(...keyAndEnd(options.range)),
        startRevision: options.startRevision ? Number(options.startRevision) : 0,
        prevKv,
        noPut: false,
        noDelete: false,
        progressNotify: options.progressNotify ?? false,
      },
      {
        events: (_revision, changes) => this.pushByRevision(changes, prevKv),
        progress: (revision) => this.push({ revision: String(revision), events: [] }),
        closed: () => {
          this.failure = new WatchBrokenError('the embedded store was closed');
          this.wake?.();
        },
      },
    );
    if ('compacted' in started) this.failure = new CompactedError(String(started.compacted));
    else this.cancel = started.cancel;
    this.batches = { [Symbol.asyncIterator]: () => this.iterate() };
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.cancel?.();
    this.onClose();
    this.wake?.();
  }

  /** The Kv contract delivers one revision per batch; a replay may span many. */
  private pushByRevision(changes: Change[], prevKv: boolean): void {
    let start = 0;
    for (let i = 1; i <= changes.length; i++) {
      if (i < changes.length && changes[i]!.kv.mod === changes[start]!.kv.mod) continue;
      this.queue.push({
        revision: String(changes[start]!.kv.mod),
        events: changes.slice(start, i).map((c) => toEvent(c, prevKv)),
      });
      start = i;
    }
    this.wake?.();
  }

  private push(batch: WatchBatch): void {
    this.queue.push(batch);
    this.wake?.();
  }

  private async *iterate(): AsyncGenerator<WatchBatch> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/** Runs an engine call, turning etcd's compaction error into the store layer's. */
function translate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call().then(undefined, (error: unknown) => Promise.reject(storeError(error)));
  } catch (error) {
    return Promise.reject(storeError(error));
  }
}

function storeError(error: unknown): unknown {
  if (error instanceof RevisionCompactedError)
    return new CompactedError(String(error.compactRevision));
  if (error instanceof EtcdServerError && error.message === etcdErrors.leaseNotFound().message) {
    return new NotFoundError('embedded store: lease not found');
  }
  return error;
}

function keyAndEnd(range: KeyRange): [string, string | undefined] {
  if ('prefix' in range) {
    // etcd clients read the empty prefix as "every key": from "\0" with no upper bound.
    if (range.prefix === '') return ['\0', '\0'];
    const start = keyFromText(range.prefix);
    return [start, prefixEnd(start)];
  }
  if ('rangeEnd' in range) return [keyFromText(range.key), keyFromText(range.rangeEnd)];
  return [keyFromText(range.key), undefined];
}

function bounds(range: KeyRange): { key: string; rangeEnd?: string } {
  const [key, rangeEnd] = keyAndEnd(range);
  return rangeEnd === undefined ? { key } : { key, rangeEnd };
}

function leaseId(id: string | undefined): string {
  if (!id) return '0';
  return /^(0|[1-9]\d*)$/.test(id) ? id : BigInt(id).toString();
}

const compareResult = { '==': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' } as const;

function toCompare(c: KvCompare): Compare {
  const base = { key: keyFromText(c.key), result: compareResult[c.result] };
  switch (c.target) {
    case 'create':
      return { ...base, target: 'CREATE', number: Number(c.revision) };
    case 'mod':
      return { ...base, target: 'MOD', number: Number(c.revision) };
    case 'version':
      return { ...base, target: 'VERSION', number: Number(c.version) };
    case 'value':
      return { ...base, target: 'VALUE', value: keyFromText(c.value) };
    case 'lease':
      return { ...base, target: 'LEASE', lease: leaseId(c.lease) };
  }
}

function toRequestOp(op: Op): RequestOp {
  switch (op.type) {
    case 'put':
      return {
        put: { key: keyFromText(op.key), value: keyFromText(op.value), lease: leaseId(op.lease) },
      };
    case 'delete':
      return { deleteRange: { ...bounds(op.range), prevKv: true } };
    case 'range':
      return { range: { ...bounds(op.range), limit: op.limit ?? 0 } };
  }
}

function toOpResult(r: ResponseOp): OpResult {
  if ('put' in r) return { type: 'put', revision: String(r.put.revision) };
  if ('deleteRange' in r) {
    return {
      type: 'delete',
      deleted: r.deleteRange.deleted,
      prevKvs: r.deleteRange.prevKvs.map(toKeyValue),
    };
  }
  if ('range' in r) {
    return {
      type: 'range',
      kvs: r.range.kvs.map(toKeyValue),
      more: r.range.more,
      count: r.range.count,
    };
  }
  throw new Error('nested transactions are not part of the Kv contract');
}

// A stored version never changes, and every watcher of a change (one per informer) reads the
// same one: convert it once (the UTF-8 check scans the whole value).
const converted = new WeakMap<KeyRevision, KeyValue>();

function toKeyValue(kv: KeyRevision): KeyValue {
  let out = converted.get(kv);
  if (!out) {
    out = {
      key: keyToText(kv.key),
      value: keyToText(kv.value),
      createRevision: String(kv.create),
      modRevision: String(kv.mod),
      version: String(kv.version),
      lease: kv.lease,
    };
    converted.set(kv, out);
  }
  return out;
}

function toEvent(change: Change, withPrev: boolean): WatchEvent {
  const event: WatchEvent = { type: change.type, kv: toKeyValue(change.kv) };
  if (withPrev && change.prev) event.prevKv = toKeyValue(change.prev);
  return event;
}
