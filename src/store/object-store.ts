/**
 * Typed objects over any Kv. Every write is a compare-and-swap:
 * - create succeeds only when the key is absent (AlreadyExistsError otherwise);
 * - update, updateStatus and delete succeed only when the stored resourceVersion is the one the
 *   caller read (ConflictError otherwise: re-read and retry);
 * - a store made with `withFence` adds its fence's compares (e.g. "I still hold the leader
 *   lease") to every write; a write that fails only on the fence throws LeaseLostError.
 * Metadata the store owns: uid and creationTimestamp at creation; generation, which counts spec
 * changes and nothing else; resourceVersion, etcd's mod revision (never stored in the value);
 * deletionTimestamp, set when deleting an object that still has finalizers (it goes when an
 * update removes the last one). `update` never writes status, `updateStatus` writes nothing else.
 * Every write of a type first goes through the type's `admit` hook.
 *
 * `batch` writes many objects with as few transactions as etcd allows: chunks of at most 128
 * operations, each chunk atomic (all or nothing). A batch larger than one chunk is several
 * transactions: when a chunk fails, the chunks before it stay written (BatchFailedError says how
 * many operations were committed).
 */
import { randomUUID } from 'node:crypto';
import { realClock, type Clock } from '../clock.ts';
import { MesetaError, UsageError, ValidationError } from '../errors.ts';
import {
  AlreadyExistsError,
  CompactedError,
  ConflictError,
  LeaseLostError,
  NotFoundError,
} from './errors.ts';
import { jsonEqual } from './deep-equal.ts';
import { keyLayout, prefixRangeEnd, type KeyLayout } from './keys.ts';
import { MAX_TXN_OPS, type Compare, type KeyValue, type Kv, type Op, type Revision } from './kv.ts';
import { matchesLabels, toLabelSelector, type LabelSelector } from './label-selector.ts';
import { SharedObjects } from './shared-objects.ts';
import {
  apiVersionOf,
  type ObjectRef,
  type ResourceNames,
  type ResourceType,
  type StoredObject,
  type WriteOperation,
} from './object.ts';

export interface ObjectStoreOptions {
  kv: Kv;
  /** Key prefix of this installation (default `/meseta`). */
  prefix?: string;
  clock?: Clock;
  /** Keys per range request when listing; keeps each answer under etcd's 1.5 MiB. Default 500. */
  pageSize?: number;
}

/** Extra conditions on every write, e.g. a leader's hold on its lease. */
export interface Fence {
  compares: Compare[];
  /** Throws LeaseLostError when the holder already knows the fence no longer holds. */
  check?(): void;
  /** Told when a write failed because a fence compare no longer held. */
  onViolated?(): void;
}

export interface ListOptions {
  /** Only this namespace (namespaced kinds); absent for all. */
  namespace?: string;
  labelSelector?: string | Record<string, string> | LabelSelector;
  pageSize?: number;
  /**
   * Hand out the process's shared, frozen objects (see `decodeShared`) instead of fresh
   * copies: for informers, which never mutate what they cache.
   */
  shared?: boolean;
}

export interface ListResult<T> {
  items: T[];
  /** The store revision the list is a snapshot of: watch from here. */
  revision: Revision;
}

export interface WriteResult<T> {
  object: T;
  /** True when the write removed the object from the store. */
  gone: boolean;
}

export type BatchOp =
  | { op: 'create'; type: ResourceType; object: StoredObject }
  | { op: 'update'; type: ResourceType; object: StoredObject }
  | { op: 'updateStatus'; type: ResourceType; object: StoredObject }
  | { op: 'delete'; type: ResourceType; ref: ObjectRef; resourceVersion?: Revision };

/**
 * A batch stopped at operation `index`; `committed` operations before it are written.
 * `failures` has every operation of the failed chunk known to fail, by index in the batch
 * (`index` among them), so that a caller can set them all aside at once and write the rest.
 */
