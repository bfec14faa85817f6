import { describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/api/instance.ts';
import {
  applyTaskStatus,
  launchedStatus,
} from '../../../src/controllers/bridge/instance-status.ts';
import type { TaskStatus } from '../../../src/mesos/types.ts';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (s: number) => new Date(t0 + s * 1000).toISOString();

function instance(
  status: Instance['status'],
  goal: Instance['spec']['goal'] = 'running',
): Instance {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: { name: 'web-1-0', namespace: 'default', generation: 3, resourceVersion: '9' },
    spec: { app: 'web', revision: 1, goal, agentId: 'S1', boundAt: at(0) },
    ...(status ? { status } : {}),
  };
}

const update = (state: TaskStatus['state'], extra: Partial<TaskStatus> = {}): TaskStatus => ({
  task_id: { value: 'default.web-1-0.aa' },
  state,
  agent_id: { value: 'S1' },
  ...extra,
});

describe('instance status', () => {
  it('records a launch: task, STAGING, agent, ports, the generation launched for; keeps failures', () => {
    const status = launchedStatus(
      instance({ failures: 2, lastFailureAt: at(-5), state: 'TASK_FAILED', taskId: 'old' }),
      { taskId: 'default.web-1-0.aa', agentId: 'S1', hostname: 'h1', ports: [31000] },
      t0,
    );
    expect(status).toEqual({
      observedGeneration: 3,
      taskId: 'default.web-1-0.aa',
      state: 'TASK_STAGING',
      agentId: 'S1',
      hostname: 'h1',
      ports: [31000],
      stagedAt: at(0),
      updatedAt: at(0),
      failures: 2,
      lastFailureAt: at(-5),
    });
  });

  it('sets startedAt on the first RUNNING only, and healthy while running', () => {
    const staged = instance({ taskId: 'default.web-1-0.aa', state: 'TASK_STAGING' });
    const running = applyTaskStatus(staged, update('TASK_RUNNING'), t0 + 1000)!;
    expect(running).toMatchObject({ state: 'TASK_RUNNING', startedAt: at(1), updatedAt: at(1) });
    expect(running.healthy).toBeUndefined();
    const healthy = applyTaskStatus(
      instance(running),
      update('TASK_RUNNING', { healthy: true, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' }),
      t0 + 5000,
    )!;
    expect(healthy).toMatchObject({
      healthy: true,
      startedAt: at(1),
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
    });
    const killing = applyTaskStatus(instance(healthy), update('TASK_KILLING'), t0 + 6000)!;
    expect(killing.healthy).toBeUndefined();
    expect(killing.reason).toBeUndefined();
  });

  it('writes nothing when only the time would change (a repeated reconciliation answer)', () => {
    const running = instance({
      taskId: 'x',
      state: 'TASK_RUNNING',
      agentId: 'S1',
      healthy: true,
      startedAt: at(-60),
    });
    expect(applyTaskStatus(running, update('TASK_RUNNING'), t0)).toBeUndefined();
  });

  it('counts a failure once per task, only for instances meant to run, not for kills', () => {
    const run = instance({ taskId: 'x', state: 'TASK_RUNNING', agentId: 'S1' });
    const failed = applyTaskStatus(run, update('TASK_FAILED', { message: 'exit 1' }), t0)!;
    expect(failed).toMatchObject({
      state: 'TASK_FAILED',
      failures: 1,
      lastFailureAt: at(0),
      message: 'exit 1',
    });
    expect(applyTaskStatus(instance(failed), update('TASK_FAILED'), t0 + 1)).toBeUndefined();
    expect(applyTaskStatus(run, update('TASK_KILLED'), t0)?.failures).toBeUndefined();
    expect(applyTaskStatus(run, update('TASK_KILLED', { healthy: false }), t0)?.failures).toBe(1);
    expect(applyTaskStatus(run, update('TASK_FINISHED'), t0)?.failures).toBe(1);
    for (const state of ['TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'] as const) {
      expect(applyTaskStatus(run, update(state), t0)?.failures).toBe(1);
    }
    // The agent was lost, or an operator marked it gone: not the app's failure.
    for (const state of ['TASK_LOST', 'TASK_GONE_BY_OPERATOR'] as const) {
      expect(applyTaskStatus(run, update(state), t0)?.failures).toBeUndefined();
    }
    const stopping = instance(
      { taskId: 'x', state: 'TASK_RUNNING', agentId: 'S1' },
      'decommissioned',
    );
    expect(applyTaskStatus(stopping, update('TASK_FAILED'), t0)?.failures).toBeUndefined();
  });

  it('treats a terminal state as final', () => {
    const ended = instance({ taskId: 'x', state: 'TASK_KILLED', agentId: 'S1' });
    expect(applyTaskStatus(ended, update('TASK_RUNNING'), t0)).toBeUndefined();
  });

  it('keeps when a task became unreachable, and forgets it when the task is heard from', () => {
    const run = instance({ taskId: 'x', state: 'TASK_RUNNING', agentId: 'S1' });
    const away = applyTaskStatus(
      run,
      update('TASK_UNREACHABLE', {
        unreachable_time: { nanoseconds: String(BigInt(t0 - 3000) * 1_000_000n) },
        reason: 'REASON_AGENT_REMOVED',
      }),
      t0,
    )!;
    expect(away.unreachableSince).toBe(at(-3));
    const still = applyTaskStatus(
      instance(away),
      update('TASK_UNREACHABLE', { reason: 'REASON_RECONCILIATION' }),
      t0 + 9000,
    )!;
    expect(still.unreachableSince).toBe(at(-3));
    const back = applyTaskStatus(instance(still), update('TASK_RUNNING'), t0 + 10_000)!;
    expect(back.unreachableSince).toBeUndefined();
    expect(back.state).toBe('TASK_RUNNING');
  });
});
