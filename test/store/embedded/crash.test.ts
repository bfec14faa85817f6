import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../support/until.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `meseta store serve` as a separate process and waits for it to print its endpoint. */
async function serve(dataDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(
    process.execPath,
    ['bin/meseta.js', 'store', 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MESETA_LOG_LEVEL: 'warn' } },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const endpoint = await until(() => /serving on (http:\/\/\S+)/.exec(out)?.[1], {
    within: 20_000,
    what: 'meseta store serve to print its endpoint',
  });
  return { child, endpoint };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('meseta store serve', () => {
  it('loses no acknowledged write when killed with SIGKILL mid-write', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meseta-crash-'));
    dirs.push(dataDir);
    const first = await serve(dataDir);
    const client = new Etcd3({ hosts: first.endpoint, dialTimeout: 2000 });
    const acknowledged = new Map<string, string>();
    let next = 0;
    let stop = false;
    // 16 writers in flight, each rewriting its own keys, until the server dies under them.
    const writer = async (w: number) => {
      while (!stop) {
        const i = next++;
        const key = `crash/${w}/${i % 50}`;
        const value = `v${i}`;
        try {
          await client.put(key).value(value);
          acknowledged.set(key, value);
        } catch {
          return;
        }
      }
    };
    const writers = Array.from({ length: 16 }, (_, w) => writer(w));
    await until(() => acknowledged.size >= 300 && next > 800, {
      within: 20_000,
      what: 'enough acknowledged writes',
    });
    first.child.kill('SIGKILL');
    const { signal } = await exited(first.child);
    stop = true;
    expect(signal).toBe('SIGKILL');
    await Promise.all(writers);
    client.close();
    const snapshotOfAcks = new Map(acknowledged);

    const second = await serve(dataDir);
    const reader = new Etcd3({ hosts: second.endpoint });
    try {
      const stored = await reader.getAll().prefix('crash/').strings();
      const lost = [...snapshotOfAcks].filter(([key, value]) => {
        const got = stored[key];
        // A later, unacknowledged write to the same key may also have landed: only order matters.
        return got === undefined || Number(got.slice(1)) < Number(value.slice(1));
      });
      expect(lost).toEqual([]);
      expect(snapshotOfAcks.size).toBeGreaterThanOrEqual(300);
    } finally {
      reader.close();
    }
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toEqual({ code: 0, signal: null });
  }, 90_000); // two server starts through tsx on a busy machine
});
