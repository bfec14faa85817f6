// Generated from crds/apps.meseta.io.yaml by src/api/typegen.ts. Do not edit: change the
// CRD and run `node --import tsx src/api/typegen.ts`.
import type { ObjectMeta } from './metadata.ts';

/**
 * A long-running service that meseta keeps running on Mesos.
 */
export interface App {
  /**
   * The API group and version of this object; always meseta.io/v1.
   */
  apiVersion: 'meseta.io/v1';
  /**
   * The kind of this object; always App.
   */
  kind: 'App';
  /**
   * Standard object metadata (name, namespace, labels, annotations). The name is a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters); the namespace a DNS label (at most 63); the namespace defaults to "default".
   */
  metadata: ObjectMeta;
  /**
   * What should run, and how.
   */
  spec: AppSpec;
  /**
   * What the controllers last observed; written by meseta, never by users.
   */
  status?: AppStatus;
}

/**
 * What should run, and how.
 */
export interface AppSpec {
  /**
   * How many instances of the app should run. Range: >= 0. Default: `1`.
   */
  instances: number;
  /**
   * CPU shares each instance needs; may be a fraction. Range: >= 0.001. Default: `1`.
   */
  cpus: number;
  /**
   * Memory in MiB each instance needs. Range: >= 0. Default: `128`.
   */
  mem: number;
  /**
   * Scratch disk space in MiB each instance needs. Range: >= 0. Default: `0`.
   */
  disk: number;
  /**
   * GPUs each instance needs. Range: >= 0. Default: `0`.
   */
  gpus: number;
  /**
   * The command to run, through `/bin/sh -c`. Not together with args. Port numbers are in $PORT0, $PORT1, … and $PORT_<NAME>.
   */
  cmd?: string;
  /**
   * The command to run as an argument vector, without a shell (with a container, the arguments to its entrypoint). Not together with cmd.
   */
  args?: string[];
  /**
   * The user the instances run as on the agent.
   */
  user?: string;
  /**
   * Runs the instances in a container image.
   */
  container?: Container;
  /**
   * The networks the instances join. Absent means host networking. At most one entry may be host or container/bridge.
   */
  networks?: Network[];
  /**
   * Ports each instance needs on the agent (host networking). Their numbers reach the command as $PORT0, $PORT1, … and $PORT_<NAME>.
   */
  portDefinitions?: PortDefinition[];
  /**
   * Use the non-zero portDefinitions numbers literally as host ports. Default: `false`.
   */
  requirePorts: boolean;
  /**
   * Environment variables of every instance.
   */
  env?: Record<string, string>;
  /**
   * Marathon-style free-form labels of the app (e.g. for load balancers).
   */
  labels?: Record<string, string>;
  /**
   * Placement constraints; an agent must satisfy all of them to receive an instance.
   */
  constraints?: Constraint[];
  /**
   * Checks that Mesos runs on the agent; an instance failing them is replaced.
   */
  healthChecks?: HealthCheck[];
  /**
   * An HTTP check that must pass before a new instance counts during a rollout (at most one, as in Marathon).
   */
  readinessChecks?: ReadinessCheck[];
  /**
   * How a new version replaces the old one. Default: `{}`.
   */
  upgradeStrategy: UpgradeStrategy;
  /**
   * The launch delay after the first failure. Range: >= 0. Default: `1`.
   */
  backoffSeconds: number;
  /**
   * The factor by which the launch delay grows with each further failure. Range: >= 1. Default: `1.15`.
   */
  backoffFactor: number;
  /**
   * The longest launch delay; also how long after the last failure the delay is forgotten. Range: >= 0. Default: `300`.
   */
  maxLaunchDelaySeconds: number;
  /**
   * Which instances go first when scaling down. Default: `"YOUNGEST_FIRST"`.
   */
  killSelection: KillSelection;
  /**
   * What happens to instances on an agent that cannot be reached. Default: `{}`.
   */
  unreachableStrategy: UnreachableStrategy;
  /**
   * Seconds between SIGTERM and SIGKILL when an instance is stopped. Range: >= 0.
   */
  taskKillGracePeriodSeconds?: number;
  /**
   * Apps ("name" in the same namespace, or "namespace/name") that must be running and healthy before this one starts or rolls out.
   */
  dependencies?: string[];
}

/**
 * Runs the instances in a container image.
 */
