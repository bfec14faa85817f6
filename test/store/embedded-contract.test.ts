/**
 * The store's contract suites against meseta's embedded etcd-compatible server: once through
 * the `etcd3` client over gRPC (exactly the path every meseta process takes), and once in
 * process on the server's engine. Both must behave as the real etcd does in `etcd.test.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MvccEngine } from '../../src/store/embedded/mvcc.ts';
import { inProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import { startEmbeddedEtcd, type EmbeddedEtcd } from '../../src/store/embedded/server.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import type { KvBackendFactory } from '../support/kv-backend.ts';
import { afterAll, describe } from 'vitest';
import { describeKvContract } from './kv-contract.ts';
import { describeLeaderContract } from './leader-contract.ts';
import { describeStoreContract } from './store-contract.ts';
import { describeWatchContract } from './watch-contract.ts';

function embeddedGrpcBackend(): KvBackendFactory {
  let started: Promise<{ dataDir: string; server: EmbeddedEtcd }> | undefined;
  let port = 0;
  let current: EmbeddedEtcd | undefined;
  const serve = async (dataDir: string) => {
    current = await startEmbeddedEtcd({ dataDir, port });
    port = current.port;
    return current;
  };
  const boot = () =>
    (started ??= (async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'meseta-embedded-contract-'));
      return { dataDir, server: await serve(dataDir) };
    })());
  return {
    restartable: true,
    async open() {
      const { dataDir, server } = await boot();
      const stop = async () => {
        await current?.close();
        current = undefined;
      };
      const start = async () => void (await serve(dataDir));
      return {
        kv: openEtcdKv({
          endpoints: [server.endpoint],
          dialTimeoutMs: 2000,
          watchProgressIntervalMs: 500,
        }),
        stop,
        start,
        restart: async () => {
          await stop();
          await start();
        },
      };
    },
    async close() {
      const booted = await started;
      started = undefined;
      await current?.close();
      current = undefined;
      if (booted) await rm(booted.dataDir, { recursive: true, force: true });
    },
  };
}

function inProcessBackend(): KvBackendFactory {
  let engine: Promise<MvccEngine> | undefined;
  return {
    async open() {
      return {
        kv: inProcessKv(await (engine ??= MvccEngine.open({ progressNotifyIntervalMs: 500 }))),
      };
    },
    async close() {
      const opened = await engine;
      engine = undefined;
      await opened?.close();
    },
  };
}

/** Every contract suite the etcd backend runs (in its own test files), against one backend. */
function describeStoreContracts(name: string, factory: KvBackendFactory): void {
  describe(`store contracts: ${name}`, () => {
    afterAll(() => factory.close());
    describeKvContract(name, factory);
    describeStoreContract(name, factory);
    describeWatchContract(name, factory);
    describeLeaderContract(name, factory);
  });
}

describeStoreContracts('embedded (gRPC)', embeddedGrpcBackend());
describeStoreContracts('embedded (in process)', inProcessBackend());
