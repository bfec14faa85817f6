/**
 * Read-only views of the master's state in the operator API's messages (GET_STATE,
 * GET_AGENTS, GET_FRAMEWORKS, GET_TASKS, GET_EXECUTORS, GET_VERSION, GET_MASTER). Built on
 * demand from the records; nothing here changes state.
 */
import type {
  AgentEntry,
  FrameworkEntry,
  GetAgents,
  GetExecutors,
  GetFrameworks,
  GetState,
  GetTasks,
  MasterResponse,
} from '../mesos/master-types.ts';
import type { Task, TimeInfo } from '../mesos/types.ts';
import { nanos, type Master } from './master.ts';
import {
  addTo,
  emptyPool,
  poolToResources,
  subtractFrom,
  clonePool,
  type Pool,
} from './resources.ts';
import type { AgentRecord, CompletedFramework, FrameworkRecord, TaskRecord } from './state.ts';

const time = (ms: number | undefined): TimeInfo | undefined =>
  ms === undefined ? undefined : { nanoseconds: nanos(ms) };

export function taskView(task: TaskRecord, user?: string): Task {
  const view: Task = {
    name: task.info.name,
    task_id: task.info.task_id,
    framework_id: { value: task.frameworkId },
    agent_id: { value: task.agentId },
    state: task.state,
    resources: poolToResources(task.resources, { legacyRole: true, allocationRole: task.role }),
  };
  if (task.executorInfo) view.executor_id = { value: task.executorId! };
  if (task.statuses.length > 0) view.statuses = task.statuses;
  if (task.statusUpdateState) view.status_update_state = task.statusUpdateState;
  if (task.statusUpdateUuid) view.status_update_uuid = task.statusUpdateUuid;
  const { labels, discovery, container, health_check, kill_policy, limits } = task.info;
  if (labels) view.labels = labels;
  if (discovery) view.discovery = discovery;
  if (container) view.container = container;
  if (health_check) view.health_check = health_check;
  if (kill_policy) view.kill_policy = kill_policy;
  if (user) view.user = user;
  if (limits) view.limits = limits;
  return view;
}

export function getTasks(master: Master): GetTasks {
  const tasks: Task[] = [];
  const unreachable: Task[] = [];
  const completed: Task[] = [];
  for (const framework of master.listFrameworks()) {
    const user = framework.info.user;
    for (const task of framework.tasks.values()) tasks.push(taskView(task, user));
    for (const task of framework.unreachableTasks.values()) unreachable.push(taskView(task, user));
    for (const task of framework.completedTasks) completed.push(taskView(task, user));
  }
  for (const framework of master.listCompletedFrameworks()) {
    for (const task of framework.tasks) completed.push(taskView(task, framework.info.user));
  }
  return {
    ...(tasks.length ? { tasks } : {}),
    ...(unreachable.length ? { unreachable_tasks: unreachable } : {}),
    ...(completed.length ? { completed_tasks: completed } : {}),
  };
}

function offered(master: Master, agent: AgentRecord): Pool {
  const pool = emptyPool();
  for (const id of agent.offers) {
    const offer = master.offer(id);
    if (offer) addTo(pool, offer.resources);
  }
  return pool;
}

export function agentEntry(master: Master, agent: AgentRecord): AgentEntry {
  const offeredPool = offered(master, agent);
  // Allocated means handed to frameworks: used by tasks or offered.
  const allocated = clonePool(agent.total);
  subtractFrom(allocated, agent.free);
  const entry: AgentEntry = {
    agent_info: agent.info,
    active: agent.status === 'active',
    deactivated: false,
    version: master.info.version ?? '1.11.0',
    pid: `slave(1)@${agent.ip}:${agent.info.port ?? 5051}`,
    registered_time: time(agent.registeredTime)!,
    total_resources: poolToResources(agent.total, { legacyRole: true }),
    allocated_resources: poolToResources(allocated, { legacyRole: true }),
    offered_resources: poolToResources(offeredPool, { legacyRole: true }),
    capabilities: [
      'MULTI_ROLE',
      'HIERARCHICAL_ROLE',
      'RESERVATION_REFINEMENT',
      'TASK_RESOURCE_LIMITS',
    ].map((type) => ({ type })),
  };
  if (agent.reregisteredTime !== undefined) entry.reregistered_time = time(agent.reregisteredTime)!;
  return entry;
}

