/**
 * The store's contract suites against a real etcd (Debian's /usr/bin/etcd on a loopback port),
 * through `openEtcdKv`. One etcd for the whole file; each test works under its own key prefix.
 */
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import { startEtcd, type EtcdServer } from '../support/etcd.ts';
import type { KvBackendFactory } from '../support/kv-backend.ts';
import { describeStoreContracts } from './contracts.ts';

function etcdBackend(): KvBackendFactory {
  let server: Promise<EtcdServer> | undefined;
  const started = () => (server ??= startEtcd());
  return {
    restartable: true,
    async open() {
      const etcd = await started();
      return {
        kv: openEtcdKv({
          endpoints: [etcd.endpoint],
          dialTimeoutMs: 2000,
          watchProgressIntervalMs: 500,
        }),
        stop: () => etcd.stop(),
        start: () => etcd.start(),
        restart: () => etcd.restart(),
      };
    },
    async close() {
      const etcd = await server;
      server = undefined;
      await etcd?.remove();
    },
  };
}

describeStoreContracts('etcd', etcdBackend());
