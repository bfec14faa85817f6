/**
 * Shapes of the v1 operator API (package mesos.v1.master) that meseta reads: the Call, the
 * synchronous Response of the GET_* calls, and the operator SUBSCRIBE Event. Wire
 * representation as described in `types.ts`.
 */
import type {
  AgentID,
  AgentInfo,
  ExecutorInfo,
  FrameworkID,
  FrameworkInfo,
  InverseOffer,
  MasterInfo,
  Offer,
  Resource,
  Task,
  TaskState,
  TaskStatus,
  TimeInfo,
  VersionInfo,
} from './types.ts';
import type { OfferConstraints } from './scheduler-types.ts';

export type MasterCallType =
  | 'UNKNOWN'
  | 'GET_HEALTH'
  | 'GET_FLAGS'
  | 'GET_VERSION'
  | 'GET_METRICS'
  | 'GET_LOGGING_LEVEL'
  | 'SET_LOGGING_LEVEL'
  | 'LIST_FILES'
  | 'READ_FILE'
  | 'GET_STATE'
  | 'GET_AGENTS'
  | 'GET_FRAMEWORKS'
  | 'GET_EXECUTORS'
  | 'GET_OPERATIONS'
  | 'GET_TASKS'
  | 'GET_ROLES'
  | 'GET_WEIGHTS'
  | 'UPDATE_WEIGHTS'
  | 'GET_MASTER'
  | 'SUBSCRIBE'
  | 'RESERVE_RESOURCES'
  | 'UNRESERVE_RESOURCES'
  | 'CREATE_VOLUMES'
  | 'DESTROY_VOLUMES'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'GET_MAINTENANCE_STATUS'
  | 'GET_MAINTENANCE_SCHEDULE'
  | 'UPDATE_MAINTENANCE_SCHEDULE'
  | 'START_MAINTENANCE'
  | 'STOP_MAINTENANCE'
  | 'DRAIN_AGENT'
  | 'DEACTIVATE_AGENT'
  | 'REACTIVATE_AGENT'
  | 'GET_QUOTA'
  | 'UPDATE_QUOTA'
  | 'SET_QUOTA'
  | 'REMOVE_QUOTA'
  | 'TEARDOWN'
  | 'MARK_AGENT_GONE';

export interface MasterCall {
  type?: MasterCallType;
  teardown?: { framework_id: FrameworkID };
  mark_agent_gone?: { agent_id: AgentID };
  deactivate_agent?: { agent_id: AgentID };
  reactivate_agent?: { agent_id: AgentID };
  [payload: string]: unknown;
}

/** Note: Response.Type numbers differ from Call.Type numbers (GET_STATE is 8 here, 9 there). */
export type MasterResponseType =
  | 'UNKNOWN'
  | 'GET_HEALTH'
  | 'GET_FLAGS'
  | 'GET_VERSION'
  | 'GET_METRICS'
  | 'GET_LOGGING_LEVEL'
  | 'LIST_FILES'
  | 'READ_FILE'
  | 'GET_STATE'
  | 'GET_AGENTS'
  | 'GET_FRAMEWORKS'
  | 'GET_EXECUTORS'
  | 'GET_OPERATIONS'
  | 'GET_TASKS'
  | 'GET_ROLES'
  | 'GET_WEIGHTS'
  | 'GET_MASTER'
  | 'GET_MAINTENANCE_STATUS'
  | 'GET_MAINTENANCE_SCHEDULE'
  | 'GET_QUOTA';

export interface AgentEntry {
  agent_info: AgentInfo;
  active: boolean;
  deactivated?: boolean;
  version: string;
  pid?: string;
  registered_time?: TimeInfo;
  reregistered_time?: TimeInfo;
  total_resources?: Resource[];
  allocated_resources?: Resource[];
  offered_resources?: Resource[];
  capabilities?: { type?: string }[];
}

export interface FrameworkEntry {
  framework_info: FrameworkInfo;
  active: boolean;
  connected: boolean;
  recovered: boolean;
  registered_time?: TimeInfo;
  reregistered_time?: TimeInfo;
  unregistered_time?: TimeInfo;
  offers?: Offer[];
  inverse_offers?: InverseOffer[];
  allocated_resources?: Resource[];
  offered_resources?: Resource[];
  offer_constraints?: OfferConstraints;
}

export interface GetTasks {
  tasks?: Task[];
  unreachable_tasks?: Task[];
  completed_tasks?: Task[];
}
export interface GetAgents {
  agents?: AgentEntry[];
  recovered_agents?: AgentInfo[];
}
export interface GetFrameworks {
  frameworks?: FrameworkEntry[];
  completed_frameworks?: FrameworkEntry[];
}
export interface GetExecutors {
  executors?: { executor_info: ExecutorInfo; agent_id: AgentID }[];
}
export interface GetState {
  get_tasks?: GetTasks;
  get_executors?: GetExecutors;
  get_frameworks?: GetFrameworks;
  get_agents?: GetAgents;
}

export interface MasterResponse {
  type?: MasterResponseType;
  get_health?: { healthy: boolean };
  get_flags?: { flags?: { name: string; value?: string }[] };
  get_version?: { version_info: VersionInfo };
  get_state?: GetState;
  get_agents?: GetAgents;
  get_frameworks?: GetFrameworks;
  get_executors?: GetExecutors;
  get_tasks?: GetTasks;
  get_master?: { master_info?: MasterInfo; start_time?: number; elected_time?: number };
  get_roles?: {
    roles?: { name: string; weight: number; frameworks?: FrameworkID[]; resources?: Resource[] }[];
  };
  get_operations?: { operations?: unknown[] };
}

export type MasterEventType =
  | 'UNKNOWN'
  | 'SUBSCRIBED'
  | 'TASK_ADDED'
  | 'TASK_UPDATED'
  | 'AGENT_ADDED'
  | 'AGENT_REMOVED'
  | 'FRAMEWORK_ADDED'
  | 'FRAMEWORK_UPDATED'
  | 'FRAMEWORK_REMOVED'
  | 'HEARTBEAT';

export interface MasterEvent {
  type?: MasterEventType;
  subscribed?: { get_state?: GetState; heartbeat_interval_seconds?: number };
  task_added?: { task: Task };
  task_updated?: { framework_id: FrameworkID; status: TaskStatus; state: TaskState };
  agent_added?: { agent: AgentEntry };
  agent_removed?: { agent_id: AgentID };
  framework_added?: { framework: FrameworkEntry };
  framework_updated?: { framework: FrameworkEntry };
  framework_removed?: { framework_info: FrameworkInfo };
}
