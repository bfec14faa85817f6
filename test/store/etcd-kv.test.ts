/**
 * What is particular to the etcd backend: configuration errors, an unreachable endpoint, TLS
 * with client certificates, user/password auth, and a network cut that only goes silent (the
 * case where etcd3's own watchers and leases are known to fail unnoticed), each against a real
 * etcd; and the Kv contract suite against a real etcd.
 */
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MesetaError } from '../../src/errors.ts';
import { LeaseLostError, UnavailableError, WatchBrokenError } from '../../src/store/errors.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import type { Kv } from '../../src/store/kv.ts';
import { LeaderElection } from '../../src/store/leader.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { etcdBackend } from '../support/etcd-backend.ts';
import { startEtcd, type EtcdServer } from '../support/etcd.ts';
import { uniquePrefix } from '../support/kv-backend.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { makeCertificates, type TestCertificates } from '../support/tls.ts';
import { describeKvContract, WatchRecorder, waitForWatch } from './kv-contract.ts';
import { widget, widgetType } from './store-contract.ts';

describe('openEtcdKv configuration', () => {
  it('refuses an empty endpoint list and unreadable TLS files, naming the field', () => {
    expect(() => openEtcdKv({ endpoints: [] })).toThrow('at least one endpoint');
    const error = (() => {
      try {
        openEtcdKv({ endpoints: ['https://127.0.0.1:1'], tls: { ca: '/nonexistent/ca.pem' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MesetaError);
    expect((error as MesetaError).where).toMatchObject({
      file: '/nonexistent/ca.pem',
      path: 'tls.ca',
    });
  });

  it('reports an unreachable etcd as UnavailableError naming the endpoint', async () => {
    const endpoint = 'http://127.0.0.1:9';
    const kv = openEtcdKv({ endpoints: [endpoint], dialTimeoutMs: 1000 });
    try {
      const error = await kv.put('/x', 'y').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).message).toContain(endpoint);
      const watchError = await (async () => {
        for await (const _ of kv.watch({ range: { key: '/x' } }).batches) return undefined;
      })().catch((e: unknown) => e);
      expect((watchError as Error).name).toBe('WatchBrokenError');
    } finally {
      await kv.close();
    }
  });
});

const contractEtcd = etcdBackend();
afterAll(() => contractEtcd.close());
describeKvContract('etcd', contractEtcd);

// One plain etcd for the tests that need nothing special of it.
let plain: Promise<EtcdServer> | undefined;
const plainEtcd = () => (plain ??= startEtcd());
afterAll(async () => {
  await (await plain)?.remove();
});

describe('openEtcdKv with several endpoints', () => {
  it('reads through a dead endpoint and passes it over for writes', async () => {
    // Nothing listens on port 9 (discard) on these machines.
    const etcd = await plainEtcd();
    const kv = openEtcdKv({ endpoints: ['http://127.0.0.1:9', etcd.endpoint] });
    try {
      let failedWrites = 0;
      for (let i = 0; i < 20; i++) {
        await kv.put('/multi/key', String(i)).catch((error: unknown) => {
          expect(error).toBeInstanceOf(UnavailableError);
          failedWrites++;
        });
        expect((await kv.range({ key: '/multi/key' })).count).toBeLessThanOrEqual(1);
      }
      expect(failedWrites).toBeLessThanOrEqual(1);
      expect((await kv.status()).version).toMatch(/^3\./);
    } finally {
      await kv.close();
    }
  });
});

describe('openEtcdKv with TLS client certificates', () => {
  let certs: TestCertificates;
  let etcd: EtcdServer;

  beforeAll(async () => {
    certs = makeCertificates();
    etcd = await startEtcd({
      tls: {
        ca: certs.ca,
        cert: certs.serverCert,
        key: certs.serverKey,
        clientCert: certs.clientCert,
        clientKey: certs.clientKey,
      },
    });
  });
  afterAll(async () => {
    await etcd?.remove();
    certs?.remove();
  });

  it('connects with a CA given as PEM text and a client certificate given as files', async () => {
    expect(etcd.endpoint.startsWith('https://')).toBe(true);
    const kv = openEtcdKv({
      endpoints: [etcd.endpoint],
      tls: { ca: readFileSync(certs.ca, 'utf8'), cert: certs.clientCert, key: certs.clientKey },
    });
    try {
      const revision = await kv.put('/tls/key', 'secure');
      expect((await kv.range({ key: '/tls/key' })).kvs[0]?.modRevision).toBe(revision);
    } finally {
      await kv.close();
    }
  });

  it('is refused without a client certificate', async () => {
    const kv = openEtcdKv({
      endpoints: [etcd.endpoint],
      tls: { ca: certs.ca },
      dialTimeoutMs: 2000,
    });
    try {
      await expect(kv.put('/tls/key', 'x')).rejects.toBeInstanceOf(MesetaError);
    } finally {
      await kv.close();
    }
  });
});

describe('openEtcdKv with user/password auth', () => {
  let etcd: EtcdServer;

  beforeAll(async () => {
    etcd = await startEtcd();
    const admin = new Etcd3({ hosts: etcd.endpoint });
    try {
      await admin.role('root').create();
      await (await admin.user('root').create('root-secret')).addRole('root');
      await admin.auth.authEnable();
    } finally {
      admin.close();
    }
  });
  afterAll(async () => {
    await etcd?.remove();
  });

  it('authenticates and then reads and writes', async () => {
    const kv = openEtcdKv({
      endpoints: [etcd.endpoint],
      auth: { username: 'root', password: 'root-secret' },
    });
    try {
      await kv.put('/auth/key', 'ok');
      expect((await kv.range({ key: '/auth/key' })).kvs[0]?.value).toBe('ok');
    } finally {
      await kv.close();
    }
  });

  it('fails with a wrong password or none', async () => {
    const wrong = openEtcdKv({
      endpoints: [etcd.endpoint],
      auth: { username: 'root', password: 'nope' },
    });
    const none = openEtcdKv({ endpoints: [etcd.endpoint] });
    try {
      await expect(wrong.put('/auth/key', 'x')).rejects.toThrow(/authentication failed/i);
      await expect(none.put('/auth/key', 'x')).rejects.toThrow(
        /user name is empty|permission denied/i,
      );
    } finally {
      await wrong.close();
      await none.close();
    }
  });
});

describe('openEtcdKv behind a network cut (no resets, just silence)', () => {
  let proxy: TcpProxy;
  let direct: Kv;
  let cut: Kv;
  let prefix: string;

  beforeAll(async () => {
    const etcd = await plainEtcd();
    const url = new URL(etcd.endpoint);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    direct = openEtcdKv({ endpoints: [etcd.endpoint] });
  });
  afterAll(async () => {
    await direct?.close();
    await proxy?.close();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
    proxy.thaw();
    cut = openEtcdKv({
      endpoints: [`http://${proxy.address}`],
      dialTimeoutMs: 1000,
      watchProgressIntervalMs: 300,
    });
  });
  afterEach(async () => {
    proxy.thaw();
    await cut.close();
  });

  it('times calls out as UnavailableError naming the endpoint', async () => {
    await cut.put(`${prefix}/k`, 'v');
    proxy.freeze();
    const error = await cut.put(`${prefix}/k`, 'w').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain(proxy.address);
  });

  it('declares a silent watch dead instead of waiting forever', async () => {
    const watcher = new WatchRecorder(cut.watch({ range: { prefix: `${prefix}/` } }));
    await waitForWatch(direct, watcher, `${prefix}/probe`);
    proxy.freeze();
    await direct.put(`${prefix}/unseen`, 'x');
    await watcher.until((r) => r.error !== undefined, 'the watch to be declared dead', 5000);
    expect(watcher.error).toBeInstanceOf(WatchBrokenError);
    expect(watcher.events.some((e) => e.kv.key === `${prefix}/unseen`)).toBe(false);
  });

  it('makes a leader behind the cut report its loss by the renew deadline', async () => {
    const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 200 };
    const election = (kv: Kv, identity: string) =>
      new LeaderElection(kv, { role: 'bridge', identity, prefix, ...timings });
    const leader = await election(cut, 'behind-the-cut').campaign();
    const fenced = new ObjectStore({ kv: cut, prefix }).withFence(leader.fence);
    let lostAt = 0;
    leader.signal.addEventListener('abort', () => (lostAt = Date.now()));
    proxy.freeze();
    const frozenAt = Date.now();
    const successor = await election(direct, 'successor').campaign();
    // The safety property: the old leader knew it had lost before anyone else could lead.
    expect(lostAt).toBeGreaterThan(0);
    expect(lostAt - frozenAt).toBeLessThan(timings.renewDeadlineMs + 1500);
    proxy.thaw();
    await expect(fenced.create(widgetType, widget('late'))).rejects.toBeInstanceOf(LeaseLostError);
    await successor.resign();
  });
});
