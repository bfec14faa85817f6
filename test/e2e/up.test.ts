/**
 * `meseta up` smoke test: it starts, applies manifests/, every example converges (the demo
 * cluster satisfies all their constraints), Ctrl-C stops it, and a restart on the same data
 * directory resumes: nothing re-created, everything converged again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnMeseta } from './meseta-process.ts';

describe('meseta up (smoke)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meseta-up-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const args = [
    '--config',
    join(dir, 'config'),
    'up',
    '--data-dir',
    join(dir, 'data'),
    '--port',
    '0',
    '--sim-port',
    '0',
  ];

  it('converges every example, stops on Ctrl-C, and resumes from its data directory', async () => {
    const first = spawnMeseta(args);
    try {
      await first.waitFor(/all 6 apps converged/, { within: 30_000 });
      expect(first.output().stdout).toMatch(
        /shop\/web: 6\/6 running, 6 healthy, 6 updated, Converged/,
      );
      expect(await first.stop('SIGINT')).toBe(0);
    } finally {
      await first.kill();
    }
    const second = spawnMeseta(args);
    try {
      await second.waitFor(/app\.meseta\.io\/web unchanged/);
      await second.waitFor(/all 6 apps converged/, { within: 30_000 });
      expect(await second.stop('SIGINT')).toBe(0);
    } finally {
      await second.kill();
    }
  });
});
