/**
 * Mesos task states by what they mean for the task: terminal ones are final (Mesos never sends
 * another state for that task id); TASK_UNREACHABLE and TASK_UNKNOWN are not, the task may come
 * back. One list for the simulator, the bridge and the API's instance helpers.
 */
import type { TaskState } from './types.ts';

const terminalStates: ReadonlySet<TaskState> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export function isTerminal(state: TaskState | undefined): boolean {
  return state !== undefined && terminalStates.has(state);
}