export class BatchFailedError extends MesetaError {
  readonly failures: ReadonlyMap<number, MesetaError>;

  constructor(
    readonly index: number,
    readonly committed: number,
    override readonly cause: MesetaError,
    failures?: ReadonlyMap<number, MesetaError>,
  ) {
    super(
      cause.code,
      `batch operation ${index} failed (${committed} committed before it): ${cause.message}`,
      cause.where,
      { cause },
    );
    this.failures = failures ?? new Map([[index, cause]]);
  }
}

/** The stored object a write replaces, and its revision. */
interface Stored {
  modRevision: Revision;
  object: StoredObject;
}

/** One write, decided against the stored state it replaces. */
interface Planned {
  key: string;
  /** Absent when nothing needs writing (e.g. deleting an object already marked). */
  write?: { compare: Compare; op: Op };
  result(revision: Revision): WriteResult<StoredObject>;
  /** Why the compare failed, given what is stored now. */
  failure(current: KeyValue | undefined): MesetaError;
}

export class ObjectStore {
  readonly kv: Kv;
  readonly keys: KeyLayout;
  private readonly clock: Clock;
  private readonly pageSize: number;
  private readonly fences: readonly Fence[];
  private readonly options: ObjectStoreOptions;
  private readonly shared: SharedObjects;

  constructor(
    options: ObjectStoreOptions,
    fences: readonly Fence[] = [],
    shared = new SharedObjects(),
  ) {
    this.kv = options.kv;
    this.keys = keyLayout(options.prefix);
    this.clock = options.clock ?? realClock;
    this.pageSize = options.pageSize ?? 500;
    this.fences = fences;
    this.options = options;
    this.shared = shared;
  }

  /** The same store, with `fence` added to every write. */
  withFence(fence: Fence): ObjectStore {
    return new ObjectStore(this.options, [...this.fences, fence], this.shared);
  }

  keyOf<T extends StoredObject>(type: ResourceType<T>, ref: ObjectRef): string {
    return this.keys.object(type, type.namespaced ? ref.namespace : undefined, ref.name);
  }

  async get<T extends StoredObject>(type: ResourceType<T>, ref: ObjectRef): Promise<T | undefined> {
    const key = this.keyOf(type, ref);
    const { kvs } = await this.kv.range({ key });
    return kvs[0] ? this.decode(type, kvs[0]) : undefined;
  }

  async list<T extends StoredObject>(
    type: ResourceType<T>,
    options: ListOptions = {},
  ): Promise<ListResult<T>> {
    const selector = options.labelSelector
      ? Array.isArray(options.labelSelector)
        ? options.labelSelector
        : toLabelSelector(options.labelSelector)
      : undefined;
    const prefix = this.keys.typePrefix(type, options.namespace);
    // A list pages at one revision; if that revision is compacted away mid-list, start over.
    for (let attempt = 1; ; attempt++) {
      try {
        const pageSize = options.pageSize ?? this.pageSize;
        return await this.listAt(type, prefix, selector, pageSize, options.shared ?? false);
      } catch (error) {
        if (!(error instanceof CompactedError) || attempt >= 5) throw error;
      }
    }
  }

  private async listAt<T extends StoredObject>(
    type: ResourceType<T>,
    prefix: string,
    selector: LabelSelector | undefined,
    pageSize: number,
    shared: boolean,
  ): Promise<ListResult<T>> {
    const end = prefixRangeEnd(prefix);
    const items: T[] = [];
    let page = await this.kv.range({ prefix }, { limit: pageSize });
    const revision = page.revision;
    for (;;) {
      for (const kv of page.kvs) {
        const object = shared ? this.decodeShared(type, kv) : this.decode(type, kv);
        if (!selector || matchesLabels(selector, object.metadata.labels)) items.push(object);
      }
      const last = page.kvs.at(-1);
      if (!page.more || !last) break;
      page = await this.kv.range(
        { key: `${last.key}\0`, rangeEnd: end },
        { limit: pageSize, revision },
      );
    }
    return { items, revision };
  }

