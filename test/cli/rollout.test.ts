import { describe, expect, it } from 'vitest';
import type { App } from '../../src/api/index.ts';
import { appResource } from '../../src/api/resources.ts';
import type { Instance, InstanceGoal, InstanceStatus } from '../../src/api/instance.ts';
import { rolloutProgress } from '../../src/cli/rollout-progress.ts';
import { appStatus } from '../../src/controllers/apps/status.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { until } from '../support/until.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

const app = (status: App['status'], generation = 2): App =>
  ({
    apiVersion: 'meseta.io/v1',
    kind: 'App',
    metadata: { name: 'web', namespace: 'default', generation },
    spec: { instances: 3 },
    ...(status ? { status } : {}),
  }) as App;

describe('rolloutProgress', () => {
  it('waits for the spec to be observed, then updated, old gone, running and healthy', () => {
    const cases: [App['status'], string][] = [
      [{ observedGeneration: 1 }, 'Waiting for app.meseta.io/web spec update to be observed...'],
      [
        { observedGeneration: 2, updated: 1, instances: 3 },
        'Waiting for rollout to finish: 1 of 3 instances are updated...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 4 },
        'Waiting for rollout to finish: 1 old instances are pending termination...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 3, running: 2 },
        'Waiting for rollout to finish: 2 of 3 instances are running...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 3, running: 3, healthy: 1 },
        'Waiting for rollout to finish: 1 of 3 instances are healthy...',
      ],
      [
        { observedGeneration: 2, updated: 3, instances: 3, running: 3, healthy: 3 },
        'app.meseta.io/web successfully rolled out',
      ],
    ];
    for (const [status, message] of cases)
      expect(rolloutProgress(app(status)).message).toBe(message);
    expect(rolloutProgress(app(cases[5]![0])).done).toBe(true);
  });

  it('waits for surplus instances to go, and for readiness when the App checks it', () => {
    const surplus = { observedGeneration: 2, updated: 4, instances: 4, running: 4, healthy: 4 };
    expect(rolloutProgress(app(surplus)).message).toBe(
      'Waiting for rollout to finish: 1 surplus instances are pending termination...',
    );
    const healthy = { observedGeneration: 2, updated: 3, instances: 3, running: 3, healthy: 3 };
    const checked = (status: App['status']) => {
      const base = app(status);
      return {
        ...base,
        spec: { ...base.spec, readinessChecks: [{ name: 'ready' }] },
      } as unknown as App;
    };
    expect(rolloutProgress(checked({ ...healthy, ready: 2 })).message).toBe(
      'Waiting for rollout to finish: 2 of 3 instances are ready...',
    );
    expect(rolloutProgress(checked({ ...healthy, ready: 3 })).done).toBe(true);
    // Without readiness checks, readiness is not waited for.
    expect(rolloutProgress(app({ ...healthy, ready: 0 })).done).toBe(true);
  });

  it('reports a rollout past its progress deadline as failed', () => {
    const failed = rolloutProgress(
      app({
        observedGeneration: 2,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'no offers',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      }),
    );
    expect(failed.failed).toBe(
      'app.meseta.io/web rollout exceeded its progress deadline: no offers',
    );
  });
});

describeBackends('meseta rollout status', (backend) => {
  it('follows the App as its status converges, then exits 0', async () => {
    const { flags, objects } = backend.fresh();
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'web.yaml': appManifest('web', { instances: 2 }) }),
      ...flags,
    ]);
    let seen = '';
    const running = runInProcess(
      ['rollout', 'status', 'app', 'web', '--timeout', '20s', ...flags],
      {
        onStdout: (text) => (seen = text),
      },
    );
    await until(() => seen.includes('spec update to be observed'), {
      what: 'the first progress line',
    });
    // Stand-in for the controllers: the status moves one step per write.
    const steps: App['status'][] = [
      { observedGeneration: 1, instances: 2, updated: 2, running: 1, healthy: 0 },
      { observedGeneration: 1, instances: 2, updated: 2, running: 2, healthy: 1 },
      { observedGeneration: 1, instances: 2, updated: 2, running: 2, healthy: 2 },
    ];
    for (const status of steps) {
      const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
      await objects.updateStatus(appResource, { ...live, status });
    }
    const result = await running;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .split(/[\r\n]/)
      .map((l) => l.replace('\x1b[K', ''))
      .filter(Boolean);
    expect(lines[0]).toBe('Waiting for app.meseta.io/web spec update to be observed...');
    expect(lines).toContain('Waiting for rollout to finish: 1 of 2 instances are running...');
    expect(lines.at(-1)).toBe('app.meseta.io/web successfully rolled out');
  });

  it('exits 1 on timeout saying what it waited for, and on a missing App', async () => {
    const { flags } = backend.fresh();
    await runInProcess(['apply', '-f', manifestDir({ 'web.yaml': appManifest('web') }), ...flags]);
    const timedOut = await runInProcess([
      'rollout',
      'status',
      'app/web',
      '--timeout',
      '300ms',
      ...flags,
    ]);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toBe(
      'error: timed out after 0.3s waiting for the rollout of app.meseta.io/web: Waiting for app.meseta.io/web spec update to be observed...\n',
    );
    const missing = await runInProcess(['rollout', 'status', 'app', 'nope', ...flags]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'error: app.meseta.io "nope" not found in namespace default\n',
    });
  });
});

