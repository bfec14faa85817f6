/**
 * Instance: one desired copy of one revision of an App, Marathon-style: it outlives the Mesos
 * tasks that run it (a replaced task gets a new task id, the instance keeps its name). The spec
 * is what should be; the status is what Mesos last said, written only by the Mesos bridge.
 *
 * Goals: `running` keeps a task running; `stopped` kills the task and keeps the instance;
 * `decommissioned` kills the task, after which the instance is removed (see docs/resources.md
 * for the contract between the apps controller and the bridge).
 */
import { isTerminal } from '../mesos/task-states.ts';
import type { TaskState } from '../mesos/types.ts';
import type { ObjectMeta } from '../store/object.ts';

export type InstanceGoal = 'running' | 'stopped' | 'decommissioned';

/** What Mesos last said of the task: Mesos v1 TaskState names, as the wire carries them. */
export type { TaskState };

export interface InstanceSpec {
  /** The App (same namespace). */
  app: string;
  /** The AppRevision number whose task this instance runs. */
  revision: number;
  goal: InstanceGoal;
  /** The agent it is bound to, once placed. */
  agentId?: string;
  /**
   * When placement made the binding. Every binding is a spec change (so it bumps the
   * generation, even when it names the same agent again), and a binding not launched for a
   * while can be replaced.
   */
  boundAt?: string;
}

export interface InstanceStatus {
  /** The generation whose binding the current task was launched for. */
  observedGeneration?: number;
  taskId?: string;
  state?: TaskState;
  /** Last health check result; absent when the app has no checks or none has answered. */
  healthy?: boolean;
  ready?: boolean;
  agentId?: string;
  hostname?: string;
  ports?: number[];
  message?: string;
  reason?: string;
  stagedAt?: string;
  startedAt?: string;
  updatedAt?: string;
  unreachableSince?: string;
  failures?: number;
  lastFailureAt?: string;
}

export interface Instance {
  apiVersion: 'meseta.io/v1';
  kind: 'Instance';
  metadata: ObjectMeta;
  spec: InstanceSpec;
  status?: InstanceStatus;
}

export const INSTANCE_KIND = 'Instance';

/**
 * Whether a task of the instance may still be alive on an agent. Unreachable and unknown
 * tasks may come back, so they count as alive: only a terminal state, or never having had a
 * task, lets a decommissioned instance be removed.
 */
export function hasLiveTask(instance: Instance): boolean {
  const status = instance.status;
  if (!status?.taskId && !status?.state) return false;
  return !isTerminal(status.state);
}

export function isRunning(instance: Instance): boolean {
  return instance.status?.state === 'TASK_RUNNING';
}

/** Running and not failing a health check (an instance without checks is healthy). */
export function isHealthy(instance: Instance): boolean {
  return isRunning(instance) && instance.status?.healthy !== false;
}

/** Healthy and not failing a readiness check. */
export function isReady(instance: Instance): boolean {
  return isHealthy(instance) && instance.status?.ready !== false;
}

/**
 * Whether the instance waits for a task: it should run and has none alive (it is new, or its
 * last task ended), whether or not it is bound yet. The launch queue counts these.
 */
export function wantsTask(instance: Instance): boolean {
  return instance.spec.goal === 'running' && !hasLiveTask(instance);
}

/**
 * Whether the instance is bound to an agent and that binding has not been used for a launch yet
 * (the bridge records the generation it launched for in `status.observedGeneration`).
 */
export function awaitsLaunch(instance: Instance): boolean {
  return (
    instance.spec.goal === 'running' &&
    instance.spec.agentId !== undefined &&
    !hasLiveTask(instance) &&
    instance.status?.observedGeneration !== instance.metadata.generation
  );
}

/**
 * Whether the instance needs a (new) binding: it should run, has no live task, and is unbound
 * or its binding was used by a task that has since ended. A binding that has waited too long
 * for a launch is placement's to judge (`spec.boundAt`).
 */
export function needsPlacement(instance: Instance): boolean {
  return (
    instance.spec.goal === 'running' &&
    !hasLiveTask(instance) &&
    (instance.spec.agentId === undefined ||
      instance.status?.observedGeneration === instance.metadata.generation)
  );
}
