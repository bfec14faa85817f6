/**
 * How a range read picks and orders versions: the version of a key visible at a revision, the
 * min/max revision filters, and the sort orders of etcd's RangeRequest.
 */
import type { KeyRevision, RangeRequest } from './requests.ts';
import { compareBytes } from './txn-rules.ts';

/** The live version of a key as of revision `at`, if any (histories ascend by revision). */
export function visibleAt(history: KeyRevision[] | undefined, at: number): KeyRevision | undefined {
  if (!history) return undefined;
  let i = history.length - 1;
  if (history[i]!.mod > at) {
    let lo = 0;
    let hi = history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (history[mid]!.mod <= at) lo = mid + 1;
      else hi = mid;
    }
    i = lo - 1;
  }
  const kv = history[i];
  return kv && kv.version > 0 ? kv : undefined;
}

export function passesFilters(req: RangeRequest, kv: KeyRevision): boolean {
  if (req.minModRevision && kv.mod < req.minModRevision) return false;
  if (req.maxModRevision && kv.mod > req.maxModRevision) return false;
  if (req.minCreateRevision && kv.create < req.minCreateRevision) return false;
  if (req.maxCreateRevision && kv.create > req.maxCreateRevision) return false;
  return true;
}

export function comparatorFor(req: RangeRequest): (a: KeyRevision, b: KeyRevision) => number {
  const by = (a: KeyRevision, b: KeyRevision): number => {
    switch (req.sortTarget ?? 'KEY') {
      case 'KEY':
        return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      case 'VERSION':
        return a.version - b.version;
      case 'CREATE':
        return a.create - b.create;
      case 'MOD':
        return a.mod - b.mod;
      case 'VALUE':
        return compareBytes(a.value, b.value);
    }
  };
  return req.sortOrder === 'DESCEND' ? (a, b) => by(b, a) : by;
}
