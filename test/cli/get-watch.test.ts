import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { until } from '../support/until.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';
import { repoRoot } from './run-meseta.ts';

describeBackends('meseta get -w', (backend) => {
  it('lists, then prints a row per change until interrupted', async () => {
    const { flags, objects } = backend.fresh();
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'web.yaml': appManifest('web', { instances: 2 }) }),
      ...flags,
    ]);
    const child = spawn(process.execPath, ['bin/meseta.js', 'get', 'apps', '-w', ...flags], {
      cwd: repoRoot,
      env: { ...process.env, MESETA_CONFIG: '/nonexistent/meseta-test-config' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => stdout.includes('web '), { within: 20_000, what: 'the initial table' });
      // The watch may start a moment after the table is printed: keep writing until it shows.
      await until(
        async () => {
          const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
          await objects.updateStatus(appResource, { ...live, status: { running: 1, healthy: 1 } });
          return stdout.includes('1/2');
        },
        { within: 10_000, every: 200, what: 'the change to be printed' },
      );
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('NAME   INSTANCES   HEALTHY   UPDATED   AGE');
    expect(lines[1]).toMatch(/^web {4}0\/2 {9}0 {9}0 {9}\d+s$/);
    expect(lines.at(-1)).toMatch(/^web {4}1\/2 {9}1 {9}0 {9}\d+s$/);
  }, 40_000);
});
