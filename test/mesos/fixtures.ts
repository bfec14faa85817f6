/** Sample messages of every kind meseta sends or receives, for round-trip tests. */
import type { MasterCall, MasterEvent, MasterResponse } from '../../src/mesos/master-types.ts';
import type { Call, Event } from '../../src/mesos/scheduler-types.ts';
import type { Offer, Resource, Task, TaskInfo, TaskStatus } from '../../src/mesos/types.ts';

export const uuid = 'ASNFZ4mrze8BI0VniavN7w==';
const fid = { value: 'M-0000' };
const aid = { value: 'M-S3' };

export const resources: Resource[] = [
  {
    name: 'cpus',
    type: 'SCALAR',
    scalar: { value: 4 },
    role: '*',
    allocation_info: { role: 'apps' },
  },
  { name: 'mem', type: 'SCALAR', scalar: { value: 8192 } },
  {
    name: 'ports',
    type: 'RANGES',
    ranges: { range: [{ begin: '31000', end: '32000' }] },
    reservations: [
      { type: 'DYNAMIC', role: 'apps', principal: 'ops', labels: { labels: [{ key: 'k' }] } },
    ],
  },
  {
    name: 'disks',
    type: 'SET',
    set: { item: ['ssd', 'hdd'] },
    disk: { persistence: { id: 'v1' } },
  },
];

export const offer: Offer = {
  id: { value: 'M-O12' },
  framework_id: fid,
  agent_id: aid,
  hostname: 'agent1',
  url: {
    scheme: 'http',
    address: { hostname: 'agent1', ip: '10.0.0.5', port: 5051 },
    path: '/slave(1)',
  },
  domain: { fault_domain: { region: { name: 'eu' }, zone: { name: 'eu-1' } } },
  resources,
  attributes: [
    { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
    { name: 'weight', type: 'SCALAR', scalar: { value: 2.5 } },
    { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: '1', end: '9007199254740993' }] } },
    { name: 'tags', type: 'SET', set: { item: ['a', 'b'] } },
  ],
  executor_ids: [{ value: 'e1' }],
  unavailability: {
    start: { nanoseconds: '1700000000123456789' },
    duration: { nanoseconds: '3600000000000' },
  },
  allocation_info: { role: 'apps' },
};

export const taskInfo: TaskInfo = {
  name: 'web',
  task_id: { value: 'web.a1b2' },
  agent_id: aid,
  resources: resources.slice(0, 2),
  command: {
    value: 'sleep 100',
    shell: true,
    uris: [{ value: 'http://x/y.tgz', extract: true }],
    environment: { variables: [{ name: 'PORT0', value: '31000' }] },
  },
  container: {
    type: 'DOCKER',
    docker: {
      image: 'nginx:1',
      network: 'BRIDGE',
      port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }],
      parameters: [{ key: 'label', value: 'x=y' }],
    },
    network_infos: [{ name: 'overlay', ip_addresses: [{ ip_address: '10.1.0.2' }] }],
    volumes: [{ mode: 'RW', container_path: '/data', host_path: '/srv' }],
  },
  health_check: {
    type: 'HTTP',
    http: { port: 31000, path: '/health', scheme: 'http' },
    grace_period_seconds: 30,
  },
  check: { type: 'TCP', tcp: { port: 31000 } },
  kill_policy: { grace_period: { nanoseconds: '5000000000' } },
  data: 'aGVsbG8=',
  labels: { labels: [{ key: 'app', value: 'web' }] },
  discovery: {
    visibility: 'FRAMEWORK',
    name: 'web',
    ports: { ports: [{ number: 31000, name: 'http', protocol: 'tcp', visibility: 'CLUSTER' }] },
  },
  max_completion_time: { nanoseconds: '60000000000' },
  limits: { cpus: { value: Infinity }, mem: { value: 1024 } },
};

export const status: TaskStatus = {
  task_id: { value: 'web.a1b2' },
  state: 'TASK_RUNNING',
  source: 'SOURCE_EXECUTOR',
  reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
  agent_id: aid,
  executor_id: { value: 'web.a1b2' },
  timestamp: 1700000000.123,
  uuid,
  healthy: true,
  data: 'AQID',
  check_status: { type: 'TCP', tcp: { succeeded: true } },
  container_status: {
    container_id: { value: 'c1', parent: { value: 'c0' } },
    network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '10.0.0.5' }] }],
    executor_pid: 4242,
  },
  unreachable_time: { nanoseconds: '1700000000999999999' },
};