export interface Container {
  /**
   * The containerizer: DOCKER (the Docker engine) or MESOS (the Mesos containerizer, which can also run Docker images). Default: `"DOCKER"`.
   */
  type: ContainerType;
  /**
   * The Docker image to run and how.
   */
  docker?: DockerContainer;
  /**
   * Container ports and the host ports they are reachable on; needs container networking (networks mode container or container/bridge).
   */
  portMappings?: PortMapping[];
  /**
   * Host paths mounted into the container.
   */
  volumes?: Volume[];
}

export type ContainerType = 'DOCKER' | 'MESOS';

/**
 * The Docker image to run and how.
 */
export interface DockerContainer {
  /**
   * The image reference, e.g. nginx:1.27 or registry/team/app@sha256:….
   */
  image: string;
  /**
   * Pull the image even when the agent already has it. Default: `false`.
   */
  forcePullImage: boolean;
  /**
   * Run the container in privileged mode (DOCKER only). Default: `false`.
   */
  privileged: boolean;
  /**
   * Extra `docker run` options, e.g. {key: log-driver, value: journald}.
   */
  parameters?: DockerParameter[];
}

export interface DockerParameter {
  /**
   * The option name without leading dashes.
   */
  key: string;
  /**
   * The option value.
   */
  value: string;
}

export interface PortMapping {
  /**
   * The name of the service on this port; unique among port mappings.
   */
  name: string;
  /**
   * The port inside the container; 0 means the same as the host port. Range: >= 0, <= 65535. Default: `0`.
   */
  containerPort: number;
  /**
   * The port on the agent; 0 means "pick one", absent means none (only reachable on the container network). Range: >= 0, <= 65535.
   */
  hostPort?: number;
  /**
   * A well-known port for load balancers; meseta stores it and does not interpret it. Range: >= 0, <= 65535. Default: `0`.
   */
  servicePort: number;
  /**
   * The transport protocol. Default: `"tcp"`.
   */
  protocol: PortProtocol;
  /**
   * Free-form metadata for this port (e.g. for a load balancer).
   */
  labels?: Record<string, string>;
}

export type PortProtocol = 'tcp' | 'udp' | 'udp,tcp';

export interface Volume {
  /**
   * Where the volume appears inside the container.
   */
  containerPath: string;
  /**
   * The absolute path on the agent.
   */
  hostPath: string;
  /**
   * Read-only or read-write.
   */
  mode: 'RO' | 'RW';
}

export interface Network {
  /**
   * host (the agent's network), container (a named container network) or container/bridge. Default: `"container"`.
   */
  mode: NetworkMode;
  /**
   * The container network to join (mode container only).
   */
  name?: string;
}

export type NetworkMode = 'host' | 'container' | 'container/bridge';

export interface PortDefinition {
  /**
   * The name of the service on this port; unique among port definitions.
   */
  name: string;
  /**
   * 0 means "pick any free port"; another number is used as is when requirePorts is true (and is only a service port otherwise). Range: >= 0, <= 65535. Default: `0`.
   */
  port: number;
  /**
   * The transport protocol. Default: `"tcp"`.
   */
  protocol: PortProtocol;
  /**
   * Free-form metadata for this port (e.g. for a load balancer).
   */
  labels?: Record<string, string>;
}

export interface Constraint {
  /**
   * hostname (or @hostname), @region, @zone, or an agent attribute name.
   */
  field: string;
  /**
   * How the agent's value of the field is judged.
   */
  operator: ConstraintOperator;
  /**
   * The operator's argument: none for UNIQUE, an optional value for CLUSTER, an optional count for GROUP_BY, a count for MAX_PER, a regular expression for LIKE and UNLIKE, a literal for IS.
   */
  value?: string;
}

export type ConstraintOperator =
  'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'MAX_PER' | 'LIKE' | 'UNLIKE' | 'IS';

export interface HealthCheck {
  /**
   * MESOS_HTTP and MESOS_HTTPS pass on a status of 200 to 399, MESOS_TCP on an open connection, COMMAND on exit code 0. Default: `"MESOS_HTTP"`.
   */
  protocol: HealthCheckProtocol;
  /**
   * The request path of MESOS_HTTP(S) checks; absent means /.
   */
  path?: string;
  /**
   * Which port to check, as an index into portDefinitions (or container.portMappings). Defaults to 0 for port-based checks without a port. Range: >= 0.
   */
  portIndex?: number;
  /**
   * A fixed port number to check instead of portIndex. Range: >= 1, <= 65535.
   */
  port?: number;
  /**
   * The command of a COMMAND check.
   */
  command?: HealthCheckCommand;
  /**
   * Failures this soon after start, before the first success, do not count. Range: >= 0. Default: `300`.
   */
  gracePeriodSeconds: number;
  /**
   * Seconds between two checks. Range: >= 1. Default: `60`.
   */
  intervalSeconds: number;
  /**
   * Seconds after which a check counts as failed. Range: >= 1. Default: `20`.
   */
  timeoutSeconds: number;
  /**
   * Failures in a row after which the instance is killed and replaced (0 never). Range: >= 0. Default: `3`.
   */
  maxConsecutiveFailures: number;
  /**
   * Seconds to wait after the start before the first check. Range: >= 0. Default: `15`.
   */
  delaySeconds: number;
}

