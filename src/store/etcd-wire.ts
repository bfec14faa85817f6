/**
 * Conversions between the Kv contract's types and etcd's v3 wire messages as npm `etcd3`
 * exchanges them (keys and values as Buffers, revisions as decimal strings).
 */
import type { ICompare, IKeyValue, IRequestOp, IResponseOp, IWatchResponse } from 'etcd3';
import type { Compare, KeyRange, KeyValue, Op, OpResult, Revision, WatchEvent } from './kv.ts';

/** etcd's range for a KeyRange; a prefix ends at the prefix with its last byte incremented. */
export function rangeKeys(range: KeyRange): { key: Buffer; range_end?: Buffer } {
  if ('prefix' in range) {
    return { key: Buffer.from(range.prefix), range_end: prefixEnd(Buffer.from(range.prefix)) };
  }
  if ('rangeEnd' in range)
    return { key: Buffer.from(range.key), range_end: Buffer.from(range.rangeEnd) };
  return { key: Buffer.from(range.key) };
}

function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  // Every byte is 0xff (or the prefix is empty): the range runs to the end of the keyspace.
  return Buffer.from([0]);
}

export function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: kv.create_revision,
    modRevision: kv.mod_revision,
    version: kv.version,
    lease: kv.lease,
  };
}

export function toWatchEvent(event: IWatchResponse['events'][number]): WatchEvent {
  const kv = toKeyValue(event.kv);
  const prevKv = event.prev_kv ? toKeyValue(event.prev_kv) : undefined;
  const type = event.type === 'Delete' ? 'delete' : 'put';
  return prevKv ? { type, kv, prevKv } : { type, kv };
}

const compareResult = { '==': 'Equal', '!=': 'NotEqual', '<': 'Less', '>': 'Greater' } as const;

export function toCompare(compare: Compare): ICompare {
  const base = { key: Buffer.from(compare.key), result: compareResult[compare.result] };
  switch (compare.target) {
    case 'create':
      return { ...base, target: 'Create', create_revision: compare.revision };
    case 'mod':
      return { ...base, target: 'Mod', mod_revision: compare.revision };
    case 'version':
      return { ...base, target: 'Version', version: compare.version };
    case 'value':
      return { ...base, target: 'Value', value: Buffer.from(compare.value) };
    case 'lease':
      return { ...base, target: 'Lease', lease: compare.lease };
  }
}

export function toRequestOp(op: Op): IRequestOp {
  switch (op.type) {
    case 'put':
      return {
        request_put: {
          key: Buffer.from(op.key),
          value: Buffer.from(op.value),
          ...(op.lease && op.lease !== '0' ? { lease: op.lease } : {}),
        },
      };
    case 'delete':
      return { request_delete_range: { ...rangeKeys(op.range), prev_kv: true } };
    case 'range':
      return {
        request_range: { ...rangeKeys(op.range), ...(op.limit ? { limit: op.limit } : {}) },
      };
  }
}

export function toOpResult(response: IResponseOp, op: Op, revision: Revision): OpResult {
  switch (op.type) {
    case 'put':
      return { type: 'put', revision };
    case 'delete': {
      const r = response.response_delete_range;
      return { type: 'delete', deleted: Number(r.deleted), prevKvs: r.prev_kvs.map(toKeyValue) };
    }
    case 'range': {
      const r = response.response_range;
      return { type: 'range', kvs: r.kvs.map(toKeyValue), more: r.more, count: Number(r.count) };
    }
  }
}
