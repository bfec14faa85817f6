import { expect, it } from 'vitest';
import { appResource, eventResource } from '../../src/api/resources.ts';
import { parseApp } from '../../src/api/app.ts';
import { DESCRIBE_EVENTS, describeApp } from '../../src/cli/describe-app.ts';
import { seedAppChildren } from './app-children.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

describeBackends('meseta describe', (backend) => {
  it('shows metadata, spec, status, rollout progress and conditions', async () => {
    const { flags, objects } = backend.fresh();
    const manifest = appManifest(
      'web',
      {
        instances: 2,
        portDefinitions: [{ name: 'http' }],
        constraints: [{ field: 'hostname', operator: 'UNIQUE' }],
        healthChecks: [{ protocol: 'MESOS_HTTP', path: '/health' }],
      },
      { labels: { tier: 'web' } },
    );
    await runInProcess(['apply', '-f', manifestDir({ 'web.yaml': manifest }), ...flags]);
    const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    await objects.updateStatus(appResource, {
      ...live,
      status: {
        observedGeneration: 1,
        instances: 2,
        running: 2,
        healthy: 1,
        updated: 2,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'Unhealthy',
            message: '1 of 2 healthy',
            lastTransitionTime: new Date().toISOString(),
          },
        ],
      },
    });
    const result = await runInProcess(['describe', 'app', 'web', ...flags]);
    expect(result.code).toBe(0);
    const text = result.stdout;
    for (const line of [
      'Name:           web',
      'Namespace:      default',
      'Labels:         tier=web',
      'Annotations:    <none>',
      'Generation:     1 (observed 1)',
      '  Instances:    2',
      '  Resources:    cpus 1, mem 128 MiB, disk 0 MiB, gpus 0',
      '  Command:      sleep 1000',
      '  Ports:        http any/tcp',
      '  Constraints:  hostname UNIQUE',
      '  Instances:    2 (staged 0, running 2, healthy 1, ready 0, updated 2) of 2 wanted',
      '  Rollout:      Waiting for rollout to finish: 1 of 2 instances are healthy...',
      '  TYPE        STATUS   REASON      AGE   MESSAGE',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/ {2}Health checks: MESOS_HTTP \/health every 60s/);
    expect(text).toMatch(/ {2}Available {3}False {4}Unhealthy {3}\d+s +1 of 2 healthy\n/);
    expect(text).not.toContain('last-applied');
    const missing = await runInProcess(['describe', 'app', 'nope', ...flags]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'error: app.meseta.io "nope" not found in namespace default\n',
    });
  });
});

describeBackends('meseta describe instances and events', (backend) => {
  it('shows an App’s instances and its recent events, from one read of each', async () => {
    const { flags, objects } = backend.fresh();
    await seedAppChildren(flags, objects);
    // Events about an instance that is gone still belong to its App.
    await objects.create(eventResource, {
      apiVersion: 'meseta.io/v1',
      kind: 'Event',
      metadata: { name: 'web-1-7.killed', namespace: 'default' },
      involvedObject: { apiVersion: 'meseta.io/v1', kind: 'Instance', name: 'web-1-7' },
      type: 'Normal',
      reason: 'Killed',
      message: 'scaled down',
      count: 1,
      firstTimestamp: new Date(Date.now() - 60_000).toISOString(),
      lastTimestamp: new Date(Date.now() - 60_000).toISOString(),
    });
    const result = await runInProcess(['describe', 'app', 'web', 'db', ...flags]);
    expect(result.code).toBe(0);
    const [web, db] = result.stdout.split('\nName:');
    const webLines = web!.split('\n');
    const at = webLines.indexOf('Instances:');
    expect(webLines.slice(at, at + 5)).toEqual([
      'Instances:',
      '  NAME      REVISION   GOAL      STATE          HEALTHY   AGENT     HOST             PORTS         FAILURES   MESSAGE',
      '  web-1-0   1          running   TASK_RUNNING   true      agent-a   node-a.example   31000,31001   0',
      '  web-2-0   2          running   TASK_STAGING   -         agent-b   <none>           <none>        0',
      '  web-2-1   2          running   Pending        -         <none>    <none>           <none>        0',
    ]);
    expect(webLines[at + 5]).toBe('Events:');
    expect(webLines.slice(at + 6)).toEqual([
      '  TYPE      REASON       LAST SEEN   OBJECT             MESSAGE',
      expect.stringMatching(/^ {2}Normal +ScalingUp +5m(\d+s)? +app\/web +created 3 instances$/),
      expect.stringMatching(/^ {2}Normal +Killed +6\ds +instance\/web-1-7 +scaled down$/),
      expect.stringMatching(
        /^ {2}Warning +TaskFailed +2\ds +instance\/web-2-0 +exited with 1 \(x4\)$/,
      ),
      '',
    ]);
    expect(db).toContain(
      '  db-1-0   1          running   TASK_FAILED   false     agent-c   node-c.example   <none>   0',
    );
    expect(db).not.toContain('web-');
    // An App with neither says so.
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'lone.yaml': appManifest('lone') }),
      ...flags,
    ]);
    const lone = (await runInProcess(['describe', 'app/lone', ...flags])).stdout.split('\n');
    expect(lone).toContain('Instances:      <none>');
    expect(lone).toContain('Events:         <none>');
  });
});

