/**
 * The key/value layer under the object store: exactly the part of etcd's v3 model that meseta
 * uses, so that it can be served by a real etcd (through npm `etcd3`), by meseta's embedded
 * etcd-compatible server (the same etcd3 client, over gRPC), or in process by the embedded
 * server's MVCC engine without gRPC. Every implementation passes the same contract tests.
 *
 * Revisions are etcd's 64-bit revisions, kept as decimal strings (never JS numbers) at this
 * boundary. Keys and values are UTF-8 strings; values are the JSON of stored objects.
 */

export type Revision = string;

/**
 * Orders two revisions (negative, zero, positive) without BigInt: they are decimal strings
 * without leading zeros, so the longer is the larger and equal lengths compare as text.
 */
export function compareRevisions(a: Revision, b: Revision): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
export type LeaseId = string;

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the put that created this key (since its last deletion). */
  createRevision: Revision;
  /** Revision of the last put to this key: an object's resourceVersion. */
  modRevision: Revision;
  /** Number of puts since creation (1 after the first). */
  version: string;
  /** Lease the key is attached to, "0" for none. */
  lease: LeaseId;
}

/** One condition of a transaction, as etcd's Compare with the key's current state. */
export type Compare =
  | { key: string; target: 'create'; result: CompareResult; revision: Revision }
  | { key: string; target: 'mod'; result: CompareResult; revision: Revision }
  | { key: string; target: 'version'; result: CompareResult; version: string }
  | { key: string; target: 'value'; result: CompareResult; value: string }
  | { key: string; target: 'lease'; result: CompareResult; lease: LeaseId };

/** etcd's compare results; a missing key has create/mod revision and version "0". */
export type CompareResult = '==' | '!=' | '<' | '>';

/** A key range: one key, every key with a prefix, or [key, rangeEnd). */
export type KeyRange = { key: string } | { prefix: string } | { key: string; rangeEnd: string };

export type Op =
  | { type: 'put'; key: string; value: string; lease?: LeaseId }
  | { type: 'delete'; range: KeyRange }
  | { type: 'range'; range: KeyRange; limit?: number };

export type OpResult =
  | { type: 'put'; revision: Revision }
  | { type: 'delete'; deleted: number; prevKvs: KeyValue[] }
  | { type: 'range'; kvs: KeyValue[]; more: boolean; count: number };

export interface TxnResult {
  succeeded: boolean;
  /** The store's revision after the transaction. */
  revision: Revision;
  /** One result per op of the branch that ran. */
  results: OpResult[];
}

export interface RangeOptions {
  /** At most this many keys; 0 or absent for no limit. Keys come sorted ascending. */
  limit?: number;
  /** Read as of this revision (must not be compacted). Absent: the newest. */
  revision?: Revision;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** True when `limit` cut the answer short. */
  more: boolean;
  count: number;
  /** The store's revision at the time of the read. */
  revision: Revision;
}

export type WatchEvent =
  | { type: 'put'; kv: KeyValue; prevKv?: KeyValue }
  | { type: 'delete'; kv: KeyValue; prevKv?: KeyValue };

/** What a watch delivers: events from one revision, or a progress mark (no events). */
export interface WatchBatch {
  /** Every event with modRevision <= this has been delivered. */
  revision: Revision;
  events: WatchEvent[];
}

export interface WatchOptions {
  range: KeyRange;
  /** First revision to deliver; absent means changes after now. */
  startRevision?: Revision;
  prevKv?: boolean;
  /** Ask for periodic empty batches so a quiet watch can be told apart from a dead one. */
  progressNotify?: boolean;
}

/**
 * A running watch. `batches` ends normally only after `close()`. It throws
 * `CompactedError` when the start revision was compacted and `WatchBrokenError` when the
 * stream could not be kept or resumed; the caller re-lists and watches again.
 */
export interface KvWatch {
  batches: AsyncIterable<WatchBatch>;
  close(): Promise<void>;
}

export interface Kv {
  range(range: KeyRange, options?: RangeOptions): Promise<RangeResult>;
  put(key: string, value: string, options?: { lease?: LeaseId }): Promise<Revision>;
  delete(range: KeyRange): Promise<{ deleted: number; revision: Revision }>;
  /** Atomically: if every compare holds, run `success`, else `failure`. At most 128 ops. */
  txn(compares: Compare[], success: Op[], failure?: Op[]): Promise<TxnResult>;
  watch(options: WatchOptions): KvWatch;
  /** Discards history before `revision`; watches from before it fail with CompactedError. */
  compact(revision: Revision): Promise<void>;

  /** A lease that expires `ttlSeconds` after its last keep-alive; keys on it go with it. */
  grantLease(ttlSeconds: number): Promise<{ id: LeaseId; ttl: number }>;
  /** Renews the lease; resolves to its new TTL, or 0 when the lease no longer exists. */
  keepAliveOnce(id: LeaseId): Promise<number>;
  revokeLease(id: LeaseId): Promise<void>;
  /** Seconds left, or -1 when the lease does not exist. */
  leaseTimeToLive(id: LeaseId): Promise<number>;

  /** The store's current revision, and what it says of itself. */
  status(): Promise<{ revision: Revision; version: string; dbSize: number }>;
  close(): Promise<void>;
}

/** etcd's hard limit on operations in one transaction. */
export const MAX_TXN_OPS = 128;
