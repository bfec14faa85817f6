import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedEtcd, type EmbeddedEtcd } from '../../../src/store/embedded/server.ts';
import { until } from '../../support/until.ts';

// Debian's etcd-client (etcdctl 3.4), the tool operators will point at the embedded store.
const ETCDCTL = '/usr/bin/etcdctl';
const run = promisify(execFile);

let server: EmbeddedEtcd;
let dataDir: string;

async function etcdctl(args: string[], input?: string): Promise<string> {
  const env = { ...process.env, ETCDCTL_API: '3' };
  const full = [`--endpoints=${server.endpoint}`, ...args];
  if (input === undefined) return (await run(ETCDCTL, full, { env })).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile(ETCDCTL, full, { env }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin!.end(input);
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'meseta-etcdctl-'));
  server = await startEmbeddedEtcd({ dataDir });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('etcdctl against the embedded store', () => {
  it('puts, gets a prefix and deletes', async () => {
    expect(await etcdctl(['put', '/app/a', 'one'])).toBe('OK\n');
    expect(await etcdctl(['put', '/app/b', 'two'])).toBe('OK\n');
    expect(await etcdctl(['get', '--prefix', '/app/'])).toBe('/app/a\none\n/app/b\ntwo\n');
    const json = JSON.parse(await etcdctl(['get', '/app/a', '-w', 'json'])) as {
      header: { revision: number };
      kvs: { key: string; value: string; version: number }[];
      count: number;
    };
    expect(json.count).toBe(1);
    expect(Buffer.from(json.kvs[0]!.value, 'base64').toString()).toBe('one');
    expect(await etcdctl(['del', '/app/a'])).toBe('1\n');
    expect(await etcdctl(['get', '--prefix', '/app/', '--keys-only'])).toBe('/app/b\n\n');
  });

  it('runs a transaction read from stdin', async () => {
    await etcdctl(['put', '/txn/k', 'v1']);
    const script = 'value("/txn/k") = "v1"\n\nput /txn/k v2\n\nget /txn/k\n\n';
    expect(await etcdctl(['txn'], script)).toBe('SUCCESS\n\nOK\n');
    expect(await etcdctl(['txn'], script)).toBe('FAILURE\n\n/txn/k\nv2\n');
  });

  it('watches a key and prints one event', async () => {
    const status = JSON.parse(await etcdctl(['get', '/watched', '-w', 'json'])) as {
      header: { revision: number };
    };
    // Watch from the next revision, so the event is seen however the two processes race.
    const from = String(status.header.revision + 1);
    const child = spawn(
      ETCDCTL,
      [`--endpoints=${server.endpoint}`, 'watch', '/watched', `--rev=${from}`],
      {
        env: { ...process.env, ETCDCTL_API: '3' },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await etcdctl(['put', '/watched', 'hello']);
      await until(() => out.includes('hello'), { within: 10_000, what: 'etcdctl watch output' });
      expect(out).toBe('PUT\n/watched\nhello\n');
    } finally {
      child.kill();
    }
  });

  it('grants, keeps alive, inspects and revokes a lease', async () => {
    const granted = await etcdctl(['lease', 'grant', '30']);
    const id = /^lease ([0-9a-f]+) granted with TTL\(30s\)$/.exec(granted.trim())?.[1];
    expect(id).toBeDefined();
    await etcdctl(['put', '--lease', id!, '/leased', 'x']);
    expect((await etcdctl(['lease', 'keep-alive', '--once', id!])).trim()).toBe(
      `lease ${id} keepalived with TTL(30)`,
    );
    expect(await etcdctl(['lease', 'timetolive', '--keys', id!])).toMatch(
      new RegExp(
        `lease ${id} granted with TTL\\(30s\\), remaining\\(\\d+s\\), attached keys\\(\\[/leased\\]\\)`,
      ),
    );
    expect(await etcdctl(['lease', 'list'])).toContain(id!);
    expect((await etcdctl(['lease', 'revoke', id!])).trim()).toBe(`lease ${id} revoked`);
    expect(await etcdctl(['get', '/leased'])).toBe('');
  });

  it('reports endpoint status and refuses compacted revisions', async () => {
    // etcdctl's endpoint commands send the whole URL as the HTTP/2 authority, which Node's
    // HTTP/2 stack rejects; host:port works (see docs/embedded-store.md).
    const hostPort = server.endpoint.replace('http://', '');
    const { stdout } = await run(
      ETCDCTL,
      [`--endpoints=${hostPort}`, 'endpoint', 'status', '-w', 'json'],
      { env: { ...process.env, ETCDCTL_API: '3' } },
    );
    const [status] = JSON.parse(stdout) as {
      Status: { version: string; leader: number; raftTerm: number; header: { member_id: number } };
    }[];
    expect(status!.Status.version).toBe('3.4.0-meseta');
    expect(status!.Status.leader).toBe(status!.Status.header.member_id);
    await etcdctl(['put', '/c', '1']);
    const rev = JSON.parse(await etcdctl(['put', '/c', '2', '-w', 'json'])) as {
      header: { revision: number };
    };
    expect(await etcdctl(['compact', String(rev.header.revision)])).toBe(
      `compacted revision ${rev.header.revision}\n`,
    );
    await expect(etcdctl(['get', '/c', `--rev=${rev.header.revision - 1}`])).rejects.toThrow(
      /required revision has been compacted/,
    );
  });
});