  async create<T extends StoredObject>(type: ResourceType<T>, object: T): Promise<T> {
    return (await this.runOne({ op: 'create', type, object })).object as T;
  }

  /** Replaces metadata (but not what the store owns) and spec; keeps the stored status. */
  async update<T extends StoredObject>(type: ResourceType<T>, object: T): Promise<T> {
    return (await this.runOne({ op: 'update', type, object })).object as T;
  }

  /** Replaces the status only; never bumps generation. */
  async updateStatus<T extends StoredObject>(type: ResourceType<T>, object: T): Promise<T> {
    return (await this.runOne({ op: 'updateStatus', type, object })).object as T;
  }

  /**
   * Deletes the object, or, while it has finalizers, marks it with a deletionTimestamp
   * (`gone: false`). With `resourceVersion`, only if the stored object is still that version;
   * without, whatever version it is at (a concurrent write makes it re-read and try again).
   */
  async delete<T extends StoredObject>(
    type: ResourceType<T>,
    ref: ObjectRef,
    options: { resourceVersion?: Revision } = {},
  ): Promise<WriteResult<T>> {
    const op: BatchOp = { op: 'delete', type, ref, ...options };
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.runOne(op)) as WriteResult<T>;
      } catch (error) {
        const retry = error instanceof ConflictError && !options.resourceVersion && attempt < 10;
        if (!retry) throw error;
      }
    }
  }

  /** Many writes in as few transactions as possible (see the module comment). */
  async batch(ops: BatchOp[]): Promise<WriteResult<StoredObject>[]> {
    const keys = ops.map((op) => this.keyOf(op.type, 'ref' in op ? op.ref : op.object.metadata));
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (seen.has(key)) throw new UsageError(`batch operation ${i} writes ${key} a second time`);
      seen.add(key);
    });
    // The fence's compares (and the re-read of its keys on failure) share each txn's 128 slots.
    const chunkSize = MAX_TXN_OPS - this.fenceCompares().length;
    const results: WriteResult<StoredObject>[] = [];
    for (let start = 0; start < ops.length; start += chunkSize) {
      const chunk = ops.slice(start, start + chunkSize);
      try {
        results.push(...(await this.runChunk(chunk, keys.slice(start, start + chunkSize))));
      } catch (error) {
        if (!(error instanceof ChunkError)) throw error;
        const failures = new Map([...error.failures].map(([i, e]) => [start + i, e]));
        throw new BatchFailedError(start + error.index, start, error.cause, failures);
      }
    }
    return results;
  }

  private async runOne(op: BatchOp): Promise<WriteResult<StoredObject>> {
    const key = this.keyOf(op.type, 'ref' in op ? op.ref : op.object.metadata);
    try {
      return (await this.runChunk([op], [key]))[0]!;
    } catch (error) {
      throw error instanceof ChunkError ? error.cause : error;
    }
  }

  /** Reads the chunk's keys, decides each write, then writes them all in one transaction. */
  private async runChunk(ops: BatchOp[], keys: string[]): Promise<WriteResult<StoredObject>[]> {
    for (const fence of this.fences) fence.check?.();
    // Creates need no read: their compare (key absent) is the whole check. Nor does a write
    // on a revision this process has decoded (an informer's object): its compare on that
    // revision fails if the object changed since.
    const current = new Map<string, Stored>();
    const toRead = new Map<string, ResourceType>();
    ops.forEach((op, i) => {
      if (op.op === 'create') return;
      const key = keys[i]!;
      const expected = op.op === 'delete' ? op.resourceVersion : op.object.metadata.resourceVersion;
      const known =
        expected !== undefined
          ? this.shared.get(key, expected, (text) => this.parse(key, text, expected))
          : undefined;
      if (known) current.set(key, { modRevision: expected!, object: known });
      else toRead.set(key, op.type);
    });
    const read = toRead.size
      ? await this.kv.txn(
          [],
          [...toRead.keys()].map((key) => ({ type: 'range', range: { key } })),
        )
      : undefined;
    for (const result of read?.results ?? []) {
      const kv = result.type === 'range' ? result.kvs[0] : undefined;
      if (!kv) continue;
      const object = this.decode(toRead.get(kv.key)!, kv);
      current.set(kv.key, { modRevision: kv.modRevision, object });
    }
    // Plan every operation, so that a failure names all that fail, not just the first.
    const refused = new Map<number, MesetaError>();
    const planned = ops.map((op, i) => {
      try {
        return this.plan(op, keys[i]!, current.get(keys[i]!));
      } catch (error) {
        if (!(error instanceof MesetaError)) throw error;
        refused.set(i, error);
        return undefined;
      }
    });
    if (refused.size > 0) throw new ChunkError(refused);
    const plans = planned as Planned[];
    const writes = plans.filter((p) => p.write);
    // Nothing to write (e.g. deleting objects already marked): results need no revision.
    if (writes.length === 0) return plans.map((p) => p.result(read?.revision ?? '0'));

    const fenceCompares = this.fenceCompares();
    const checkKeys = [
      ...new Set([...writes.map((p) => p.key), ...fenceCompares.map((c) => c.key)]),
    ];
    const txn = await this.kv.txn(
      [...writes.map((p) => p.write!.compare), ...fenceCompares],
      writes.map((p) => p.write!.op),
      checkKeys.map((key) => ({ type: 'range', range: { key } })),
    );
    if (txn.succeeded) {
      for (const p of writes) {
        if (p.write!.op.type === 'put') this.shared.wrote(p.key, txn.revision, p.write!.op.value);
        else this.shared.forget(p.key, txn.revision);
      }
      return plans.map((p) => p.result(txn.revision));
    }

    const now = new Map<string, KeyValue>();
    for (const result of txn.results) {
      if (result.type === 'range' && result.kvs[0]) now.set(result.kvs[0].key, result.kvs[0]);
    }
    for (const fence of this.fences) {
      if (!fence.compares.every((c) => compareHolds(c, now.get(c.key)))) {
        fence.onViolated?.();
        // Not tied to one operation: nothing more may be written under this fence.
        throw new LeaseLostError(
          `write refused: the writer's fence on ${fence.compares[0]?.key} no longer holds`,
        );
      }
    }
    plans.forEach((p, i) => {
      if (p.write && !compareHolds(p.write.compare, now.get(p.key))) {
        refused.set(i, p.failure(now.get(p.key)));
      }
    });
    if (refused.size === 0)
      refused.set(0, new ConflictError('transaction failed on a changed key'));
    throw new ChunkError(refused);
  }

  private fenceCompares(): Compare[] {
    return this.fences.flatMap((fence) => fence.compares);
  }

  private plan(op: BatchOp, key: string, current: Stored | undefined): Planned {
    const type = op.type;
    const what = describe(type, 'ref' in op ? op.ref : op.object.metadata);
    const changed = (now: KeyValue | undefined) =>
      now
        ? new ConflictError(
            `${what} was changed by someone else (now at resourceVersion ${now.modRevision}): re-read and retry`,
            'metadata.resourceVersion',
          )
        : new NotFoundError(`${what} not found (it was deleted)`);
    if (op.op === 'create') {
      if (current) throw new AlreadyExistsError(`${what} already exists`);
      checkIdentity(type, op.object);
      const owned = {
        uid: randomUUID(),
        generation: 1,
        creationTimestamp: new Date(this.clock.now()).toISOString(),
      };
      const fresh = { ...op.object, metadata: { ...op.object.metadata, ...owned } };
      const object = this.admitted(type, fresh, 'create', undefined);
      object.metadata = { ...object.metadata, ...owned };
      delete object.metadata.deletionTimestamp;
      return this.put(key, object, { key, target: 'create', result: '==', revision: '0' }, (now) =>
        now ? new AlreadyExistsError(`${what} already exists`) : changed(now),
      );
    }
    if (!current) throw new NotFoundError(`${what} not found`);
    const old = current.object;
    const expected = op.op === 'delete' ? op.resourceVersion : op.object.metadata.resourceVersion;
    if (op.op !== 'delete' && !expected) {
      throw new ValidationError([
        new MesetaError('Invalid', `${what}: resourceVersion is required to ${op.op}`, {
          path: 'metadata.resourceVersion',
        }),
      ]);
    }
    if (expected !== undefined && expected !== current.modRevision) {
      throw new ConflictError(
        `${what} has changed: stored resourceVersion ${current.modRevision}, yours ${expected}; re-read and retry`,
        'metadata.resourceVersion',
      );
    }
    const cas: Compare = { key, target: 'mod', result: '==', revision: current.modRevision };

    if (op.op === 'delete') {
      if (old.metadata.finalizers?.length) {
        if (old.metadata.deletionTimestamp) {
          return { key, result: () => ({ object: old, gone: false }), failure: changed };
        }
        const marked = {
          ...old,
          metadata: {
            ...old.metadata,
            deletionTimestamp: new Date(this.clock.now()).toISOString(),
          },
        };
        return this.put(key, this.admitted(type, marked, 'markDeleted', old), cas, changed);
      }
      return this.remove(key, old, cas, changed);
    }

    checkIdentity(type, op.object);
    const candidate: StoredObject =
      op.op === 'update'
        ? { ...op.object, status: old.status }
        : { ...old, status: op.object.status };
    if (candidate.status === undefined) delete candidate.status;
    const admitted = this.admitted(type, candidate, op.op, old);
    // A status write keeps the stored spec even if the admission hook defaulted something.
    if (op.op === 'updateStatus') admitted.spec = old.spec;
    // The store's own metadata survives whatever the caller or the admission hook did.
    const owned = old.metadata;
    admitted.metadata = {
      ...(op.op === 'update' ? admitted.metadata : owned),
      name: owned.name,
      ...(owned.namespace !== undefined ? { namespace: owned.namespace } : {}),
      uid: owned.uid!,
      creationTimestamp: owned.creationTimestamp!,
      generation: (owned.generation ?? 1) + (jsonEqual(old.spec, admitted.spec) ? 0 : 1),
    };
    if (owned.deletionTimestamp) admitted.metadata.deletionTimestamp = owned.deletionTimestamp;
    else delete admitted.metadata.deletionTimestamp;
    if (admitted.metadata.deletionTimestamp && !admitted.metadata.finalizers?.length) {
      return this.remove(key, admitted, cas, changed);
    }
    return this.put(key, admitted, cas, changed);
  }

  private put(
    key: string,
    object: StoredObject,
    compare: Compare,
    failure: Planned['failure'],
  ): Planned {
    const { resourceVersion: _dropped, ...metadata } = object.metadata;
    const stored = { ...object, metadata };
    return {
      key,
      write: { compare, op: { type: 'put', key, value: JSON.stringify(stored) } },
      result: (revision) => ({
        object: { ...stored, metadata: { ...metadata, resourceVersion: revision } },
        gone: false,
      }),
      failure,
    };
  }

  private remove(
    key: string,
    object: StoredObject,
    compare: Compare,
    failure: Planned['failure'],
  ): Planned {
    return {
      key,
      write: { compare, op: { type: 'delete', range: { key } } },
      result: (revision) => ({
        object: { ...object, metadata: { ...object.metadata, resourceVersion: revision } },
        gone: true,
      }),
      failure,
    };
  }

  private admitted<T extends StoredObject>(
    type: ResourceType<T>,
    object: StoredObject,
    operation: WriteOperation,
    old: StoredObject | undefined,
  ): StoredObject {
    const typed = { ...object, apiVersion: apiVersionOf(type), kind: type.kind } as T;
    if (!type.admit) return typed;
    const admitted = type.admit(typed, { operation, ...(old ? { old: old as T } : {}) });
    return { ...admitted, metadata: { ...admitted.metadata } };
  }

  /**
   * The object stored under `kv` as this process shares it between watchers: decoded once per
   * revision, deep-frozen (never mutate it: copy what you change), and remembered so that a
   * write on that revision needs no read first.
   */
  decodeShared<T extends StoredObject>(type: ResourceType<T>, kv: KeyValue): T {
    const known = this.shared.get(kv.key, kv.modRevision, () => this.decode(type, kv));
    if (known) return known as T;
    return this.shared.remember(kv.key, kv.modRevision, this.decode(type, kv)) as T;
  }

  /** A watcher saw `key` deleted at `revision`: its shared object is gone. */
  forgetShared(key: string, revision: Revision): void {
    this.shared.forget(key, revision);
  }

  /** The object stored under `kv`, with its resourceVersion: a fresh copy, the caller's own. */
  decode<T extends StoredObject>(type: ResourceType<T>, kv: KeyValue): T {
    return this.parse(kv.key, kv.value, kv.modRevision);
  }

  private parse<T extends StoredObject>(key: string, value: string, revision: Revision): T {
    let object: T;
    try {
      object = JSON.parse(value) as T;
    } catch (error) {
      throw new MesetaError('Corrupt', `${key}: stored value is not JSON`, {}, { cause: error });
    }
    object.metadata = { ...object.metadata, resourceVersion: revision };
    return object;
  }
}

