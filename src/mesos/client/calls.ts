/**
 * Builders of the scheduler Calls the client sends, one per call type, pure and in the wire
 * shape (`scheduler-types.ts`). They encode Mesos's rules about which fields each call needs,
 * so that a call built here passes the master's validation: every call but SUBSCRIBE carries
 * the framework id; SUBSCRIBE carries it twice (top level and FrameworkInfo.id) or not at all;
 * ACKNOWLEDGE is only built for a status that carries a uuid.
 */
import type { Call } from '../scheduler-types.ts';
import type {
  AgentID,
  ExecutorID,
  ExecutorInfo,
  Filters,
  FrameworkInfo,
  KillPolicy,
  OfferID,
  OfferOperation,
  TaskID,
  TaskInfo,
  TaskStatus,
} from '../types.ts';

export interface ReconcileTask {
  task_id: TaskID;
  agent_id?: AgentID;
}

export function subscribeCall(info: FrameworkInfo, suppressedRoles: string[]): Call {
  const call: Call = {
    type: 'SUBSCRIBE',
    subscribe: { framework_info: info },
  };
  if (suppressedRoles.length > 0) call.subscribe!.suppressed_roles = [...suppressedRoles];
  if (info.id) call.framework_id = { value: info.id.value };
  return call;
}

export function acceptCall(
  frameworkId: string,
  offerIds: OfferID[],
  operations: OfferOperation[],
  filters?: Filters,
): Call {
  const accept: NonNullable<Call['accept']> = { offer_ids: offerIds, operations };
  if (filters) accept.filters = filters;
  return { framework_id: { value: frameworkId }, type: 'ACCEPT', accept };
}

export function launchOperation(tasks: TaskInfo[]): OfferOperation {
  return { type: 'LAUNCH', launch: { task_infos: tasks } };
}

export function launchGroupOperation(executor: ExecutorInfo, tasks: TaskInfo[]): OfferOperation {
  return { type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks } } };
}

export function declineCall(frameworkId: string, offerIds: OfferID[], filters?: Filters): Call {
  const decline: NonNullable<Call['decline']> = { offer_ids: offerIds };
  if (filters) decline.filters = filters;
  return { framework_id: { value: frameworkId }, type: 'DECLINE', decline };
}

/** No roles means every role of the framework. */
export function suppressCall(frameworkId: string, roles: string[] = []): Call {
  return { framework_id: { value: frameworkId }, type: 'SUPPRESS', suppress: rolesOf(roles) };
}

/** No roles means every role; reviving also clears the roles' decline filters. */
export function reviveCall(frameworkId: string, roles: string[] = []): Call {
  return { framework_id: { value: frameworkId }, type: 'REVIVE', revive: rolesOf(roles) };
}

export function killCall(
  frameworkId: string,
  taskId: TaskID,
  agentId?: AgentID,
  killPolicy?: KillPolicy,
): Call {
  const kill: NonNullable<Call['kill']> = { task_id: taskId };
  if (agentId) kill.agent_id = agentId;
  if (killPolicy) kill.kill_policy = killPolicy;
  return { framework_id: { value: frameworkId }, type: 'KILL', kill };
}

/**
 * The ACKNOWLEDGE for a status update, or undefined when there is nothing to acknowledge:
 * updates the master generates (reconciliation, invalid launches, agent loss) have no uuid
 * and must not be acknowledged.
 */
export function acknowledgeCall(frameworkId: string, status: TaskStatus): Call | undefined {
  if (!status.uuid || !status.agent_id) return undefined;
  return {
    framework_id: { value: frameworkId },
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
  };
}

/** No tasks means implicit reconciliation: Mesos answers for every task it knows. */
export function reconcileCall(frameworkId: string, tasks: ReconcileTask[] = []): Call {
  return {
    framework_id: { value: frameworkId },
    type: 'RECONCILE',
    reconcile: tasks.length > 0 ? { tasks } : {},
  };
}

export function shutdownCall(frameworkId: string, executorId: ExecutorID, agentId: AgentID): Call {
  return {
    framework_id: { value: frameworkId },
    type: 'SHUTDOWN',
    shutdown: { executor_id: executorId, agent_id: agentId },
  };
}

export function teardownCall(frameworkId: string): Call {
  return { framework_id: { value: frameworkId }, type: 'TEARDOWN' };
}

export function updateFrameworkCall(info: FrameworkInfo, suppressedRoles: string[]): Call {
  const update: NonNullable<Call['update_framework']> = { framework_info: info };
  if (suppressedRoles.length > 0) update.suppressed_roles = [...suppressedRoles];
  return {
    framework_id: { value: info.id!.value },
    type: 'UPDATE_FRAMEWORK',
    update_framework: update,
  };
}

function rolesOf(roles: string[]): { roles?: string[] } {
  return roles.length > 0 ? { roles: [...roles] } : {};
}
