import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  decodeDeleteRangeRequest,
  decodePutRequest,
  decodeRangeRequest,
  decodeTxnRequest,
  KvResponseEncoder,
} from '../../../src/store/embedded/kv-messages.ts';
import { ProtoDecodeError } from '../../../src/store/embedded/protobuf-wire.ts';
import type { KeyRevision, TxnResponse } from '../../../src/store/embedded/requests.ts';

// etcd's own .proto files, as npm etcd3 ships them: protobufjs is the reference encoding.
const etcd3Dir = dirname(createRequire(import.meta.url).resolve('etcd3/package.json'));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) =>
  target.startsWith('/') ? target : join(etcd3Dir, 'proto', target);
root.loadSync('rpc.proto', { keepCase: true });
const type = (name: string) => root.lookupType(`etcdserverpb.${name}`);

const encode = (name: string, object: object): Buffer =>
  Buffer.from(type(name).encode(type(name).fromObject(object)).finish());
const decode = (name: string, bytes: Buffer) =>
  type(name).toObject(type(name).decode(bytes), {
    longs: String,
    defaults: true,
    arrays: true,
    bytes: String,
    oneofs: false,
  });

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
/** Every byte value, many times: a 1 MiB value that is not text. */
const bigValue = Buffer.from(Uint8Array.from({ length: 2 ** 20 }, (_, i) => i % 256)).toString(
  'latin1',
);
const MAX_INT64 = '9223372036854775807';
const MIN_INT64 = '-9223372036854775808';

const ids = { clusterId: '14841639068965178418', memberId: '10276657743932975437', raftTerm: 2 };
const encoder = new KvResponseEncoder(ids);
const header = (revision: number) => ({
  cluster_id: ids.clusterId,
  member_id: ids.memberId,
  revision: String(revision),
  raft_term: '2',
});
const kv = (over: Partial<KeyRevision> = {}): KeyRevision => ({
  key: 'k',
  value: 'v',
  create: 2,
  mod: 3,
  sub: 0,
  version: 2,
  lease: '0',
  ...over,
});
const wireKv = (k: KeyRevision) => ({
  key: b64(k.key),
  create_revision: String(k.create),
  mod_revision: String(k.mod),
  version: String(k.version),
  value: b64(k.value),
  lease: k.lease,
});

