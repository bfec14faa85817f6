/**
 * The contract suites' backend for a real etcd: one `/usr/bin/etcd` per factory, started on
 * first use, reached through `openEtcdKv` with short timings so that the suites' failure tests
 * run fast, and removed by `close()`.
 */
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import { startEtcd, type EtcdServer } from './etcd.ts';
import type { KvBackendFactory } from './kv-backend.ts';

export function etcdBackend(): KvBackendFactory {
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
