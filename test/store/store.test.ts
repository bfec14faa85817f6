import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.ts';
import { startEtcd, type EtcdServer } from '../support/etcd.ts';
import { widget, widgetType } from './store-contract.ts';

describe('openStore', () => {
  let etcd: EtcdServer;

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.remove();
  });

  it('puts objects, records and leader keys of one installation under its prefix', async () => {
    const store = openStore({ etcd: { endpoints: [etcd.endpoint] }, prefix: '/team-a' });
    try {
      await store.objects.create(widgetType, widget('web'));
      await store.records.put('mesos/framework-id', 'f-1', '0');
      const leadership = await store.election({ role: 'apps', identity: 'me' }).campaign();
      const keys = (await store.kv.range({ prefix: '/team-a/' }, { keysOnly: true })).kvs.map(
        (kv) => kv.key,
      );
      expect(keys).toEqual([
        '/team-a/internal/mesos/framework-id',
        '/team-a/leases/apps',
        '/team-a/registry/test.meseta.io/widgets/default/web',
      ]);
      await leadership.resign();
      // A second installation sharing the etcd sees none of it.
      const other = openStore({ kv: store.kv, prefix: '/team-b' });
      expect((await other.objects.list(widgetType)).items).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