export function getAgents(master: Master): GetAgents {
  const agents: AgentEntry[] = [];
  for (const agent of master.listAgents()) {
    if (agent.status === 'active') agents.push(agentEntry(master, agent));
  }
  return agents.length ? { agents } : {};
}

export function frameworkEntry(master: Master, framework: FrameworkRecord): FrameworkEntry {
  const offers = master.listOffers(framework);
  const offeredPool = emptyPool();
  for (const offer of offers) addTo(offeredPool, offer.resources);
  const used = emptyPool();
  for (const task of framework.tasks.values()) addTo(used, task.resources);
  const entry: FrameworkEntry = {
    framework_info: framework.info,
    active: framework.active,
    connected: framework.subscriber !== undefined,
    recovered: framework.recovered,
    registered_time: time(framework.registeredTime)!,
  };
  if (framework.offerConstraintsSpec) entry.offer_constraints = framework.offerConstraintsSpec;
  if (framework.reregisteredTime !== undefined)
    entry.reregistered_time = time(framework.reregisteredTime)!;
  if (offers.length) {
    entry.offers = offers.map((offer) =>
      master.offerMessage(offer, framework, master.agent(offer.agentId)!),
    );
  }
  const allocatedPool = clonePool(used);
  addTo(allocatedPool, offeredPool);
  const allocated = poolToResources(allocatedPool, { legacyRole: true });
  if (allocated.length) entry.allocated_resources = allocated;
  const offeredResources = poolToResources(offeredPool, { legacyRole: true });
  if (offeredResources.length) entry.offered_resources = offeredResources;
  return entry;
}

function completedEntry(framework: CompletedFramework): FrameworkEntry {
  return {
    framework_info: framework.info,
    active: false,
    connected: false,
    recovered: false,
    unregistered_time: time(framework.unregisteredTime)!,
  };
}

export function getFrameworks(master: Master): GetFrameworks {
  const frameworks = [...master.listFrameworks()].map((f) => frameworkEntry(master, f));
  const completed = [...master.listCompletedFrameworks()].map(completedEntry);
  return {
    ...(frameworks.length ? { frameworks } : {}),
    ...(completed.length ? { completed_frameworks: completed } : {}),
  };
}

export function getExecutors(master: Master): GetExecutors {
  const seen = new Set<string>();
  const executors: NonNullable<GetExecutors['executors']> = [];
  for (const framework of master.listFrameworks()) {
    for (const task of framework.tasks.values()) {
      if (!task.executorInfo) continue;
      const key = `${task.agentId}/${framework.id}/${task.executorId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      executors.push({ executor_info: task.executorInfo, agent_id: { value: task.agentId } });
    }
  }
  return executors.length ? { executors } : {};
}

export function getState(master: Master): GetState {
  return {
    get_tasks: getTasks(master),
    get_executors: getExecutors(master),
    get_frameworks: getFrameworks(master),
    get_agents: getAgents(master),
  };
}

/** GET_ROLES: every role some framework subscribed with, weight 1, what it holds. */
export function getRoles(master: Master): NonNullable<MasterResponse['get_roles']> {
  const roles = new Map<string, { frameworks: string[]; pool: Pool }>();
  const entry = (name: string) => {
    let role = roles.get(name);
    if (!role) roles.set(name, (role = { frameworks: [], pool: emptyPool() }));
    return role;
  };
  for (const framework of master.listFrameworks()) {
    for (const name of framework.roles) entry(name).frameworks.push(framework.id);
    for (const task of framework.tasks.values()) addTo(entry(task.role).pool, task.resources);
    for (const offer of master.listOffers(framework))
      addTo(entry(offer.role).pool, offer.resources);
  }
  const list = [...roles.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, role]) => {
      const resources = poolToResources(role.pool, { legacyRole: true, allocationRole: name });
      return {
        name,
        weight: 1,
        ...(role.frameworks.length
          ? { frameworks: role.frameworks.map((value) => ({ value })) }
          : {}),
        ...(resources.length ? { resources } : {}),
      };
    });
  return list.length ? { roles: list } : {};
}