export const calls: Call[] = [
  {
    type: 'SUBSCRIBE',
    subscribe: {
      framework_info: {
        user: 'root',
        name: 'meseta',
        id: fid,
        failover_timeout: 604800,
        checkpoint: true,
        roles: ['apps'],
        capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
        labels: { labels: [{ key: 'a', value: 'b' }] },
        offer_filters: {
          apps: {
            min_allocatable_resources: { quantities: [{ quantities: { cpus: { value: 0.1 } } }] },
          },
        },
      },
      suppressed_roles: ['apps'],
    },
    framework_id: fid,
  },
  { type: 'TEARDOWN', framework_id: fid },
  {
    type: 'ACCEPT',
    framework_id: fid,
    accept: {
      offer_ids: [{ value: 'M-O12' }],
      operations: [
        { type: 'LAUNCH', launch: { task_infos: [taskInfo] } },
        {
          type: 'LAUNCH_GROUP',
          launch_group: {
            executor: {
              type: 'DEFAULT',
              executor_id: { value: 'e' },
              resources: resources.slice(0, 1),
            },
            task_group: { tasks: [taskInfo] },
          },
        },
        { type: 'RESERVE', id: { value: 'op1' }, reserve: { resources } },
        { type: 'UNRESERVE', unreserve: { resources } },
        { type: 'CREATE', create: { volumes: resources.slice(3) } },
        { type: 'DESTROY', destroy: { volumes: resources.slice(3) } },
      ],
      filters: { refuse_seconds: 10 },
    },
  },
  {
    type: 'DECLINE',
    framework_id: fid,
    decline: { offer_ids: [{ value: 'M-O1' }], filters: { refuse_seconds: 0.5 } },
  },
  {
    type: 'ACCEPT_INVERSE_OFFERS',
    framework_id: fid,
    accept_inverse_offers: { inverse_offer_ids: [{ value: 'i' }] },
  },
  {
    type: 'DECLINE_INVERSE_OFFERS',
    framework_id: fid,
    decline_inverse_offers: { inverse_offer_ids: [{ value: 'i' }] },
  },
  { type: 'REVIVE', framework_id: fid, revive: { roles: ['apps'] } },
  {
    type: 'KILL',
    framework_id: fid,
    kill: {
      task_id: { value: 't' },
      agent_id: aid,
      kill_policy: { grace_period: { nanoseconds: '1' } },
    },
  },
  { type: 'SHUTDOWN', framework_id: fid, shutdown: { executor_id: { value: 'e' }, agent_id: aid } },
  {
    type: 'ACKNOWLEDGE',
    framework_id: fid,
    acknowledge: { agent_id: aid, task_id: { value: 't' }, uuid },
  },
  {
    type: 'ACKNOWLEDGE_OPERATION_STATUS',
    framework_id: fid,
    acknowledge_operation_status: { agent_id: aid, uuid, operation_id: { value: 'op1' } },
  },
  {
    type: 'RECONCILE',
    framework_id: fid,
    reconcile: { tasks: [{ task_id: { value: 't' }, agent_id: aid }] },
  },
  {
    type: 'RECONCILE_OPERATIONS',
    framework_id: fid,
    reconcile_operations: { operations: [{ operation_id: { value: 'op1' } }] },
  },
  {
    type: 'MESSAGE',
    framework_id: fid,
    message: { agent_id: aid, executor_id: { value: 'e' }, data: 'aGk=' },
  },
  { type: 'REQUEST', framework_id: fid, request: { requests: [{ agent_id: aid, resources }] } },
  { type: 'SUPPRESS', framework_id: fid, suppress: { roles: ['apps'] } },
  {
    type: 'UPDATE_FRAMEWORK',
    framework_id: fid,
    update_framework: {
      framework_info: { user: 'root', name: 'meseta', id: fid, roles: ['apps', 'batch'] },
    },
  },
];

