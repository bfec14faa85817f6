import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { appResource, instanceResource } from '../../src/api/resources.ts';
import { until } from '../support/until.ts';
import { seedAppChildren } from './app-children.ts';
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

describeBackends('meseta get instances -w', (backend) => {
  it('prints a row per change to the named App’s instances only', async () => {
    const { flags, objects } = backend.fresh();
    await seedAppChildren(flags, objects);
    const child = spawn(
      process.execPath,
      ['bin/meseta.js', 'get', 'instances', '--app', 'web', '-w', ...flags],
      { cwd: repoRoot, env: { ...process.env, MESETA_CONFIG: '/nonexistent/meseta-test-config' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const ref = (name: string) => ({ namespace: 'default', name });
    try {
      await until(() => stdout.includes('web-2-1 '), { within: 20_000, what: 'the initial table' });
      // Listed already, so every write from here on is after the watch's start revision.
      const db = (await objects.get(instanceResource, ref('db-1-0')))!;
      await objects.updateStatus(instanceResource, {
        ...db,
        status: { ...db.status, state: 'TASK_KILLED' },
      });
      const web = (await objects.get(instanceResource, ref('web-2-1')))!;
      await objects.updateStatus(instanceResource, {
        ...web,
        status: { taskId: 't', state: 'TASK_STARTING', hostname: 'node-b.example' },
      });
      await until(() => stdout.includes('TASK_STARTING'), {
        within: 10_000,
        what: 'the change to be printed',
      });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +APP +REVISION +GOAL +STATE +HEALTHY +HOST +AGE$/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/)[0])).toEqual([
      'web-1-0',
      'web-2-0',
      'web-2-1',
    ]);
    expect(lines.at(-1)).toMatch(
      /^web-2-1 +web +2 +running +TASK_STARTING +- +node-b\.example +\d+s$/,
    );
    expect(stdout).not.toContain('db-1-0');
  }, 40_000);
});
