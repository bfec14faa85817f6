/**
 * The master's records: agents, frameworks, offers and tasks, with the indexes that keep every
 * hot path proportional to what it touches (an agent knows its offers and tasks, a framework
 * its offers and tasks, the master its agents with unallocated resources). Plain data; the
 * rules that change it live in `master.ts`.
 */
import type { Timer } from '../clock.ts';
import type { Event, OfferConstraints } from '../mesos/scheduler-types.ts';
import type { OfferConstraintsFilter } from './offer-constraints.ts';
import type {
  AgentInfo,
  ExecutorInfo,
  FrameworkInfo,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '../mesos/types.ts';
import type { SimAgent } from './agent.ts';
import type { Pool } from './resources.ts';

/** One SUBSCRIBE stream, as the transport gives it to the master. */
export interface Subscriber {
  readonly streamId: string;
  send(event: Event): void;
  /** Ends the stream; the master will not use this subscriber again. */
  close(): void;
}

/** `recovering`: known from before a master failover, not reregistered yet. */
export type AgentStatus = 'active' | 'recovering' | 'unreachable' | 'gone';

export interface AgentRecord {
  id: string;
  info: AgentInfo;
  ip: string;
  status: AgentStatus;
  total: Pool;
  /** Neither offered nor used by tasks. */
  free: Pool;
  hasGpus: boolean;
  region?: string;
  offers: Set<string>;
  /** Live tasks by `frameworkId/taskId`. */
  tasks: Map<string, TaskRecord>;
  /** Executors the master launched here (custom and default), `frameworkId/executorId` → their resources. */
  executors: Map<string, Pool>;
  registeredTime: number;
  reregisteredTime?: number;
  unreachableTime?: number;
  /** Pending "mark unreachable" after a partition began. */
  partitionTimer?: Timer;
  sim: SimAgent;
}

export interface RefusalFilter {
  until: number;
  resources: Pool;
}

export interface FrameworkRecord {
  id: string;
  info: FrameworkInfo;
  roles: string[];
  capabilities: Set<string>;
  subscriber?: Subscriber;
  active: boolean;
  /** Known from a resubscription after a master failover, not from its first SUBSCRIBE. */
  recovered: boolean;
  suppressed: Set<string>;
  /** role → agent id → refusal. */
  filters: Map<string, Map<string, RefusalFilter>>;
  offers: Set<string>;
  tasks: Map<string, TaskRecord>;
  unreachableTasks: Map<string, TaskRecord>;
  completedTasks: TaskRecord[];
  registeredTime: number;
  reregisteredTime?: number;
  unregisteredTime?: number;
  heartbeat?: Timer;
  failoverTimer?: Timer;
  /** `Subscribe.offer_constraints` as given, and compiled (unset when there are none). */
  offerConstraintsSpec?: OfferConstraints;
  offerConstraints?: OfferConstraintsFilter;
  /** Scalars offered to or used by the framework, for its dominant share. */
  allocated: Record<string, number>;
}

export interface OfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Pool;
  timer?: Timer;
}

export interface TaskRecord {
  info: TaskInfo;
  frameworkId: string;
  agentId: string;
  executorId?: string;
  /** The ExecutorInfo of a custom executor or task group; unset for the command executor. */
  executorInfo?: ExecutorInfo;
  role: string;
  resources: Pool;
  state: TaskState;
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
  statuses: TaskStatus[];
  unreachableTime?: number;
}

/** A completed framework keeps this little so that its id can be refused. */
export interface CompletedFramework {
  id: string;
  info: FrameworkInfo;
  tasks: TaskRecord[];
  unregisteredTime: number;
}

export { isTerminal } from '../mesos/task-states.ts';

export const taskKey = (frameworkId: string, taskId: string) => `${frameworkId}/${taskId}`;
