import { Etcd3, EtcdError, EtcdLeaseInvalidError, GRPCOutOfRangeError, type Watcher } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedEtcd, type EmbeddedEtcd } from '../../../src/store/embedded/server.ts';
import { until } from '../../support/until.ts';

let server: EmbeddedEtcd;
let client: Etcd3;

beforeAll(async () => {
  server = await startEmbeddedEtcd({ progressNotifyIntervalMs: 200 });
  client = new Etcd3({ hosts: server.endpoint });
});
afterAll(async () => {
  client.close();
  await server.close();
});

describe('embedded etcd through the etcd3 client', () => {
  it('puts, gets, lists a prefix and deletes', async () => {
    await client.put('s/a').value('1');
    await client.put('s/b').value('2');
    expect(await client.get('s/a').string()).toBe('1');
    expect(await client.getAll().prefix('s/').strings()).toEqual({ 's/a': '1', 's/b': '2' });
    expect(await client.getAll().prefix('s/').count()).toBe(2);
    const deleted = await client.delete().key('s/a').exec();
    expect(deleted.deleted).toBe('1');
    expect(await client.get('s/a').string()).toBeNull();
  });

  it('answers with etcd’s response header and revisions', async () => {
    const res = await client.put('h/x').value('1').exec();
    const get = await client.get('h/x').exec();
    expect(get.header.revision).toBe(res.header.revision);
    expect(get.header.cluster_id).not.toBe('0');
    expect(get.header.raft_term).toBe('2');
    expect(get.kvs[0]).toMatchObject({ mod_revision: res.header.revision, version: '1' });
  });

  it('commits a transaction only when its compare holds', async () => {
    await client.put('t/k').value('v1');
    const ok = await client
      .if('t/k', 'Value', '==', 'v1')
      .then(client.put('t/k').value('v2'))
      .commit();
    expect(ok.succeeded).toBe(true);
    const no = await client
      .if('t/k', 'Value', '==', 'v1')
      .then(client.put('t/k').value('v3'))
      .else(client.get('t/k'))
      .commit();
    expect(no.succeeded).toBe(false);
    expect(no.responses[0]!.response_range.kvs[0]!.value.toString()).toBe('v2');
  });

  it('streams watch events with the previous value', async () => {
    const watcher = await client.watch().prefix('w/').withPreviousKV().create();
    const seen: string[] = [];
    watcher.on('put', (kv, prev) => seen.push(`${kv.value}<-${prev?.value ?? ''}`));
    watcher.on('delete', (kv, prev) => seen.push(`del ${kv.key}<-${prev?.value ?? ''}`));
    await client.put('w/a').value('1');
    await client.put('w/a').value('2');
    await client.delete().key('w/a');
    await until(() => seen.length === 3, { within: 5000, what: 'three watch events' });
    expect(seen).toEqual(['1<-', '2<-1', 'del w/a<-2']);
    await watcher.cancel();
  });

  it('cancels a watch from a compacted revision, which etcd3 reports as an error', async () => {
    const first = await client.put('c/k').value('1').exec();
    await client.put('c/k').value('2');
    const latest = await client.put('c/k').value('3').exec();
    await client.kv.compact({ revision: latest.header.revision });
    await expect(client.get('c/k').revision(first.header.revision).string()).rejects.toBeInstanceOf(
      GRPCOutOfRangeError,
    );
    const watcher: Watcher = await client
      .watch()
      .key('c/k')
      .startRevision(first.header.revision)
      .create();
    const error = await new Promise<Error>((resolve) => watcher.on('error', resolve));
    expect(error).toBeInstanceOf(EtcdError);
    expect(error.message).toContain('required revision has been compacted');
  });

  it('keeps a lease alive, revokes its keys, and reports unknown leases as etcd does', async () => {
    const lease = client.lease(5, { autoKeepAlive: false });
    const id = await lease.grant();
    await lease.put('l/k').value('v');
    const renewed = await lease.keepaliveOnce();
    expect(renewed.TTL).toBe('5');
    const ttl = await client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
    expect(ttl.grantedTTL).toBe('5');
    expect(ttl.keys.map(String)).toEqual(['l/k']);
    await lease.revoke();
    expect(await client.get('l/k').string()).toBeNull();
    await expect(client.put('l/k2').value('v').lease('12345').exec()).rejects.toBeInstanceOf(
      EtcdLeaseInvalidError,
    );
  });

  it('deletes a lease’s keys when the lease expires without keep-alives', async () => {
    const lease = client.lease(2, { autoKeepAlive: false });
    await lease.grant();
    await lease.put('e/k').value('v');
    const watcher = await client.watch().key('e/k').create();
    const deleted = new Promise<void>((resolve) => watcher.on('delete', () => resolve()));
    await deleted;
    expect(await client.get('e/k').string()).toBeNull();
    await watcher.cancel();
  });

  it('sends progress notifications to a quiet watch (etcd3 asks for them on every watch)', async () => {
    const watcher = await client.watch().key('quiet').create();
    const header = await new Promise<{ revision: string }>((resolve) =>
      watcher.on('data', (res) => resolve(res.header)),
    );
    expect(Number(header.revision)).toBeGreaterThan(1);
    await watcher.cancel();
  });

  it('runs etcd3’s lock, election and software transactions', async () => {
    expect(
      await client
        .lock('locks/one')
        .ttl(5)
        .do(async () => 'held'),
    ).toBe('held');
    const first = client.election('elections/lead', 5);
    const second = client.election('elections/lead', 5);
    const a = await first.campaign('A').wait();
    expect(await first.leader()).toBe('A');
    const b = second.campaign('B');
    await a.resign();
    await b.wait();
    expect(await second.leader()).toBe('B');
    await b.resign();
    for (let i = 0; i < 3; i++) {
      await client.stm().transact(async (tx) => {
        const count = Number((await tx.get('stm/counter')) ?? 0);
        await tx.put('stm/counter').value(String(count + 1));
      });
    }
    expect(await client.get('stm/counter').string()).toBe('3');
  });

  it('reports status like etcd', async () => {
    const status = await client.maintenance.status();
    expect(status.version).toBe('3.4.0-meseta');
    expect(status.leader).toBe(status.header.member_id);
    expect(Number(status.raftIndex)).toBeGreaterThan(0);
  });

  it('serves the same store in process, without gRPC', async () => {
    const kv = server.inProcessKv();
    await kv.put('ip/k', 'from in-process');
    expect(await client.get('ip/k').string()).toBe('from in-process');
    await client.put('ip/k').value('from gRPC');
    expect((await kv.range({ key: 'ip/k' })).kvs[0]?.value).toBe('from gRPC');
    await kv.close();
  });
});
