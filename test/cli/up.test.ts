/**
 * `meseta up` as a real process on a temporary data directory and free ports: it records its
 * context, applies the examples, shows the Apps, stops cleanly on Ctrl-C (SIGINT) and resumes
 * from its data directory. (Convergence of every example, with the bridge and placement at
 * work, is the end-to-end smoke test's: test/e2e/up.test.ts.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedEtcd } from '../../src/store/embedded/server.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import { spawnMeseta } from '../e2e/meseta-process.ts';
import { until } from '../support/until.ts';
import { runInProcess } from './run-meseta.ts';

describe('meseta up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meseta-up-'));
  const config = join(dir, 'config');
  const args = [
    '--config',
    config,
    'up',
    '--data-dir',
    join(dir, 'data'),
    '--port',
    '0',
    '--sim-port',
    '0',
  ];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the examples, records its context, stops on Ctrl-C, and resumes from its data directory', async () => {
    const first = spawnMeseta(args);
    try {
      await first.waitFor(/app\.meseta\.io\/thumbnailer created/);
      await first.waitFor(/of 6 apps converged/);
      const endpoint = first.output().stdout.match(/meseta up: store (http:\/\/\S+)/)![1]!;
      expect(readFileSync(config, 'utf8')).toContain(`currentContext: meseta-up`);
      const listed = await runInProcess(['--config', config, 'get', 'apps', '-A', '-o', 'name']);
      expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual(
        ['billing-scheduler', 'checkout', 'nginx', 'postgres', 'thumbnailer', 'web'].map(
          (n) => `app.meseta.io/${n}`,
        ),
      );
      expect(listed.code).toBe(0);
      expect(first.output().stdout).toContain(`meseta up: context "meseta-up" is current`);
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await first.stop('SIGINT')).toBe(0);
      expect(first.output().stdout).toMatch(/meseta up: stopped\n$/);
    } finally {
      await first.kill();
    }

    const second = spawnMeseta(args);
    try {
      await second.waitFor(/app\.meseta\.io\/thumbnailer unchanged/);
      expect(second.output().stdout).not.toContain('created');
      await second.waitFor(/of 6 apps converged/);
      expect(await second.stop('SIGTERM')).toBe(0);
    } finally {
      await second.kill();
    }
    const log = readFileSync(join(dir, 'data', 'up.log'), 'utf8');
    expect(log).toContain('"msg":"resigned leadership"');
  });

  it('uses the etcd --etcd names instead of the embedded store, and applies nothing with --no-apply', async () => {
    const server = await startEmbeddedEtcd();
    const kv = openEtcdKv({ endpoints: [server.endpoint] });
    const up = spawnMeseta([
      '--config',
      join(dir, 'config-etcd'),
      'up',
      '--etcd',
      server.endpoint,
      '--no-apply',
      '--data-dir',
      join(dir, 'data-etcd'),
      '--sim-port',
      '0',
    ]);
    try {
      await up.waitFor(new RegExp(`meseta up: store ${server.endpoint}\n`));
      const leaders = async () =>
        (await kv.range({ prefix: '/meseta/leases/' })).kvs.map((k) => k.key.split('/').pop());
      await until(async () => (await leaders()).length === 4, { what: 'four leaders' });
      expect((await leaders()).sort()).toEqual(['apps', 'bridge', 'events', 'placement']);
      expect(readFileSync(join(dir, 'config-etcd'), 'utf8')).toContain(server.endpoint);
      expect(up.output().stdout).not.toContain('app.meseta.io/');
      expect(await up.stop('SIGINT')).toBe(0);
      expect(await leaders()).toEqual([]);
    } finally {
      await up.kill();
      await kv.close();
      await server.close();
    }
  });

  it('refuses a bad --agents with a usage error', async () => {
    const result = await runInProcess(['up', '--agents', '0', '--data-dir', join(dir, 'never')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--agents must be a whole number >= 1');
  });
});
