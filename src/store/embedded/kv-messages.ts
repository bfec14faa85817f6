/**
 * Hand-written protobuf codecs for the messages of etcd's KV service (Range, Put, DeleteRange,
 * Txn): requests decode straight into the engine's request shapes and responses encode straight
 * from the engine's results, with no intermediate objects, since these run once per client
 * request. Field numbers and enum values are those of etcd's rpc.proto and kv.proto. Zero
 * values are omitted, as proto3 encoders do; unknown fields (and known ones with an unexpected
 * wire type) are skipped, as etcd's Go decoder does.
 */
import type {
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
import {
  delimitedSize,
  int64FieldSize,
  int64StringFieldSize,
  ProtoReader,
  ProtoWriter,
} from './protobuf-wire.ts';

const sortOrders: SortOrder[] = ['NONE', 'ASCEND', 'DESCEND'];
const sortTargets: SortTarget[] = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'];
const compareResults: CompareResult[] = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'];
const compareTargets: CompareTarget[] = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'];

// Field keys (field number << 3 | wire type) as they appear on the wire.
const F1_VARINT = 0x08;
const F1_BYTES = 0x0a;
const F2_VARINT = 0x10;
const F2_BYTES = 0x12;
const F3_VARINT = 0x18;
const F3_BYTES = 0x1a;
const F4_VARINT = 0x20;
const F4_BYTES = 0x22;
const F5_VARINT = 0x28;
const F5_BYTES = 0x2a;
const F6_VARINT = 0x30;
const F7_BYTES = 0x3a;
const F8_VARINT = 0x40;
const F9_VARINT = 0x48;
const F10_VARINT = 0x50;
const F11_VARINT = 0x58;
const F12_VARINT = 0x60;
const F13_VARINT = 0x68;
/** Compare.range_end is field 64. */
const F64_BYTES = (64 << 3) | 2;

// ---- requests ----

export function decodeRangeRequest(bytes: Buffer): RangeRequest {
  return rangeRequest(new ProtoReader(bytes, 0, bytes.length));
}

export function decodePutRequest(bytes: Buffer): PutRequest {
  return putRequest(new ProtoReader(bytes, 0, bytes.length));
}

export function decodeDeleteRangeRequest(bytes: Buffer): DeleteRangeRequest {
  return deleteRangeRequest(new ProtoReader(bytes, 0, bytes.length));
}

export function decodeTxnRequest(bytes: Buffer): TxnRequest {
  return txnRequest(new ProtoReader(bytes, 0, bytes.length));
}

/** An absent or empty range_end reads as "just the key". */
function orUndefined(rangeEnd: string): string | undefined {
  return rangeEnd.length === 0 ? undefined : rangeEnd;
}

function rangeRequest(r: ProtoReader): RangeRequest {
  const req: RangeRequest = {
    key: '',
    rangeEnd: undefined,
    limit: 0,
    revision: 0,
    sortOrder: 'NONE',
    sortTarget: 'KEY',
    keysOnly: false,
    countOnly: false,
    minModRevision: 0,
    maxModRevision: 0,
    minCreateRevision: 0,
    maxCreateRevision: 0,
  };
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case F1_BYTES:
        req.key = r.bytes();
        break;
      case F2_BYTES:
        req.rangeEnd = orUndefined(r.bytes());
        break;
      case F3_VARINT:
        req.limit = r.int64();
        break;
      case F4_VARINT:
        req.revision = r.int64();
        break;
      case F5_VARINT:
        req.sortOrder = sortOrders[r.int64()] ?? 'NONE';
        break;
      case F6_VARINT:
        req.sortTarget = sortTargets[r.int64()] ?? 'KEY';
        break;
      case F8_VARINT:
        req.keysOnly = r.bool();
        break;
      case F9_VARINT:
        req.countOnly = r.bool();
        break;
      case F10_VARINT:
        req.minModRevision = r.int64();
        break;
      case F11_VARINT:
        req.maxModRevision = r.int64();
        break;
      case F12_VARINT:
        req.minCreateRevision = r.int64();
        break;
      case F13_VARINT:
        req.maxCreateRevision = r.int64();
        break;
      default:
        // Including field 7, serializable: a single member serves every read from its own state.
        r.skip(tag & 7);
    }
  }
  return req;
}

function putRequest(r: ProtoReader): PutRequest {
  const req: PutRequest = {
    key: '',
    value: '',
    lease: '0',
    prevKv: false,
    ignoreValue: false,
    ignoreLease: false,
  };
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case F1_BYTES:
        req.key = r.bytes();
        break;
      case F2_BYTES:
        req.value = r.bytes();
        break;
      case F3_VARINT:
        req.lease = r.int64String();
        break;
      case F4_VARINT:
        req.prevKv = r.bool();
        break;
      case F5_VARINT:
        req.ignoreValue = r.bool();
        break;
      case F6_VARINT:
        req.ignoreLease = r.bool();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return req;
}

