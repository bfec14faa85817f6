/**
 * The two stores every CLI verb is tested against: a real etcd and meseta's embedded server,
 * each on loopback. Started once per file; tests isolate themselves with a unique key prefix.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { startEmbeddedEtcd } from '../../src/store/embedded/server.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { startEtcd } from '../support/etcd.ts';
import { uniquePrefix } from '../support/kv-backend.ts';

export interface Backend {
  endpoint: string;
  /** Flags that point the CLI at this backend under a fresh prefix, and a store to check it. */
  fresh(): { flags: string[]; objects: ObjectStore; prefix: string };
}

const backends: [string, () => Promise<{ endpoint: string; close(): Promise<void> }>][] = [
  [
    'etcd',
    async () => {
      const server = await startEtcd();
      return { endpoint: server.endpoint, close: () => server.remove() };
    },
  ],
  ['embedded', () => startEmbeddedEtcd()],
];

export function describeBackends(title: string, body: (backend: Backend) => void): void {
  for (const [name, start] of backends) {
    describe(`${title} (${name})`, () => {
      let server: { endpoint: string; close(): Promise<void> };
      const kvs: { close(): Promise<void> }[] = [];
      beforeAll(async () => {
        server = await start();
      }, 30_000);
      afterAll(async () => {
        await Promise.all(kvs.map((kv) => kv.close()));
        await server?.close();
      });
      body({
        get endpoint() {
          return server.endpoint;
        },
        fresh() {
          const prefix = uniquePrefix();
          const kv = openEtcdKv({ endpoints: [server.endpoint] });
          kvs.push(kv);
          return {
            prefix,
            flags: ['--etcd', server.endpoint, '--prefix', prefix],
            objects: new ObjectStore({ kv, prefix }),
          };
        },
      });
    });
  }
}
