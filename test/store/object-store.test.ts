/** The object store: its compare evaluation, and its contract suite against a real etcd. */
import { afterAll, describe, expect, it } from 'vitest';
import type { Compare, KeyValue } from '../../src/store/kv.ts';
import { compareHolds } from '../../src/store/object-store.ts';
import { etcdBackend } from '../support/etcd-backend.ts';
import { describeStoreContract } from './store-contract.ts';

const etcd = etcdBackend();
afterAll(() => etcd.close());
describeStoreContract('etcd', etcd);

const kv: KeyValue = {
  key: 'k',
  value: 'v',
  createRevision: '5',
  modRevision: '12',
  version: '3',
  lease: '7587869283',
};

describe('compareHolds', () => {
  it('evaluates compares as etcd does, revisions as 64-bit integers', () => {
    const holds = (compare: Compare, on: KeyValue | undefined) => compareHolds(compare, on);
    expect(holds({ key: 'k', target: 'mod', result: '==', revision: '12' }, kv)).toBe(true);
    expect(holds({ key: 'k', target: 'mod', result: '>', revision: '9' }, kv)).toBe(true);
    expect(holds({ key: 'k', target: 'create', result: '<', revision: '5' }, kv)).toBe(false);
    expect(holds({ key: 'k', target: 'version', result: '!=', version: '3' }, kv)).toBe(false);
    expect(holds({ key: 'k', target: 'lease', result: '==', lease: '7587869283' }, kv)).toBe(true);
    expect(holds({ key: 'k', target: 'value', result: '==', value: 'v' }, kv)).toBe(true);
    expect(holds({ key: 'k', target: 'create', result: '==', revision: '0' }, undefined)).toBe(
      true,
    );
    expect(holds({ key: 'k', target: 'value', result: '==', value: '' }, undefined)).toBe(false);
    const big = { ...kv, modRevision: '9007199254740993' };
    expect(holds({ key: 'k', target: 'mod', result: '>', revision: '9007199254740992' }, big)).toBe(
      true,
    );
  });
});