function deleteRangeRequest(r: ProtoReader): DeleteRangeRequest {
  const req: DeleteRangeRequest = { key: '', rangeEnd: undefined, prevKv: false };
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case F1_BYTES:
        req.key = r.bytes();
        break;
      case F2_BYTES:
        req.rangeEnd = orUndefined(r.bytes());
        break;
      case F3_VARINT:
        req.prevKv = r.bool();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return req;
}

function txnRequest(r: ProtoReader): TxnRequest {
  const req: TxnRequest = { compare: [], success: [], failure: [] };
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case F1_BYTES:
        req.compare.push(compare(r.message()));
        break;
      case F2_BYTES:
        req.success.push(requestOp(r.message()));
        break;
      case F3_BYTES:
        req.failure.push(requestOp(r.message()));
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return req;
}

function compare(r: ProtoReader): Compare {
  let result = 0;
  let target = 0;
  let key = '';
  let rangeEnd = '';
  let version = 0;
  let create = 0;
  let mod = 0;
  let value = '';
  let lease = '0';
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case F1_VARINT:
        result = r.int64();
        break;
      case F2_VARINT:
        target = r.int64();
        break;
      case F3_BYTES:
        key = r.bytes();
        break;
      case F4_VARINT:
        version = r.int64();
        break;
      case F5_VARINT:
        create = r.int64();
        break;
      case F6_VARINT:
        mod = r.int64();
        break;
      case F7_BYTES:
        value = r.bytes();
        break;
      case F8_VARINT:
        lease = r.int64String();
        break;
      case F64_BYTES:
        rangeEnd = r.bytes();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  const t = compareTargets[target] ?? 'VERSION';
  const c: Compare = {
    key,
    rangeEnd: orUndefined(rangeEnd),
    target: t,
    result: compareResults[result] ?? 'EQUAL',
  };
  // etcd reads the operand that matches the target, whatever else the oneof holds.
  if (t === 'VERSION') c.number = version;
  else if (t === 'CREATE') c.number = create;
  else if (t === 'MOD') c.number = mod;
  else if (t === 'VALUE') c.value = value;
  else c.lease = lease;
  return c;
}

function requestOp(r: ProtoReader): RequestOp {
  // A oneof: the last member on the wire wins.
  let op: RequestOp | undefined;
  while (r.more) {
    const tag = r.tag();
    switch (tag) {
      case F1_BYTES:
        op = { range: rangeRequest(r.message()) };
        break;
      case F2_BYTES:
        op = { put: putRequest(r.message()) };
        break;
      case F3_BYTES:
        op = { deleteRange: deleteRangeRequest(r.message()) };
        break;
      case F4_BYTES:
        op = { txn: txnRequest(r.message()) };
        break;
      default:
        r.skip(tag & 7);
    }
  }
  // An empty RequestOp: etcd answers it with an empty ResponseOp; a range of nothing is the nearest.
  return op ?? { range: { key: '\0', countOnly: true } };
}

// ---- responses ----

/** The fixed part of every response header: who answers, and in which term. */
export interface HeaderIds {
  /** uint64 as a decimal string. */
  clusterId: string;
  memberId: string;
  raftTerm: number;
}

function bytesFieldSize(s: string): number {
  return s.length === 0 ? 0 : delimitedSize(s.length);
}

function keyValueSize(kv: KeyRevision): number {
  return (
    bytesFieldSize(kv.key) +
    int64FieldSize(kv.create) +
    int64FieldSize(kv.mod) +
    int64FieldSize(kv.version) +
    bytesFieldSize(kv.value) +
    int64StringFieldSize(kv.lease)
  );
}

/** Encodes KV responses for one member; the header's constant fields are encoded once. */
export class KvResponseEncoder {
  /** cluster_id and member_id, the header fields before revision. */
  private readonly idFields: Buffer;
  /** raft_term, the header field after revision. */
  private readonly termField: Buffer;

  constructor(ids: HeaderIds) {
    const head = new ProtoWriter(32);
    head.int64StringField(F1_VARINT, ids.clusterId);
    head.int64StringField(F2_VARINT, ids.memberId);
    this.idFields = Buffer.from(head.buf.subarray(0, head.at));
    const tail = new ProtoWriter(16);
    tail.int64Field(F4_VARINT, ids.raftTerm);
    this.termField = Buffer.from(tail.buf.subarray(0, tail.at));
  }

  rangeResponse(r: RangeResponse): Buffer {
    const w = new ProtoWriter(this.rangeSize(r));
    this.writeRange(w, r);
    return w.finish();
  }