it('describe shows only the most recent events of a busy App', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const app = parseApp(appManifest('web'));
  const events = Array.from({ length: DESCRIBE_EVENTS + 5 }, (_, i) => {
    const at = new Date(now - (DESCRIBE_EVENTS + 5 - i) * 1000).toISOString();
    return {
      apiVersion: 'meseta.io/v1' as const,
      kind: 'Event' as const,
      metadata: { name: `e${i}`, namespace: 'default' },
      involvedObject: { apiVersion: 'meseta.io/v1', kind: 'App', name: 'web' },
      type: 'Normal' as const,
      reason: 'Tick',
      message: `tick ${i}`,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
    };
  });
  const text = describeApp(app, now, { instances: [], events });
  const shown = text.split('\n').filter((line) => line.includes('tick '));
  expect(shown).toHaveLength(DESCRIBE_EVENTS);
  expect(shown[0]).toMatch(/tick 5$/);
  expect(shown.at(-1)).toMatch(/^ {2}Normal +Tick +1s +app\/web +tick 24$/);
});

it('describe shows deletion, every condition with its whole message, failures and backoff', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const ago = (s: number) => new Date(now - s * 1000).toISOString();
  const parsed = parseApp(appManifest('web', { instances: 2 }));
  const app = {
    ...parsed,
    metadata: {
      ...parsed.metadata,
      generation: 2,
      deletionTimestamp: ago(30),
      finalizers: ['meseta.io/instances'],
    },
    status: {
      observedGeneration: 2,
      instances: 2,
      targetRevision: 2,
      conditions: [
        {
          type: 'Placed',
          status: 'False' as const,
          reason: 'Unschedulable',
          message:
            '1 instance does not fit on any of 3 agents:\n2 agents: not enough cpus\n1 agent: hostname UNIQUE',
          lastTransitionTime: ago(60),
        },
        { type: 'Available', status: 'True' as const, lastTransitionTime: ago(600) },
      ],
    },
  };
  const instance = (name: string, revision: number, status: object) => ({
    apiVersion: 'meseta.io/v1' as const,
    kind: 'Instance' as const,
    metadata: { name, namespace: 'default' },
    spec: { app: 'web', revision, goal: 'running' as const, agentId: 'S1' },
    status,
  });
  const text = describeApp(app, now, {
    instances: [
      instance('web-2-0', 2, {
        state: 'TASK_FAILED',
        agentId: 'S1',
        hostname: 'node-a',
        failures: 3,
        lastFailureAt: ago(1),
        message: 'exited with 1',
      }),
      instance('web-2-1', 2, { failures: 1, lastFailureAt: ago(20) }),
      instance('web-1-0', 1, { failures: 9, lastFailureAt: ago(2) }),
    ],
    events: [],
  });
  const lines = text.split('\n');
  for (const line of [
    'Deleting:       since 2026-01-01T11:59:30.000Z (30s ago)',
    'Finalizers:     meseta.io/instances',
    // 4 failures of revision 2 (revision 1's do not count): 1 × 1.15³ = 1.52s after the last.
    '  Backoff:      4 failures of revision 2, the last 1s ago: launches wait 1.52s (0.52s left)',
    'Conditions:',
    '  TYPE        STATUS   REASON          AGE   MESSAGE',
    '  Placed      False    Unschedulable   60s   1 instance does not fit on any of 3 agents:',
    '                                             2 agents: not enough cpus',
    '                                             1 agent: hostname UNIQUE',
    '  Available   True                     10m',
    '  NAME      REVISION   GOAL      STATE         HEALTHY   AGENT   HOST     PORTS    FAILURES   MESSAGE',
    '  web-2-0   2          running   TASK_FAILED   -         S1      node-a   <none>   3          exited with 1',
    '  web-2-1   2          running   Pending       -         S1      <none>   <none>   1',
  ]) {
    expect(lines).toContain(line);
  }
});
