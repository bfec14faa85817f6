/**
 * What is particular to the etcd backend: configuration errors, an unreachable endpoint, TLS
 * with client certificates and user/password auth, each against a real etcd.
 */
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesetaError } from '../../src/errors.ts';
import { UnavailableError } from '../../src/store/errors.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import { startEtcd, type EtcdServer } from '../support/etcd.ts';
import { makeCertificates, type TestCertificates } from '../support/tls.ts';

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
