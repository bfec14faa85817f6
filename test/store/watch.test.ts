/** watchObjects against a real etcd: the watch contract suite. */
import { afterAll } from 'vitest';
import { etcdBackend } from '../support/etcd-backend.ts';
import { describeWatchContract } from './watch-contract.ts';

const etcd = etcdBackend();
afterAll(() => etcd.close());
describeWatchContract('etcd', etcd);
