/**
 * `GET /master/state` (and `/state`): the legacy, hand-written JSON state in Mesos's old
 * vocabulary (slaves, slave_id, resources as `{cpus, mem, disk, gpus, ports: "[a-b]"}`),
 * following src/master/readonly_handler.cpp and src/common/http.cpp. Kept for tools that
 * still read it; new code should use the operator API.
 */
import type { Attribute, Labels, TaskStatus } from '../../mesos/types.ts';
import type { Master } from '../master.ts';
import { addTo, clonePool, emptyPool, subtractFrom, type Pool } from '../resources.ts';
import type { AgentRecord, FrameworkRecord, TaskRecord } from '../state.ts';

type Json = Record<string, unknown>;

export function legacyResources(pool: Pool): Json {
  const out: Json = {
    disk: pool.scalars.disk ?? 0,
    mem: pool.scalars.mem ?? 0,
    gpus: pool.scalars.gpus ?? 0,
    cpus: pool.scalars.cpus ?? 0,
  };
  for (const [name, value] of Object.entries(pool.scalars)) if (!(name in out)) out[name] = value;
  for (const [name, list] of Object.entries(pool.ranges)) {
    out[name] = `[${list.map(([b, e]) => `${b}-${e}`).join(', ')}]`;
  }
  for (const [name, items] of Object.entries(pool.sets)) out[name] = `{${items.join(', ')}}`;
  return out;
}

function attributes(list: Attribute[] | undefined): Json {
  const out: Json = {};
  for (const attribute of list ?? []) {
    if (attribute.type === 'SCALAR') out[attribute.name] = attribute.scalar?.value;
    else if (attribute.type === 'TEXT') out[attribute.name] = attribute.text?.value;
    else if (attribute.type === 'RANGES') {
      out[attribute.name] =
        `[${(attribute.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
    } else if (attribute.type === 'SET')
      out[attribute.name] = `{${(attribute.set?.item ?? []).join(', ')}}`;
  }
  return out;
}

const labels = (value: Labels | undefined) => value?.labels ?? [];

function status(s: TaskStatus): Json {
  const out: Json = { state: s.state, timestamp: s.timestamp };
  if (s.labels) out.labels = labels(s.labels);
  if (s.container_status) out.container_status = s.container_status;
  if (s.healthy !== undefined) out.healthy = s.healthy;
  return out;
}

function task(t: TaskRecord, user: string): Json {
  const out: Json = {
    id: t.info.task_id.value,
    name: t.info.name,
    framework_id: t.frameworkId,
    executor_id: t.executorInfo ? t.executorId : '',
    slave_id: t.agentId,
    state: t.state,
    resources: legacyResources(t.resources),
    role: t.role,
    statuses: t.statuses.map(status),
    user,
  };
  if (t.info.labels) out.labels = labels(t.info.labels);
  if (t.info.discovery) out.discovery = t.info.discovery;
  if (t.info.container) out.container = t.info.container;
  if (t.info.health_check) out.health_check = t.info.health_check;
  return out;
}

function slave(master: Master, agent: AgentRecord): Json {
  const offered = emptyPool();
  for (const id of agent.offers) {
    const offer = master.offer(id);
    if (offer) addTo(offered, offer.resources);
  }
  const used = clonePool(agent.total);
  subtractFrom(used, agent.free);
  subtractFrom(used, offered);
  return {
    id: agent.id,
    hostname: agent.info.hostname,
    port: agent.info.port ?? 5051,
    attributes: attributes(agent.info.attributes),
    ...(agent.info.domain ? { domain: agent.info.domain } : {}),
    pid: `slave(1)@${agent.ip}:${agent.info.port ?? 5051}`,
    registered_time: agent.registeredTime / 1000,
    ...(agent.reregisteredTime !== undefined
      ? { reregistered_time: agent.reregisteredTime / 1000 }
      : {}),
    resources: legacyResources(agent.total),
    used_resources: legacyResources(used),
    offered_resources: legacyResources(offered),
    reserved_resources: {},
    unreserved_resources: legacyResources(agent.total),
    active: agent.status === 'active',
    version: master.info.version,
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
  };
}

function framework(master: Master, f: FrameworkRecord): Json {
  const used = emptyPool();
  for (const t of f.tasks.values()) addTo(used, t.resources);
  const offered = emptyPool();
  const offers = master.listOffers(f).map((offer) => {
    addTo(offered, offer.resources);
    return {
      id: offer.id,
      framework_id: f.id,
      allocation_info: { role: offer.role },
      slave_id: offer.agentId,
      resources: legacyResources(offer.resources),
    };
  });
  const total = clonePool(used);
  addTo(total, offered);
  const user = f.info.user;
  return {
    id: f.id,
    name: f.info.name,
    ...(f.info.hostname ? { hostname: f.info.hostname } : {}),
    used_resources: legacyResources(used),
    offered_resources: legacyResources(offered),
    capabilities: [...f.capabilities],
    ...(f.info.webui_url ? { webui_url: f.info.webui_url } : {}),
    active: f.active,
    connected: f.subscriber !== undefined,
    recovered: f.recovered,
    user,
    failover_timeout: f.info.failover_timeout ?? 0,
    checkpoint: f.info.checkpoint ?? false,
    ...(f.capabilities.has('MULTI_ROLE') ? { roles: f.roles } : { role: f.roles[0] }),
    registered_time: f.registeredTime / 1000,
    unregistered_time: 0,
    ...(f.info.principal ? { principal: f.info.principal } : {}),
    resources: legacyResources(total),
    tasks: [...f.tasks.values()].map((t) => task(t, user)),
    unreachable_tasks: [...f.unreachableTasks.values()].map((t) => task(t, user)),
    completed_tasks: f.completedTasks.map((t) => task(t, user)),
    offers,
    executors: [],
  };
}

export function legacyState(master: Master): Json {
  const agents = [...master.listAgents()];
  return {
    version: master.info.version,
    build_user: 'meseta-sim',
    start_time: master.startTime / 1000,
    elected_time: master.startTime / 1000,
    id: master.id,
    pid: master.info.pid,
    hostname: master.info.hostname,
    activated_slaves: agents.filter((a) => a.status === 'active').length,
    deactivated_slaves: 0,
    unreachable_slaves: agents.filter((a) => a.status === 'unreachable').length,
    leader: master.info.pid,
    leader_info: master.info,
    flags: Object.fromEntries(master.flags().map((f) => [f.name, f.value])),
    slaves: agents.filter((a) => a.status === 'active').map((a) => slave(master, a)),
    recovered_slaves: [],
    frameworks: [...master.listFrameworks()].map((f) => framework(master, f)),
    completed_frameworks: [...master.listCompletedFrameworks()].map((f) => ({
      id: f.id,
      name: f.info.name,
      user: f.info.user,
      active: false,
      connected: false,
      unregistered_time: f.unregisteredTime / 1000,
      tasks: [],
      unreachable_tasks: [],
      completed_tasks: f.tasks.map((t) => task(t, f.info.user)),
      offers: [],
      executors: [],
    })),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
