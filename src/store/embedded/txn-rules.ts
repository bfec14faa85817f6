/**
 * etcd's transaction rules, as pure functions: the shape checks (at most 128 compares and ops
 * per branch, no key written twice), how a compare is judged against a key's state, and the
 * revision stamped on every response of a transaction.
 */
import { MAX_TXN_OPS } from '../kv.ts';
import { etcdErrors } from './errors.ts';
import { inInterval, intervalOf } from './key-space.ts';
import type { Compare, KeyRevision, ResponseOp, TxnRequest } from './requests.ts';

/** A missing key as compares see it: revisions, version and lease 0, no value. */
export const MISSING: KeyRevision = {
  key: '',
  value: '',
  create: 0,
  mod: 0,
  sub: 0,
  version: 0,
  lease: '0',
};

/** etcd's checks before anything runs: MAX_TXN_OPS per branch and for compares, no key put twice. */
export function checkShape(req: TxnRequest): void {
  if (
    req.compare.length > MAX_TXN_OPS ||
    req.success.length > MAX_TXN_OPS ||
    req.failure.length > MAX_TXN_OPS
  ) {
    throw etcdErrors.tooManyOps();
  }
  for (const branch of [req.success, req.failure]) {
    const puts = new Set<string>();
    for (const op of branch) {
      if (!('put' in op)) continue;
      if (puts.has(op.put.key)) throw etcdErrors.duplicateKey();
      puts.add(op.put.key);
    }
    for (const op of branch) {
      if ('txn' in op) checkShape(op.txn);
      if (!('deleteRange' in op) || puts.size === 0) continue;
      const interval = intervalOf(op.deleteRange.key, op.deleteRange.rangeEnd);
      for (const key of puts) if (inInterval(interval, key)) throw etcdErrors.duplicateKey();
    }
  }
}

export function compareHolds(c: Compare, kv: KeyRevision): boolean {
  let order: number;
  switch (c.target) {
    case 'VERSION':
      order = Math.sign(kv.version - (c.number ?? 0));
      break;
    case 'CREATE':
      order = Math.sign(kv.create - (c.number ?? 0));
      break;
    case 'MOD':
      order = Math.sign(kv.mod - (c.number ?? 0));
      break;
    case 'VALUE':
      order = compareBytes(kv.value, c.value ?? '');
      break;
    case 'LEASE':
      order = compareDecimal(kv.lease, c.lease ?? '0');
      break;
  }
  switch (c.result) {
    case 'EQUAL':
      return order === 0;
    case 'NOT_EQUAL':
      return order !== 0;
    case 'GREATER':
      return order > 0;
    case 'LESS':
      return order < 0;
  }
}

export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDecimal(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function stampRevision(responses: ResponseOp[], revision: number): void {
  for (const r of responses) {
    if ('range' in r) r.range.revision = revision;
    else if ('put' in r) r.put.revision = revision;
    else if ('deleteRange' in r) r.deleteRange.revision = revision;
    else {
      r.txn.revision = revision;
      stampRevision(r.txn.responses, revision);
    }
  }
}
