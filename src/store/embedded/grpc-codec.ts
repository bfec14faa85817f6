/**
 * Translation between the engine's shapes and etcd's Watch, Lease, Maintenance and Cluster
 * messages as @grpc/proto-loader hands them over (snake case, int64 as decimal strings, enums as
 * numbers, bytes as Buffers). The KV service's messages have hand-written codecs instead
 * (kv-messages.ts). Field names and enum numbers follow etcd's rpc.proto and kv.proto.
 */
import { intervalOf, keyFromBytes, keyToBytes, type KeyInterval } from './key-space.ts';
import type { Change, KeyRevision } from './requests.ts';

/** A decoded message: proto-loader gives plain objects. */
export type Wire = Record<string, unknown>;

/** mvccpb.Event.EventType */
const PUT = 0;
const DELETE = 1;
/** WatchCreateRequest.FilterType */
export const FILTER_NOPUT = 0;
export const FILTER_NODELETE = 1;

export interface Header {
  cluster_id: string;
  member_id: string;
  revision: number;
  raft_term: number;
}

function bytes(value: unknown): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.alloc(0);
}

function key(value: unknown): string {
  return keyFromBytes(bytes(value));
}

/** An absent or empty range_end reads as "just the key". */
function rangeEnd(value: unknown): string | undefined {
  const b = bytes(value);
  return b.length === 0 ? undefined : keyFromBytes(b);
}

function num(value: unknown): number {
  return value === undefined || value === null ? 0 : Number(value);
}

/** int64 lease ids stay decimal strings (they may exceed 2^53). */
function leaseOf(value: unknown): string {
  return value === undefined || value === null ? '0' : BigInt(value as string).toString();
}

export function keyValue(kv: KeyRevision): Wire {
  return {
    key: keyToBytes(kv.key),
    create_revision: kv.create,
    mod_revision: kv.mod,
    version: kv.version,
    value: keyToBytes(kv.value),
    lease: kv.lease,
  };
}

export function event(change: Change, withPrev: boolean): Wire {
  const e: Wire = { type: change.type === 'put' ? PUT : DELETE, kv: keyValue(change.kv) };
  if (withPrev && change.prev) e.prev_kv = keyValue(change.prev);
  return e;
}

export function watchInterval(m: Wire): KeyInterval {
  return intervalOf(key(m.key), rangeEnd(m.range_end));
}

export { num as wireNumber, leaseOf as wireLease };