describe('KV request decoding, against protobufjs with etcd’s rpc.proto', () => {
  it('decodes a PutRequest with every field', () => {
    const bytes = encode('PutRequest', {
      key: Buffer.from('/a/b'),
      value: Buffer.from('{"x":1}'),
      lease: '7587869012345678901',
      prev_kv: true,
      ignore_value: true,
      ignore_lease: true,
    });
    expect(decodePutRequest(bytes)).toEqual({
      key: '/a/b',
      value: '{"x":1}',
      lease: '7587869012345678901',
      prevKv: true,
      ignoreValue: true,
      ignoreLease: true,
    });
  });

  it('reads absent fields as proto3 defaults: empty key and value, lease 0', () => {
    expect(decodePutRequest(encode('PutRequest', {}))).toEqual({
      key: '',
      value: '',
      lease: '0',
      prevKv: false,
      ignoreValue: false,
      ignoreLease: false,
    });
  });

  it('keeps any bytes of keys and values, up to a 1 MiB value', () => {
    const key = '\x00\xff\x80/é';
    const bytes = encode('PutRequest', {
      key: Buffer.from(key, 'latin1'),
      value: Buffer.from(bigValue, 'latin1'),
    });
    const req = decodePutRequest(bytes);
    expect(req.key).toBe(key);
    expect(req.value.length).toBe(bigValue.length);
    expect(req.value === bigValue).toBe(true);
  });

  it('keeps int64 lease ids exact at the ends of the range', () => {
    for (const lease of [MAX_INT64, MIN_INT64, '-1', String(2 ** 53), String(2 ** 53 + 1)]) {
      expect(decodePutRequest(encode('PutRequest', { key: Buffer.from('k'), lease })).lease).toBe(
        lease,
      );
    }
  });

  it('decodes a RangeRequest with every field; negative and huge int64s as numbers', () => {
    const bytes = encode('RangeRequest', {
      key: Buffer.from('a'),
      range_end: Buffer.from([0]),
      limit: '-1',
      revision: '1152921504606846976', // 2^60
      sort_order: 2,
      sort_target: 4,
      serializable: true,
      keys_only: true,
      count_only: true,
      min_mod_revision: '1',
      max_mod_revision: '9007199254740991',
      min_create_revision: '3',
      max_create_revision: '4',
    });
    expect(decodeRangeRequest(bytes)).toEqual({
      key: 'a',
      rangeEnd: '\0',
      limit: -1,
      revision: 2 ** 60,
      sortOrder: 'DESCEND',
      sortTarget: 'VALUE',
      keysOnly: true,
      countOnly: true,
      minModRevision: 1,
      maxModRevision: 9007199254740991,
      minCreateRevision: 3,
      maxCreateRevision: 4,
    });
  });

  it('reads an empty range_end as a single key, and unknown enum values as the default', () => {
    const req = decodeRangeRequest(
      encode('RangeRequest', { key: Buffer.from('a'), range_end: Buffer.alloc(0), sort_order: 9 }),
    );
    expect(req.rangeEnd).toBeUndefined();
    expect(req.sortOrder).toBe('NONE');
  });

  it('decodes a DeleteRangeRequest', () => {
    const bytes = encode('DeleteRangeRequest', {
      key: Buffer.from('a'),
      range_end: Buffer.from('b'),
      prev_kv: true,
    });
    expect(decodeDeleteRangeRequest(bytes)).toEqual({ key: 'a', rangeEnd: 'b', prevKv: true });
  });

  it('decodes a TxnRequest: compares on every target, all four ops, nested transactions', () => {
    const bytes = encode('TxnRequest', {
      compare: [
        { result: 0, target: 0, key: Buffer.from('a'), version: '3' },
        { result: 1, target: 1, key: Buffer.from('a'), create_revision: '4' },
        {
          result: 2,
          target: 2,
          key: Buffer.from('a'),
          mod_revision: '5',
          range_end: Buffer.from('z'),
        },
        { result: 3, target: 3, key: Buffer.from('a'), value: Buffer.from('v') },
        { result: 0, target: 4, key: Buffer.from('a'), lease: MAX_INT64 },
        // The operand is the one the target names, whatever else is on the wire.
        { result: 0, target: 2, key: Buffer.from('b'), version: '9' },
      ],
      success: [
        { request_range: { key: Buffer.from('a'), limit: '2' } },
        { request_put: { key: Buffer.from('b'), value: Buffer.from('c') } },
        { request_delete_range: { key: Buffer.from('d'), prev_kv: true } },
        {
          request_txn: {
            compare: [],
            success: [{ request_put: { key: Buffer.from('e'), value: Buffer.from('f') } }],
            failure: [],
          },
        },
      ],
      failure: [{}],
    });
    const req = decodeTxnRequest(bytes);
    expect(req.compare).toEqual([
      { key: 'a', rangeEnd: undefined, target: 'VERSION', result: 'EQUAL', number: 3 },
      { key: 'a', rangeEnd: undefined, target: 'CREATE', result: 'GREATER', number: 4 },
      { key: 'a', rangeEnd: 'z', target: 'MOD', result: 'LESS', number: 5 },
      { key: 'a', rangeEnd: undefined, target: 'VALUE', result: 'NOT_EQUAL', value: 'v' },
      { key: 'a', rangeEnd: undefined, target: 'LEASE', result: 'EQUAL', lease: MAX_INT64 },
      { key: 'b', rangeEnd: undefined, target: 'MOD', result: 'EQUAL', number: 0 },
    ]);
    expect(req.success).toMatchObject([
      { range: { key: 'a', limit: 2 } },
      { put: { key: 'b', value: 'c', lease: '0' } },
      { deleteRange: { key: 'd', prevKv: true } },
      {
        txn: {
          compare: [],
          success: [{ put: { key: 'e', value: 'f' } }],
          failure: [],
        },
      },
    ]);
    // An empty RequestOp answers like a range that finds nothing.
    expect(req.failure).toEqual([{ range: { key: '\0', countOnly: true } }]);
  });

  it('skips unknown fields, and known fields with an unexpected wire type', () => {
    const known = encode('PutRequest', { key: Buffer.from('k'), value: Buffer.from('v') });
    const extra = Buffer.from([
      ...[0xf8, 0x06, 0x2a], // field 111, varint
      ...[0x99, 0x07, 1, 2, 3, 4, 5, 6, 7, 8], // field 115, fixed64
      ...[0xa2, 0x06, 0x02, 0x61, 0x62], // field 100, bytes
      ...[0xad, 0x07, 1, 2, 3, 4], // field 117, fixed32
      ...[0x08, 0x05], // field 1 (key) as a varint: not a key
    ]);
    expect(decodePutRequest(Buffer.concat([known, extra]))).toMatchObject({ key: 'k', value: 'v' });
  });

  it('rejects truncated and malformed messages instead of guessing', () => {
    const bytes = encode('PutRequest', { key: Buffer.from('key'), value: Buffer.from('value') });
    const keyField = 2 + 'key'.length; // cutting right after it leaves a valid message
    for (let cut = 1; cut < bytes.length; cut++) {
      if (cut === keyField) continue;
      expect(() => decodePutRequest(bytes.subarray(0, cut))).toThrow(ProtoDecodeError);
    }
    expect(decodePutRequest(bytes.subarray(0, keyField))).toMatchObject({ key: 'key', value: '' });
    const tooLong = Buffer.from([0x18, ...Array<number>(10).fill(0xff), 0x01]);
    expect(() => decodePutRequest(tooLong)).toThrow(/longer than 10 bytes/);
    expect(() => decodePutRequest(Buffer.from([0x0b]))).toThrow(/wire type 3/);
  });
});

