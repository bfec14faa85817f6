/** Leader election and fencing against a real etcd: the leader contract suite. */
import { afterAll } from 'vitest';
import { etcdBackend } from '../support/etcd-backend.ts';
import { describeLeaderContract } from './leader-contract.ts';

const etcd = etcdBackend();
afterAll(() => etcd.close());
describeLeaderContract('etcd', etcd);
