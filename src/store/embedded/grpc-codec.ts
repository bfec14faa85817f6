/**
 * Translation between etcd's protobuf messages (as @grpc/proto-loader hands them over: snake
 * case, int64 as decimal strings, enums as numbers, bytes as Buffers) and the engine's request
 * and response shapes. Field names and enum numbers follow etcd's rpc.proto and kv.proto.
 */
import { intervalOf, keyFromBytes, keyToBytes, type KeyInterval } from './key-space.ts';
import type {
  Change,
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyRevision,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  SortOrder,
  SortTarget,
  TxnRequest,
  TxnResponse,
} from './requests.ts';

/** A decoded message: proto-loader gives plain objects. */
export type Wire = Record<string, unknown>;

const sortOrders: SortOrder[] = ['NONE', 'ASCEND', 'DESCEND'];
const sortTargets: SortTarget[] = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'];
const compareResults: CompareResult[] = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'];
const compareTargets: CompareTarget[] = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'];
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

export function rangeRequest(m: Wire): RangeRequest {
  return {
    key: key(m.key),
    rangeEnd: rangeEnd(m.range_end),
    limit: num(m.limit),
    revision: num(m.revision),
    sortOrder: sortOrders[num(m.sort_order)] ?? 'NONE',
    sortTarget: sortTargets[num(m.sort_target)] ?? 'KEY',
    keysOnly: m.keys_only === true,
    countOnly: m.count_only === true,
    minModRevision: num(m.min_mod_revision),
    maxModRevision: num(m.max_mod_revision),
    minCreateRevision: num(m.min_create_revision),
    maxCreateRevision: num(m.max_create_revision),
  };
}

export function putRequest(m: Wire): PutRequest {
  return {
    key: key(m.key),
    value: key(m.value),
    lease: leaseOf(m.lease),
    prevKv: m.prev_kv === true,
    ignoreValue: m.ignore_value === true,
    ignoreLease: m.ignore_lease === true,
  };
}

export function deleteRangeRequest(m: Wire): DeleteRangeRequest {
  return { key: key(m.key), rangeEnd: rangeEnd(m.range_end), prevKv: m.prev_kv === true };
}

export function txnRequest(m: Wire): TxnRequest {
  return {
    compare: ((m.compare as Wire[]) ?? []).map(compare),
    success: ((m.success as Wire[]) ?? []).map(requestOp),
    failure: ((m.failure as Wire[]) ?? []).map(requestOp),
  };
}

function compare(m: Wire): Compare {
  const target = compareTargets[num(m.target)] ?? 'VERSION';
  const c: Compare = {
    key: key(m.key),
    rangeEnd: rangeEnd(m.range_end),
    target,
    result: compareResults[num(m.result)] ?? 'EQUAL',
  };
  // etcd reads the operand that matches the target, whatever else the oneof holds.
  if (target === 'VERSION') c.number = num(m.version);
  else if (target === 'CREATE') c.number = num(m.create_revision);
  else if (target === 'MOD') c.number = num(m.mod_revision);
  else if (target === 'VALUE') c.value = key(m.value);
  else c.lease = leaseOf(m.lease);
  return c;
}

function requestOp(m: Wire): RequestOp {
  if (m.request_range) return { range: rangeRequest(m.request_range as Wire) };
  if (m.request_put) return { put: putRequest(m.request_put as Wire) };
  if (m.request_delete_range) {
    return { deleteRange: deleteRangeRequest(m.request_delete_range as Wire) };
  }
  if (m.request_txn) return { txn: txnRequest(m.request_txn as Wire) };
  // An empty RequestOp: etcd answers it with an empty ResponseOp; a range of nothing is the nearest.
  return { range: { key: '\0', countOnly: true } };
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

export function rangeResponse(header: Header, r: RangeResponse): Wire {
  return { header, kvs: r.kvs.map(keyValue), more: r.more, count: r.count };
}

export function putResponse(header: Header, r: PutResponse): Wire {
  return r.prevKv ? { header, prev_kv: keyValue(r.prevKv) } : { header };
}

export function deleteRangeResponse(header: Header, r: DeleteRangeResponse): Wire {
  return { header, deleted: r.deleted, prev_kvs: r.prevKvs.map(keyValue) };
}

export function txnResponse(header: (revision: number) => Header, r: TxnResponse): Wire {
  return {
    header: header(r.revision),
    succeeded: r.succeeded,
    responses: r.responses.map((op) => responseOp(header, op)),
  };
}

function responseOp(header: (revision: number) => Header, op: ResponseOp): Wire {
  if ('range' in op) return { response_range: rangeResponse(header(op.range.revision), op.range) };
  if ('put' in op) return { response_put: putResponse(header(op.put.revision), op.put) };
  if ('deleteRange' in op) {
    return {
      response_delete_range: deleteRangeResponse(header(op.deleteRange.revision), op.deleteRange),
    };
  }
  return { response_txn: txnResponse(header, op.txn) };
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