export type HealthCheckProtocol = 'MESOS_HTTP' | 'MESOS_HTTPS' | 'MESOS_TCP' | 'COMMAND';

/**
 * The command of a COMMAND check.
 */
export interface HealthCheckCommand {
  /**
   * A shell command; exit code 0 means healthy.
   */
  value: string;
}

export interface ReadinessCheck {
  /**
   * The name of this check. Default: `"readinessCheck"`.
   */
  name: string;
  /**
   * The protocol of the requests. Default: `"HTTP"`.
   */
  protocol: 'HTTP' | 'HTTPS';
  /**
   * The request path. Default: `"/"`.
   */
  path: string;
  /**
   * The name of the port (portDefinitions or container.portMappings) to send requests to.
   */
  portName: string;
  /**
   * Seconds between two checks. Range: >= 1. Default: `30`.
   */
  intervalSeconds: number;
  /**
   * Seconds after which a request counts as failed; less than intervalSeconds. Range: >= 1. Default: `10`.
   */
  timeoutSeconds: number;
  /**
   * The HTTP status codes that mean "ready". Default: `[200]`.
   */
  httpStatusCodesForReady: number[];
  /**
   * Keep the last response in the instance's status. Default: `false`.
   */
  preserveLastResponse: boolean;
}

/**
 * How a new version replaces the old one. Default: `{}`.
 */
export interface UpgradeStrategy {
  /**
   * The share of instances that must stay healthy during a rollout. Range: >= 0, <= 1. Default: `1`.
   */
  minimumHealthCapacity: number;
  /**
   * The share of instances that may run in addition during a rollout. Range: >= 0, <= 1. Default: `1`.
   */
  maximumOverCapacity: number;
}

export type KillSelection = 'YOUNGEST_FIRST' | 'OLDEST_FIRST';

/**
 * What happens to instances on an agent that cannot be reached. Default: `{}`.
 */
export interface UnreachableStrategy {
  /**
   * Never replace unreachable instances (Marathon's "disabled"). Default: `false`.
   */
  disabled: boolean;
  /**
   * Seconds after which an unreachable instance is replaced (it is kept). Range: >= 0. Default: `0`.
   */
  inactiveAfterSeconds: number;
  /**
   * Seconds after which an unreachable instance is forgotten (and killed if it comes back); at least inactiveAfterSeconds. Range: >= 0. Default: `0`.
   */
  expungeAfterSeconds: number;
}

/**
 * What the controllers last observed; written by meseta, never by users.
 */
export interface AppStatus {
  /**
   * The metadata.generation this status describes. Range: >= 0.
   */
  observedGeneration?: number;
  /**
   * The latest observations of the app's state (Available, Progressing, Degraded, …).
   */
  conditions?: Condition[];
  /**
   * Instances that exist, of any revision. Range: >= 0.
   */
  instances?: number;
  /**
   * Instances whose task is launched but not yet running (staging or starting). Range: >= 0.
   */
  staged?: number;
  /**
   * Instances whose task is running. Range: >= 0.
   */
  running?: number;
  /**
   * Running instances that pass their health checks (all, without checks). Range: >= 0.
   */
  healthy?: number;
  /**
   * Healthy instances that pass their readiness check. Range: >= 0.
   */
  ready?: number;
  /**
   * Instances of the target revision. Range: >= 0.
   */
  updated?: number;
  /**
   * The AppRevision all instances ran when the last rollout completed. Range: >= 0.
   */
  currentRevision?: number;
  /**
   * The AppRevision being rolled out (equal to currentRevision when done). Range: >= 0.
   */
  targetRevision?: number;
}

export interface Condition {
  /**
   * The kind of condition, in CamelCase (e.g. Available).
   */
  type: string;
  /**
   * Whether the condition holds.
   */
  status: ConditionStatus;
  /**
   * A CamelCase word saying why the condition last changed.
   */
  reason?: string;
  /**
   * A human-readable explanation.
   */
  message?: string;
  /**
   * When status last changed.
   */
  lastTransitionTime: string;
  /**
   * The metadata.generation the condition was set for. Range: >= 0.
   */
  observedGeneration?: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';
