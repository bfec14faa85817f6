/**
 * TypeScript shapes of the Mesos messages meseta uses, exactly as they look on the wire in
 * Mesos JSON: snake_case field names, enums as their names, int64/uint64 as decimal strings
 * (they exceed 2^53), bytes as standard padded base64, doubles as numbers (Infinity allowed).
 * The protobuf and JSON codecs both produce and accept these objects, so a message decoded from
 * either encoding is the same object. Optional means "may be unset", as in proto2.
 */

/** Decimal digits of a 64-bit integer, e.g. TimeInfo nanoseconds. */
export type Int64 = string;
/** Standard base64 with padding. */
export type Base64 = string;

export interface Id {
  value: string;
}
export type FrameworkID = Id;
export type OfferID = Id;
export type AgentID = Id;
export type TaskID = Id;
export type ExecutorID = Id;
export type OperationID = Id;
export type ResourceProviderID = Id;
export interface ContainerID {
  value: string;
  parent?: ContainerID;
}

export interface TimeInfo {
  nanoseconds: Int64;
}
export interface DurationInfo {
  nanoseconds: Int64;
}

export interface Parameter {
  key: string;
  value: string;
}
export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}
export interface URL {
  scheme: string;
  address: Address;
  path?: string;
  query?: Parameter[];
  fragment?: string;
}
export interface Unavailability {
  start: TimeInfo;
  duration?: DurationInfo;
}

export interface Label {
  key: string;
  value?: string;
}
export interface Labels {
  labels?: Label[];
}

export type FrameworkCapabilityType =
  | 'UNKNOWN'
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  /** Deprecated: single role of a non-MULTI_ROLE framework. */
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type?: FrameworkCapabilityType }[];
  labels?: Labels;
  offer_filters?: Record<string, OfferFilters>;
}

export interface OfferFilters {
  min_allocatable_resources?: {
    quantities?: { quantities?: Record<string, Scalar> }[];
  };
}

export interface DomainInfo {
  fault_domain?: { region: { name: string }; zone: { name: string } };
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
  domain?: DomainInfo;
  capabilities?: { type?: 'UNKNOWN' | 'AGENT_UPDATE' | 'AGENT_DRAINING' | 'QUOTA_V2' }[];
}

export interface AgentInfo {
  hostname: string;
  port?: number;
  resources?: Resource[];
  attributes?: Attribute[];
  id?: AgentID;
  domain?: DomainInfo;
}

export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
export interface Scalar {
  value: number;
}
export interface Range {
  begin: Int64;
  end: Int64;
}
export interface Ranges {
  range?: Range[];
}
export interface ValueSet {
  item?: string[];
}
export interface Text {
  value: string;
}

export interface Attribute {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  text?: Text;
}

export interface ReservationInfo {
  type?: 'UNKNOWN' | 'STATIC' | 'DYNAMIC';
  role?: string;
  principal?: string;
  labels?: Labels;
}

export interface Resource {
  provider_id?: ResourceProviderID;
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  /** Deprecated pre-refinement format: `*` when unreserved. */
  role?: string;
  allocation_info?: { role?: string };
  reservation?: ReservationInfo;
  reservations?: ReservationInfo[];
  disk?: {
    persistence?: { id: string; principal?: string };
    volume?: Volume;
    source?: {
      type: 'UNKNOWN' | 'PATH' | 'MOUNT' | 'BLOCK' | 'RAW';
      path?: { root?: string };
      mount?: { root?: string };
      vendor?: string;
      id?: string;
      metadata?: Labels;
      profile?: string;
    };
  };
  revocable?: Record<string, never>;
  shared?: Record<string, never>;
}

export interface Filters {
  refuse_seconds?: number;
}

export interface Request {
  agent_id?: AgentID;
  resources?: Resource[];
}

export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id: AgentID;
  hostname: string;
  url?: URL;
  domain?: DomainInfo;
  resources?: Resource[];
  attributes?: Attribute[];
  executor_ids?: ExecutorID[];
  unavailability?: Unavailability;
  allocation_info?: { role?: string };
}

export type OperationType =
  | 'UNKNOWN'
  | 'LAUNCH'
  | 'LAUNCH_GROUP'
  | 'RESERVE'
  | 'UNRESERVE'
  | 'CREATE'
  | 'DESTROY'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'CREATE_DISK'
  | 'DESTROY_DISK';