/** Instances as the controllers would hold them, and the App status the apps controller derives. */
function cluster(objects: ObjectStore, name: string) {
  const instances = new Map<string, Instance>();
  return {
    set(
      revision: number,
      ordinal: number,
      status?: InstanceStatus,
      goal: InstanceGoal = 'running',
    ) {
      instances.set(`${revision}-${ordinal}`, {
        apiVersion: 'meseta.io/v1',
        kind: 'Instance',
        metadata: { name: `${name}-${revision}-${ordinal}`, namespace: 'default' },
        spec: { app: name, revision, goal },
        ...(status ? { status } : {}),
      });
    },
    remove(revision: number, ordinal: number) {
      instances.delete(`${revision}-${ordinal}`);
    },
    /** Writes the status the apps controller computes for these instances. */
    async publish(targetRevision: number) {
      const live = (await objects.get(appResource, { namespace: 'default', name }))!;
      const status = appStatus(live, [...instances.values()], targetRevision, new Date());
      await objects.updateStatus(appResource, { ...live, status });
    },
  };
}

const up = { state: 'TASK_RUNNING', healthy: true } as const;

/** The distinct progress lines printed, whether stdout was a terminal or not. */
function progressLines(stdout: string): string[] {
  return stdout
    .split(/[\r\n]/)
    .map((line) => line.replace('\x1b[K', ''))
    .filter((line, i, all) => line && line !== all[i - 1]);
}

describeBackends("meseta rollout status, driven by the apps controller's status", (backend) => {
  it('follows a new revision replacing the old one, then exits 0', async () => {
    const { flags, objects } = backend.fresh();
    const apply = (cmd: string) =>
      runInProcess([
        'apply',
        '-f',
        manifestDir({ 'web.yaml': appManifest('web', { instances: 2, cmd }) }),
        ...flags,
      ]);
    await apply('sleep 1000');
    const web = cluster(objects, 'web');
    web.set(1, 0, up);
    web.set(1, 1, up);
    await web.publish(1);
    expect(await runInProcess(['rollout', 'status', 'app', 'web', ...flags])).toEqual({
      code: 0,
      stdout: 'app.meseta.io/web successfully rolled out\n',
      stderr: '',
    });

    await apply('sleep 2000'); // generation 2: the status above describes generation 1
    let seen = '';
    const following = runInProcess(
      ['rollout', 'status', 'app', 'web', '--timeout', '20s', ...flags],
      { onStdout: (text) => (seen = text) },
    );
    await until(() => seen.includes('spec update to be observed'), {
      what: 'the first progress line',
    });
    web.set(2, 0);
    await web.publish(2);
    web.set(2, 1, { state: 'TASK_STAGING' });
    await web.publish(2);
    web.set(1, 1, up, 'stopped');
    web.remove(1, 0);
    web.set(2, 0, up);
    await web.publish(2);
    web.remove(1, 1);
    await web.publish(2);
    web.set(2, 1, { state: 'TASK_RUNNING', healthy: false });
    await web.publish(2);
    web.set(2, 1, up);
    await web.publish(2);
    const result = await following;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(progressLines(result.stdout)).toEqual([
      'Waiting for app.meseta.io/web spec update to be observed...',
      'Waiting for rollout to finish: 1 of 2 instances are updated...',
      'Waiting for rollout to finish: 2 old instances are pending termination...',
      'Waiting for rollout to finish: 1 old instances are pending termination...',
      'Waiting for rollout to finish: 1 of 2 instances are running...',
      'Waiting for rollout to finish: 1 of 2 instances are healthy...',
      'app.meseta.io/web successfully rolled out',
    ]);
  });

  it('exits 1 when the rollout passes its deadline or the App is deleted meanwhile', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({
      'a.yaml': appManifest('a', { instances: 1 }),
      'b.yaml': appManifest('b', { instances: 1 }),
    });
    await runInProcess(['apply', '-f', dir, ...flags]);
    let seen = '';
    const a = runInProcess(['rollout', 'status', 'app', 'a', ...flags], {
      onStdout: (text) => (seen = text),
    });
    await until(() => seen.includes('observed'), { what: 'a progress line' });
    const live = (await objects.get(appResource, { namespace: 'default', name: 'a' }))!;
    await objects.updateStatus(appResource, {
      ...live,
      status: {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'no agent has offered enough cpus for 10m',
            lastTransitionTime: new Date().toISOString(),
          },
        ],
      },
    });
    expect(await a).toMatchObject({
      code: 1,
      stderr:
        'error: app.meseta.io/a rollout exceeded its progress deadline: no agent has offered enough cpus for 10m\n',
    });
    seen = '';
    const b = runInProcess(['rollout', 'status', 'app', 'b', ...flags], {
      onStdout: (text) => (seen = text),
    });
    await until(() => seen.includes('observed'), { what: 'a progress line' });
    await objects.delete(appResource, { namespace: 'default', name: 'b' });
    expect(await b).toMatchObject({
      code: 1,
      stderr: 'error: app.meseta.io "b" not found in namespace default\n',
    });
  });
});