/** Carries the failures of a chunk out of it: the operations that failed, by index. */
class ChunkError extends Error {
  readonly index: number;
  override readonly cause: MesetaError;

  constructor(readonly failures: ReadonlyMap<number, MesetaError>) {
    const [index, cause] = [...failures].sort(([a], [b]) => a - b)[0]!;
    super(cause.message);
    this.index = index;
    this.cause = cause;
  }
}

function describe(type: ResourceNames, ref: ObjectRef): string {
  return `${type.kind} ${type.namespaced ? `${ref.namespace}/` : ''}${ref.name}`;
}

function checkIdentity(type: ResourceNames, object: StoredObject): void {
  const problems: MesetaError[] = [];
  if (object.kind !== undefined && object.kind !== type.kind) {
    problems.push(
      new MesetaError('Invalid', `is "${object.kind}", expected "${type.kind}"`, { path: 'kind' }),
    );
  }
  const apiVersion = apiVersionOf(type);
  if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
    problems.push(
      new MesetaError('Invalid', `is "${object.apiVersion}", expected "${apiVersion}"`, {
        path: 'apiVersion',
      }),
    );
  }
  if (!type.namespaced && object.metadata.namespace !== undefined) {
    problems.push(
      new MesetaError('Invalid', `${type.kind} is not namespaced`, { path: 'metadata.namespace' }),
    );
  }
  if (problems.length) throw new ValidationError(problems);
}

/** Whether etcd would find `compare` true of `kv` (absent: a key that does not exist). */
export function compareHolds(compare: Compare, kv: KeyValue | undefined): boolean {
  let left: bigint | string;
  let right: bigint | string;
  switch (compare.target) {
    case 'create':
      [left, right] = [BigInt(kv?.createRevision ?? 0), BigInt(compare.revision)];
      break;
    case 'mod':
      [left, right] = [BigInt(kv?.modRevision ?? 0), BigInt(compare.revision)];
      break;
    case 'version':
      [left, right] = [BigInt(kv?.version ?? 0), BigInt(compare.version)];
      break;
    case 'lease':
      [left, right] = [BigInt(kv?.lease ?? 0), BigInt(compare.lease)];
      break;
    case 'value':
      if (!kv) return false;
      [left, right] = [kv.value, compare.value];
      break;
  }
  switch (compare.result) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '>':
      return left > right;
  }
}
