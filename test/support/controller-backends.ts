/**
 * The two stores controller tests run against, for `describe.each`: the embedded engine in
 * process, and a real etcd started on first use (one per test file, removed by `close()` in
 * the file's `afterAll`). Each `open()` is a client of its own.
 */
import { openInProcessKv } from '../../src/store/embedded/in-process-kv.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { startEtcd, type EtcdServer } from './etcd.ts';

export interface ControllerBackend {
  open(): Promise<Kv>;
  close(): Promise<void>;
}

const inProcess: ControllerBackend = { open: () => openInProcessKv(), close: async () => {} };

let etcd: EtcdServer | undefined;
const realEtcd: ControllerBackend = {
  async open() {
    etcd ??= await startEtcd();
    return openEtcdKv({ endpoints: [etcd.endpoint] });
  },
  async close() {
    await etcd?.remove();
    etcd = undefined;
  },
};

export const controllerBackends: [string, ControllerBackend][] = [
  ['the in-process Kv', inProcess],
  ['a real etcd', realEtcd],
];