export const events: Event[] = [
  {
    type: 'SUBSCRIBED',
    subscribed: {
      framework_id: fid,
      heartbeat_interval_seconds: 15,
      master_info: {
        id: 'M',
        ip: 16777343,
        port: 5050,
        pid: 'master@127.0.0.1:5050',
        hostname: 'localhost',
        version: '1.11.0',
        address: { hostname: 'localhost', ip: '127.0.0.1', port: 5050 },
        domain: offer.domain!,
        capabilities: [{ type: 'AGENT_UPDATE' }],
      },
    },
  },
  { type: 'OFFERS', offers: { offers: [offer] } },
  {
    type: 'INVERSE_OFFERS',
    inverse_offers: {
      inverse_offers: [
        {
          id: { value: 'i' },
          framework_id: fid,
          agent_id: aid,
          unavailability: offer.unavailability!,
        },
      ],
    },
  },
  { type: 'RESCIND', rescind: { offer_id: { value: 'M-O12' } } },
  { type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: 'i' } } },
  { type: 'UPDATE', update: { status } },
  {
    type: 'UPDATE_OPERATION_STATUS',
    update_operation_status: {
      status: {
        operation_id: { value: 'op1' },
        state: 'OPERATION_FINISHED',
        uuid: { value: uuid },
        agent_id: aid,
        converted_resources: resources,
      },
    },
  },
  { type: 'MESSAGE', message: { agent_id: aid, executor_id: { value: 'e' }, data: 'aGk=' } },
  { type: 'FAILURE', failure: { agent_id: aid, executor_id: { value: 'e' }, status: -9 } },
  { type: 'ERROR', error: { message: 'Framework failed over' } },
  { type: 'HEARTBEAT' },
];

export const task: Task = {
  name: 'web',
  task_id: taskInfo.task_id,
  framework_id: fid,
  executor_id: { value: 'web.a1b2' },
  agent_id: aid,
  state: 'TASK_RUNNING',
  resources,
  statuses: [status],
  status_update_state: 'TASK_RUNNING',
  status_update_uuid: uuid,
  labels: taskInfo.labels!,
  discovery: taskInfo.discovery!,
  container: taskInfo.container!,
  health_check: taskInfo.health_check!,
  kill_policy: taskInfo.kill_policy!,
  user: 'root',
};

const agentEntry = {
  agent_info: {
    hostname: 'agent1',
    port: 5051,
    resources,
    attributes: offer.attributes!,
    id: aid,
    domain: offer.domain!,
  },
  active: true,
  version: '1.11.0',
  pid: 'slave(1)@10.0.0.5:5051',
  registered_time: { nanoseconds: '1700000000000000001' },
  total_resources: resources,
  allocated_resources: resources.slice(0, 1),
  offered_resources: resources.slice(1, 2),
  capabilities: [{ type: 'MULTI_ROLE' }],
};

const frameworkEntry = {
  framework_info: { user: 'root', name: 'meseta', id: fid, roles: ['apps'] },
  active: true,
  connected: true,
  recovered: false,
  registered_time: { nanoseconds: '1700000000000000002' },
  offers: [offer],
};

export const masterCalls: MasterCall[] = [
  { type: 'GET_HEALTH' },
  { type: 'GET_VERSION' },
  { type: 'GET_STATE' },
  { type: 'GET_AGENTS' },
  { type: 'GET_FRAMEWORKS' },
  { type: 'GET_TASKS' },
  { type: 'SUBSCRIBE' },
  { type: 'TEARDOWN', teardown: { framework_id: fid } },
  { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: aid } },
];

const getTasks = { tasks: [task], completed_tasks: [{ ...task, state: 'TASK_FINISHED' as const }] };

export const masterResponses: MasterResponse[] = [
  { type: 'GET_HEALTH', get_health: { healthy: true } },
  { type: 'GET_VERSION', get_version: { version_info: { version: '1.11.0', build_time: 1.7e9 } } },
  { type: 'GET_AGENTS', get_agents: { agents: [agentEntry] } },
  { type: 'GET_FRAMEWORKS', get_frameworks: { frameworks: [frameworkEntry] } },
  { type: 'GET_TASKS', get_tasks: getTasks },
  {
    type: 'GET_STATE',
    get_state: {
      get_tasks: getTasks,
      get_executors: {},
      get_frameworks: { frameworks: [frameworkEntry] },
      get_agents: { agents: [agentEntry] },
    },
  },
];

export const masterEvents: MasterEvent[] = [
  {
    type: 'SUBSCRIBED',
    subscribed: { get_state: { get_tasks: getTasks }, heartbeat_interval_seconds: 15 },
  },
  { type: 'TASK_ADDED', task_added: { task } },
  { type: 'TASK_UPDATED', task_updated: { framework_id: fid, status, state: 'TASK_RUNNING' } },
  { type: 'AGENT_ADDED', agent_added: { agent: agentEntry } },
  { type: 'AGENT_REMOVED', agent_removed: { agent_id: aid } },
  { type: 'FRAMEWORK_ADDED', framework_added: { framework: frameworkEntry } },
  { type: 'FRAMEWORK_UPDATED', framework_updated: { framework: frameworkEntry } },
  {
    type: 'FRAMEWORK_REMOVED',
    framework_removed: { framework_info: frameworkEntry.framework_info },
  },
  { type: 'HEARTBEAT' },
];