  putResponse(r: PutResponse): Buffer {
    const w = new ProtoWriter(this.putSize(r));
    this.writePut(w, r);
    return w.finish();
  }

  deleteRangeResponse(r: DeleteRangeResponse): Buffer {
    const w = new ProtoWriter(this.deleteRangeSize(r));
    this.writeDeleteRange(w, r);
    return w.finish();
  }

  txnResponse(r: TxnResponse): Buffer {
    const w = new ProtoWriter(this.txnSize(r));
    this.writeTxn(w, r);
    return w.finish();
  }

  private headerContentSize(revision: number): number {
    return this.idFields.length + int64FieldSize(revision) + this.termField.length;
  }

  private headerSize(revision: number): number {
    return delimitedSize(this.headerContentSize(revision));
  }

  private writeHeader(w: ProtoWriter, revision: number): void {
    w.messageHeader(F1_BYTES, this.headerContentSize(revision));
    w.raw(this.idFields);
    w.int64Field(F3_VARINT, revision);
    w.raw(this.termField);
  }

  private writeKeyValue(w: ProtoWriter, tag: number, kv: KeyRevision): void {
    w.messageHeader(tag, keyValueSize(kv));
    w.bytesField(F1_BYTES, kv.key);
    w.int64Field(F2_VARINT, kv.create);
    w.int64Field(F3_VARINT, kv.mod);
    w.int64Field(F4_VARINT, kv.version);
    w.bytesField(F5_BYTES, kv.value);
    w.int64StringField(F6_VARINT, kv.lease);
  }

  private rangeSize(r: RangeResponse): number {
    let size = this.headerSize(r.revision) + (r.more ? 2 : 0) + int64FieldSize(r.count);
    for (const kv of r.kvs) size += delimitedSize(keyValueSize(kv));
    return size;
  }

  private writeRange(w: ProtoWriter, r: RangeResponse): void {
    this.writeHeader(w, r.revision);
    for (const kv of r.kvs) this.writeKeyValue(w, F2_BYTES, kv);
    w.boolField(F3_VARINT, r.more);
    w.int64Field(F4_VARINT, r.count);
  }

  private putSize(r: PutResponse): number {
    const prev = r.prevKv ? delimitedSize(keyValueSize(r.prevKv)) : 0;
    return this.headerSize(r.revision) + prev;
  }

  private writePut(w: ProtoWriter, r: PutResponse): void {
    this.writeHeader(w, r.revision);
    if (r.prevKv) this.writeKeyValue(w, F2_BYTES, r.prevKv);
  }

  private deleteRangeSize(r: DeleteRangeResponse): number {
    let size = this.headerSize(r.revision) + int64FieldSize(r.deleted);
    for (const kv of r.prevKvs) size += delimitedSize(keyValueSize(kv));
    return size;
  }

  private writeDeleteRange(w: ProtoWriter, r: DeleteRangeResponse): void {
    this.writeHeader(w, r.revision);
    w.int64Field(F2_VARINT, r.deleted);
    for (const kv of r.prevKvs) this.writeKeyValue(w, F3_BYTES, kv);
  }

  private txnSize(r: TxnResponse): number {
    let size = this.headerSize(r.revision) + (r.succeeded ? 2 : 0);
    for (const op of r.responses) size += delimitedSize(this.responseOpSize(op));
    return size;
  }

  private writeTxn(w: ProtoWriter, r: TxnResponse): void {
    this.writeHeader(w, r.revision);
    w.boolField(F2_VARINT, r.succeeded);
    for (const op of r.responses) {
      w.messageHeader(F3_BYTES, this.responseOpSize(op));
      this.writeResponseOp(w, op);
    }
  }

  private responseOpSize(op: ResponseOp): number {
    if ('range' in op) return delimitedSize(this.rangeSize(op.range));
    if ('put' in op) return delimitedSize(this.putSize(op.put));
    if ('deleteRange' in op) return delimitedSize(this.deleteRangeSize(op.deleteRange));
    return delimitedSize(this.txnSize(op.txn));
  }

  private writeResponseOp(w: ProtoWriter, op: ResponseOp): void {
    if ('range' in op) {
      w.messageHeader(F1_BYTES, this.rangeSize(op.range));
      this.writeRange(w, op.range);
    } else if ('put' in op) {
      w.messageHeader(F2_BYTES, this.putSize(op.put));
      this.writePut(w, op.put);
    } else if ('deleteRange' in op) {
      w.messageHeader(F3_BYTES, this.deleteRangeSize(op.deleteRange));
      this.writeDeleteRange(w, op.deleteRange);
    } else {
      w.messageHeader(F4_BYTES, this.txnSize(op.txn));
      this.writeTxn(w, op.txn);
    }
  }
}