export interface OfferOperation {
  type?: OperationType;
  id?: OperationID;
  launch?: { task_infos?: TaskInfo[] };
  launch_group?: { executor: ExecutorInfo; task_group: TaskGroupInfo };
  reserve?: { source?: Resource[]; resources?: Resource[] };
  unreserve?: { resources?: Resource[] };
  create?: { volumes?: Resource[] };
  destroy?: { volumes?: Resource[] };
  grow_volume?: { volume: Resource; addition: Resource };
  shrink_volume?: { volume: Resource; subtract: Scalar };
  create_disk?: { source: Resource; target_type: string; target_profile?: string };
  destroy_disk?: { source: Resource };
}

export interface InverseOffer {
  id: OfferID;
  url?: URL;
  framework_id: FrameworkID;
  agent_id?: AgentID;
  unavailability: Unavailability;
  resources?: Resource[];
}

export interface EnvironmentVariable {
  name: string;
  type?: 'UNKNOWN' | 'VALUE' | 'SECRET';
  value?: string;
  secret?: Secret;
}
export interface Secret {
  type?: 'UNKNOWN' | 'REFERENCE' | 'VALUE';
  reference?: { name: string; key?: string };
  value?: { data: Base64 };
}

export interface CommandInfo {
  uris?: {
    value: string;
    executable?: boolean;
    extract?: boolean;
    cache?: boolean;
    output_file?: string;
  }[];
  environment?: { variables?: EnvironmentVariable[] };
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

export interface Image {
  type: 'APPC' | 'DOCKER';
  appc?: { name: string; id?: string; labels?: Labels };
  docker?: { name: string; config?: Secret };
  cached?: boolean;
}

export interface Volume {
  mode: 'RW' | 'RO';
  container_path: string;
  host_path?: string;
  image?: Image;
  source?: Record<string, unknown>;
}

export interface PortMapping {
  host_port: number;
  container_port: number;
  protocol?: string;
}

export interface NetworkInfo {
  ip_addresses?: { protocol?: 'IPv4' | 'IPv6'; ip_address?: string }[];
  name?: string;
  groups?: string[];
  labels?: Labels;
  port_mappings?: PortMapping[];
}

export interface ContainerInfo {
  type: 'DOCKER' | 'MESOS';
  volumes?: Volume[];
  hostname?: string;
  docker?: {
    image: string;
    network?: 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
    port_mappings?: PortMapping[];
    privileged?: boolean;
    parameters?: Parameter[];
    force_pull_image?: boolean;
  };
  mesos?: { image?: Image };
  network_infos?: NetworkInfo[];
  linux_info?: Record<string, unknown>;
  rlimit_info?: Record<string, unknown>;
  tty_info?: Record<string, unknown>;
}

export type CheckType = 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';

export interface HealthCheck {
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
  type?: CheckType;
  command?: CommandInfo;
  http?: {
    protocol?: 'IPv4' | 'IPv6';
    scheme?: string;
    port: number;
    path?: string;
    statuses?: number[];
  };
  tcp?: { protocol?: 'IPv4' | 'IPv6'; port: number };
}

export interface CheckInfo {
  type?: CheckType;
  command?: { command: CommandInfo };
  http?: { port: number; path?: string };
  tcp?: { port: number };
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
}

export interface CheckStatusInfo {
  type?: CheckType;
  command?: { exit_code?: number };
  http?: { status_code?: number };
  tcp?: { succeeded?: boolean };
}

export interface KillPolicy {
  grace_period?: DurationInfo;
}

export interface Port {
  number: number;
  name?: string;
  protocol?: string;
  visibility?: DiscoveryVisibility;
  labels?: Labels;
}
export type DiscoveryVisibility = 'FRAMEWORK' | 'CLUSTER' | 'EXTERNAL';
export interface DiscoveryInfo {
  visibility: DiscoveryVisibility;
  name?: string;
  environment?: string;
  location?: string;
  version?: string;
  ports?: { ports?: Port[] };
  labels?: Labels;
}

export interface ExecutorInfo {
  type?: 'UNKNOWN' | 'DEFAULT' | 'CUSTOM';
  executor_id: ExecutorID;
  framework_id?: FrameworkID;
  command?: CommandInfo;
  container?: ContainerInfo;
  resources?: Resource[];
  name?: string;
  data?: Base64;
  discovery?: DiscoveryInfo;
  shutdown_grace_period?: DurationInfo;
  labels?: Labels;
}

export interface TaskInfo {
  name: string;
  task_id: TaskID;
  agent_id: AgentID;
  resources?: Resource[];
  executor?: ExecutorInfo;
  command?: CommandInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  check?: CheckInfo;
  kill_policy?: KillPolicy;
  data?: Base64;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  max_completion_time?: DurationInfo;
  limits?: Record<string, Scalar>;
}

export interface TaskGroupInfo {
  tasks?: TaskInfo[];
}

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export type TaskStatusReason =
  | 'REASON_COMMAND_EXECUTOR_FAILED'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_CONTAINER_LIMITATION'
  | 'REASON_CONTAINER_LIMITATION_DISK'
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_CONTAINER_PREEMPTED'
  | 'REASON_CONTAINER_UPDATE_FAILED'
  | 'REASON_MAX_COMPLETION_TIME_REACHED'
  | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_TERMINATED'
  | 'REASON_EXECUTOR_UNREGISTERED'
  | 'REASON_FRAMEWORK_REMOVED'
  | 'REASON_GC_ERROR'
  | 'REASON_INVALID_FRAMEWORKID'
  | 'REASON_INVALID_OFFERS'
  | 'REASON_IO_SWITCHBOARD_EXITED'
  | 'REASON_MASTER_DISCONNECTED'
  | 'REASON_RECONCILIATION'
  | 'REASON_RESOURCES_UNKNOWN'
  | 'REASON_AGENT_DISCONNECTED'
  | 'REASON_AGENT_DRAINING'
  | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_REMOVED_BY_OPERATOR'
  | 'REASON_AGENT_REREGISTERED'
  | 'REASON_AGENT_RESTARTED'
  | 'REASON_AGENT_UNKNOWN'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_TASK_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_GROUP_INVALID'
  | 'REASON_TASK_GROUP_UNAUTHORIZED'
  | 'REASON_TASK_INVALID'
  | 'REASON_TASK_UNAUTHORIZED'
  | 'REASON_TASK_UNKNOWN';

export interface ContainerStatus {
  container_id?: ContainerID;
  network_infos?: NetworkInfo[];
  cgroup_info?: { net_cls?: { classid?: number } };
  executor_pid?: number;
}

export interface TaskStatus {
  task_id: TaskID;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  reason?: TaskStatusReason;
  data?: Base64;
  agent_id?: AgentID;
  executor_id?: ExecutorID;
  /** Seconds since the epoch. */
  timestamp?: number;
  uuid?: Base64;
  healthy?: boolean;
  check_status?: CheckStatusInfo;
  labels?: Labels;
  container_status?: ContainerStatus;
  unreachable_time?: TimeInfo;
  limitation?: { resources?: Resource[] };
}

export type OperationState =
  | 'OPERATION_UNSUPPORTED'
  | 'OPERATION_PENDING'
  | 'OPERATION_FINISHED'
  | 'OPERATION_FAILED'
  | 'OPERATION_ERROR'
  | 'OPERATION_DROPPED'
  | 'OPERATION_UNREACHABLE'
  | 'OPERATION_GONE_BY_OPERATOR'
  | 'OPERATION_RECOVERING'
  | 'OPERATION_UNKNOWN';

export interface OperationStatus {
  operation_id?: OperationID;
  state: OperationState;
  message?: string;
  converted_resources?: Resource[];
  uuid?: { value: Base64 };
  agent_id?: AgentID;
  resource_provider_id?: ResourceProviderID;
}

/** A task as the operator API reports it. */
export interface Task {
  name: string;
  task_id: TaskID;
  framework_id: FrameworkID;
  executor_id?: ExecutorID;
  agent_id: AgentID;
  state: TaskState;
  resources?: Resource[];
  statuses?: TaskStatus[];
  status_update_state?: TaskState;
  status_update_uuid?: Base64;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  kill_policy?: KillPolicy;
  user?: string;
  limits?: Record<string, Scalar>;
}

export interface VersionInfo {
  version: string;
  build_date?: string;
  build_time?: number;
  build_user?: string;
  git_sha?: string;
  git_branch?: string;
  git_tag?: string;
}
