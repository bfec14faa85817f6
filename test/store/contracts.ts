/**
 * Every contract suite of the store — Kv, ObjectStore, watchObjects, leader election — against
 * one backend, which is shut down after the last of them. A backend's test file is one call:
 * `describeStoreContracts('embedded (gRPC)', factory)`.
 */
import { afterAll, describe } from 'vitest';
import type { KvBackendFactory } from '../support/kv-backend.ts';
import { describeKvContract } from './kv-contract.ts';
import { describeLeaderContract } from './leader-contract.ts';
import { describeStoreContract } from './store-contract.ts';
import { describeWatchContract } from './watch-contract.ts';

export function describeStoreContracts(name: string, factory: KvBackendFactory): void {
  describe(`store contracts: ${name}`, () => {
    afterAll(() => factory.close());
    describeKvContract(name, factory);
    describeStoreContract(name, factory);
    describeWatchContract(name, factory);
    describeLeaderContract(name, factory);
  });
}