describe('KV response encoding, decoded by protobufjs with etcd’s rpc.proto', () => {
  it('encodes a PutResponse, with and without prev_kv', () => {
    expect(decode('PutResponse', encoder.putResponse({ revision: 5 }))).toEqual({
      header: header(5),
      prev_kv: null,
    });
    const prev = kv({ lease: MAX_INT64 });
    expect(decode('PutResponse', encoder.putResponse({ revision: 6, prevKv: prev }))).toEqual({
      header: header(6),
      prev_kv: wireKv(prev),
    });
  });

  it('encodes a RangeResponse: empty key and value, any bytes, 1 MiB values, big revisions', () => {
    const kvs = [
      kv({ key: '', value: '' }),
      kv({ key: '\x00\xff', value: bigValue, create: 2 ** 53 - 1, mod: 2 ** 53 - 1 }),
      kv({ key: 'l', lease: '-5', version: 1 }),
    ];
    const bytes = encoder.rangeResponse({ revision: 2 ** 40, kvs, more: true, count: 3 });
    expect(decode('RangeResponse', bytes)).toEqual({
      header: header(2 ** 40),
      kvs: kvs.map(wireKv),
      more: true,
      count: '3',
    });
    expect(
      decode(
        'RangeResponse',
        encoder.rangeResponse({ revision: 1, kvs: [], more: false, count: 0 }),
      ),
    ).toEqual({ header: header(1), kvs: [], more: false, count: '0' });
  });

  it('encodes a DeleteRangeResponse', () => {
    const prevKvs = [kv({ key: 'a' }), kv({ key: 'b' })];
    expect(
      decode(
        'DeleteRangeResponse',
        encoder.deleteRangeResponse({ revision: 9, deleted: 2, prevKvs }),
      ),
    ).toEqual({ header: header(9), deleted: '2', prev_kvs: prevKvs.map(wireKv) });
  });

  it('encodes a TxnResponse with every kind of op response, nested', () => {
    const r: TxnResponse = {
      revision: 300,
      succeeded: true,
      responses: [
        { range: { revision: 300, kvs: [kv({ value: bigValue })], more: false, count: 1 } },
        { put: { revision: 300, prevKv: kv() } },
        { deleteRange: { revision: 300, deleted: 0, prevKvs: [] } },
        {
          txn: {
            revision: 300,
            succeeded: false,
            responses: [{ put: { revision: 300 } }],
          },
        },
      ],
    };
    expect(decode('TxnResponse', encoder.txnResponse(r))).toEqual({
      header: header(300),
      succeeded: true,
      responses: [
        {
          response_range: {
            header: header(300),
            kvs: [wireKv(kv({ value: bigValue }))],
            more: false,
            count: '1',
          },
        },
        { response_put: { header: header(300), prev_kv: wireKv(kv()) } },
        { response_delete_range: { header: header(300), deleted: '0', prev_kvs: [] } },
        {
          response_txn: {
            header: header(300),
            succeeded: false,
            responses: [{ response_put: { header: header(300), prev_kv: null } }],
          },
        },
      ],
    });
  });

  it('writes the same bytes as protobufjs for a message with no zero fields', () => {
    const prev = kv({ key: '/meseta/x', value: '{"spec":{}}', lease: '7587869012345678901' });
    const ours = encoder.putResponse({ revision: 12345, prevKv: prev });
    const theirs = encode('PutResponse', { header: header(12345), prev_kv: wireKv(prev) });
    expect(ours.equals(theirs)).toBe(true);
  });
});
