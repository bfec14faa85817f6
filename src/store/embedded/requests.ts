/**
 * The engine's request and response shapes: etcd's v3 messages (rpc.proto) with keys and values
 * as byte strings (see key-space.ts), revisions as numbers and lease ids as
 * decimal strings. Both the gRPC server and the in-process Kv translate into these.
 */

/** One version of one key. A tombstone (the key was deleted at `mod`) has version 0. */
export interface KeyRevision {
  key: string;
  value: string;
  create: number;
  mod: number;
  /** Order among the changes of one revision (etcd's sub-revision). */
  sub: number;
  version: number;
  /** "0" for none. */
  lease: string;
}

/** One entry of the change history: what a watch delivers. */
export interface Change {
  type: 'put' | 'delete';
  /** The new version, or the tombstone of a delete. */
  kv: KeyRevision;
  /** The version before, when there was a live one. */
  prev?: KeyRevision;
}

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';

export interface RangeRequest {
  key: string;
  rangeEnd?: string;
  limit?: number;
  /** 0 or absent: the newest. */
  revision?: number;
  sortOrder?: SortOrder;
  sortTarget?: SortTarget;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface RangeResponse {
  revision: number;
  kvs: KeyRevision[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: string;
  value: string;
  lease?: string;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface PutResponse {
  revision: number;
  prevKv?: KeyRevision;
}

export interface DeleteRangeRequest {
  key: string;
  rangeEnd?: string;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  revision: number;
  deleted: number;
  prevKvs: KeyRevision[];
}

export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';

export interface Compare {
  key: string;
  rangeEnd?: string;
  target: CompareTarget;
  result: CompareResult;
  /** The operand for VERSION, CREATE and MOD. */
  number?: number;
  value?: string;
  lease?: string;
}

export type RequestOp =
  | { range: RangeRequest }
  | { put: PutRequest }
  | { deleteRange: DeleteRangeRequest }
  | { txn: TxnRequest };

export type ResponseOp =
  | { range: RangeResponse }
  | { put: PutResponse }
  | { deleteRange: DeleteRangeResponse }
  | { txn: TxnResponse };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  revision: number;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface LeaseInfo {
  id: string;
  /** Seconds left, -1 when the lease does not exist. */
  ttl: number;
  grantedTtl: number;
  keys: string[];
}
