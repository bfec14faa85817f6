/**
 * One handle on the store for a meseta process: the Kv (a real etcd through `openEtcdKv`, or
 * any other Kv such as the embedded server's), the object store and the internal records
 * under one prefix, and leader elections on the same connection. `close()` releases them all.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { openEtcdKv, type EtcdConfig } from './etcd-kv.ts';
import { InternalRecords } from './internal-records.ts';
import type { Kv } from './kv.ts';
import { LeaderElection, type LeaderElectionOptions } from './leader.ts';
import { ObjectStore } from './object-store.ts';

export type StoreConfig = ({ etcd: EtcdConfig } | { kv: Kv }) & {
  /** Key prefix of this installation (default `/meseta`). */
  prefix?: string;
  clock?: Clock;
  logger?: Logger;
};

export interface Store {
  readonly kv: Kv;
  readonly objects: ObjectStore;
  readonly records: InternalRecords;
  /** A leader election for `role` under this store's prefix. */
  election(options: Omit<LeaderElectionOptions, 'prefix' | 'clock' | 'logger'>): LeaderElection;
  close(): Promise<void>;
}

export function openStore(config: StoreConfig): Store {
  const kv = 'kv' in config ? config.kv : openEtcdKv(config.etcd);
  const shared = {
    ...(config.prefix !== undefined ? { prefix: config.prefix } : {}),
    ...(config.clock ? { clock: config.clock } : {}),
  };
  return {
    kv,
    objects: new ObjectStore({ kv, ...shared }),
    records: new InternalRecords(kv, shared),
    election: (options) =>
      new LeaderElection(kv, {
        ...options,
        ...shared,
        ...(config.logger ? { logger: config.logger } : {}),
      }),
    close: () => kv.close(),
  };
}
