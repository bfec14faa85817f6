/**
 * What an Instance's status becomes when Mesos says something about its current task (pure).
 * `launchedStatus` is the status written before a launch; `applyTaskStatus` folds one
 * TaskStatus into the status, or returns undefined when there is nothing worth writing.
 *
 * Rules (docs/bridge.md): a terminal state is final — a later non-terminal report of the same
 * task (a stale reconciliation answer, a reordered update) is ignored; `healthy` is only kept
 * while the task runs; `startedAt` is the first TASK_RUNNING; `unreachableSince` is set on
 * TASK_UNREACHABLE and cleared when the task is heard from again; a task of a goal-running
 * instance that ends as a failure (see `failureStates`) counts once.
 */
import type { Instance, InstanceStatus } from '../../api/instance.ts';
import { isTerminal } from '../../mesos/task-states.ts';
import type { TaskState, TaskStatus } from '../../mesos/types.ts';

export { isTerminal };

export interface Launch {
  taskId: string;
  agentId: string;
  hostname: string;
  ports: number[];
}

/** The status recorded (by compare-and-swap) before the task is launched. */
export function launchedStatus(instance: Instance, launch: Launch, now: number): InstanceStatus {
  const at = new Date(now).toISOString();
  const old = instance.status ?? {};
  const status: InstanceStatus = {
    observedGeneration: instance.metadata.generation ?? 1,
    taskId: launch.taskId,
    state: 'TASK_STAGING',
    agentId: launch.agentId,
    hostname: launch.hostname,
    ports: launch.ports,
    stagedAt: at,
    updatedAt: at,
  };
  if (old.failures !== undefined) status.failures = old.failures;
  if (old.lastFailureAt !== undefined) status.lastFailureAt = old.lastFailureAt;
  return status;
}

/**
 * The ends that count for launch backoff (REFERENCE): FAILED, ERROR, DROPPED, GONE, and FINISHED
 * (a long-running service that exits has failed). KILLED is not a failure unless the task's
 * health check killed it; LOST and GONE_BY_OPERATOR tell of the agent or an operator, not of
 * the app.
 */
const failureStates: ReadonlySet<TaskState> = new Set([
  'TASK_FAILED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_FINISHED',
]);

function isFailure(status: TaskStatus): boolean {
  if (status.state === 'TASK_KILLED') return status.healthy === false;
  return failureStates.has(status.state);
}

/**
 * The instance's status after `update` (which must be about `instance.status.taskId`), or
 * undefined when nothing but the time would change.
 */
export function applyTaskStatus(
  instance: Instance,
  update: TaskStatus,
  now: number,
): InstanceStatus | undefined {
  const old = instance.status ?? {};
  if (isTerminal(old.state) && !isTerminal(update.state)) return undefined;
  if (isTerminal(old.state) && old.state === update.state) return undefined;
  const at = new Date(now).toISOString();
  const next: InstanceStatus = { ...old, state: update.state };
  if (update.agent_id && update.agent_id.value !== old.agentId) {
    next.agentId = update.agent_id.value;
  }
  if (update.state === 'TASK_RUNNING') {
    if (update.healthy !== undefined) next.healthy = update.healthy;
    if (!old.startedAt) next.startedAt = at;
  } else {
    delete next.healthy;
  }
  if (update.message) next.message = update.message;
  else delete next.message;
  if (update.reason) next.reason = update.reason;
  else delete next.reason;
  if (update.state === 'TASK_UNREACHABLE') {
    next.unreachableSince ??= update.unreachable_time
      ? new Date(Number(BigInt(update.unreachable_time.nanoseconds) / 1_000_000n)).toISOString()
      : at;
  } else {
    delete next.unreachableSince;
  }
  if (!isTerminal(old.state) && isFailure(update) && instance.spec.goal === 'running') {
    next.failures = (old.failures ?? 0) + 1;
    next.lastFailureAt = at;
  }
  if (sameExceptTime(old, next)) return undefined;
  next.updatedAt = at;
  return next;
}

function sameExceptTime(a: InstanceStatus, b: InstanceStatus): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('updatedAt');
  for (const key of keys) {
    const x = a[key as keyof InstanceStatus];
    const y = b[key as keyof InstanceStatus];
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}
