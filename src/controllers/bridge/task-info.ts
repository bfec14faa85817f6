/**
 * The Mesos TaskInfo of one launch of an instance, built from its AppRevision's template, the
 * agent it runs on and the resources and host ports fitted from that agent's offers. Pure: the
 * same inputs give the same TaskInfo.
 *
 * What goes in (Marathon's conventions, written down in docs/bridge.md):
 * - command: `cmd` through the shell; `args` as an argument vector (the container's entrypoint
 *   gets them when there is a container); the user, and the environment below;
 * - container: DOCKER (network HOST, BRIDGE or USER, port mappings, privileged, parameters) or
 *   MESOS (a Docker image run by the Mesos containerizer), volumes, and the container network;
 * - environment: the App's `env`, then PORT0…PORTn, PORT (= PORT0), PORTS, PORT_<NAME>,
 *   PORT_<number> for fixed port numbers, HOST, MESOS_TASK_ID, and MESETA_NAMESPACE / APP /
 *   INSTANCE / APP_REVISION / APP_LABELS / APP_LABEL_<NAME> (Marathon's MARATHON_APP_*); the
 *   App's own variables win over the generated ones of the same name;
 * - labels: the App's labels, then meseta.io/namespace, app, instance and revision (these four
 *   cannot be overridden: status updates and orphan detection rely on them);
 * - the first of `healthChecks` as the Mesos-native health check (a task has one), its port
 *   from `port` or `portIndex`;
 * - kill_policy from `taskKillGracePeriodSeconds`;
 * - discovery info (visibility FRAMEWORK) naming every port.
 */
import type { AppTemplate } from '../../api/app-revision.ts';
import type { HealthCheck as AppHealthCheck, PortProtocol } from '../../api/app-types.ts';
import type {
  CommandInfo,
  ContainerInfo,
  DiscoveryInfo,
  EnvironmentVariable,
  HealthCheck,
  Label,
  NetworkInfo,
  PortMapping,
  Resource,
  TaskInfo,
} from '../../mesos/types.ts';

export const LABEL_NAMESPACE = 'meseta.io/namespace';
export const LABEL_APP = 'meseta.io/app';
export const LABEL_INSTANCE = 'meseta.io/instance';
export const LABEL_REVISION = 'meseta.io/revision';

export interface TaskInput {
  taskId: string;
  namespace: string;
  app: string;
  instance: string;
  revision: number;
  template: AppTemplate;
  agentId: string;
  hostname: string;
  /** Fitted from the agent's offers (src/placement/resources.ts). */
  resources: Resource[];
  /** The host port of each port definition / mapping; undefined where it has none. */
  ports: (number | undefined)[];
}

/** Whether the template runs on the agent's network (no networks, or mode host). */
export function usesHostNetwork(template: AppTemplate): boolean {
  return !template.networks?.length || template.networks.some((n) => n.mode === 'host');
}

/**
 * The host port of each port definition (host networking) or port mapping (container
 * networking), from the fitted host ports in order (placement's `TaskNeeds.ports`: one per
 * definition, or one per mapping that has a host port): `undefined` for a mapping without one.
 */
export function portsByDefinition(
  template: AppTemplate,
  hostPorts: readonly number[],
): (number | undefined)[] {
  if (usesHostNetwork(template))
    return (template.portDefinitions ?? []).map((_, i) => hostPorts[i]);
  let next = 0;
  return (template.container?.portMappings ?? []).map((m) =>
    m.hostPort === undefined ? undefined : hostPorts[next++],
  );
}

/** Mesos counts consecutive failures in a uint32; "never kill" is the largest. */
const NEVER = 4294967295;

export function buildTaskInfo(input: TaskInput): TaskInfo {
  const { template } = input;
  const task: TaskInfo = {
    name: input.app,
    task_id: { value: input.taskId },
    agent_id: { value: input.agentId },
    resources: input.resources,
    command: command(input),
    labels: { labels: labels(input) },
  };
  const container = containerInfo(input);
  if (container) task.container = container;
  const check = template.healthChecks?.[0];
  if (check) task.health_check = healthCheck(check, input);
  if (template.taskKillGracePeriodSeconds !== undefined) {
    task.kill_policy = {
      grace_period: { nanoseconds: seconds(template.taskKillGracePeriodSeconds) },
    };
  }
  const discovery = discoveryInfo(input);
  if (discovery) task.discovery = discovery;
  return task;
}

/** Seconds as DurationInfo nanoseconds (an int64 string). */
export function seconds(value: number): string {
  return (BigInt(Math.round(value * 1000)) * 1_000_000n).toString();
}

function command(input: TaskInput): CommandInfo {
  const { template } = input;
  const info: CommandInfo = {};
  if (template.cmd !== undefined) {
    info.shell = true;
    info.value = template.cmd;
  } else if (template.args?.length) {
    info.shell = false;
    if (!template.container) info.value = template.args[0]!;
    info.arguments = [...template.args];
  } else {
    // A container alone runs its image's entrypoint.
    info.shell = false;
  }
  if (template.user) info.user = template.user;
  info.environment = { variables: environment(input) };
  return info;
}

/** The names and numbers of the task's ports, in definition order. */
interface NamedPort {
  name: string;
  protocol: PortProtocol;
  labels?: Record<string, string>;
  /** The number in the App (portDefinitions[].port, portMappings[].hostPort). */
  declared?: number;
  host?: number;
  container?: number;
}

function namedPorts(input: TaskInput): NamedPort[] {
  const { template } = input;
  if (usesHostNetwork(template)) {
    return (template.portDefinitions ?? []).map((d, i) => ({
      name: d.name,
      protocol: d.protocol,
      ...(d.labels ? { labels: d.labels } : {}),
      ...(d.port ? { declared: d.port } : {}),
      ...(input.ports[i] !== undefined ? { host: input.ports[i] } : {}),
    }));
  }
  return (template.container?.portMappings ?? []).map((m, i) => {
    const host = input.ports[i];
    const container = m.containerPort || host;
    return {
      name: m.name,
      protocol: m.protocol,
      ...(m.labels ? { labels: m.labels } : {}),
      ...(m.hostPort ? { declared: m.hostPort } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(container !== undefined ? { container } : {}),
    };
  });
}

function environment(input: TaskInput): EnvironmentVariable[] {
  const env = new Map<string, string>();
  const hostPorts = input.ports.filter((p): p is number => p !== undefined);
  hostPorts.forEach((port, i) => env.set(`PORT${i}`, String(port)));
  if (hostPorts.length > 0) {
    env.set('PORT', String(hostPorts[0]));
    env.set('PORTS', hostPorts.join(','));
  }
  for (const port of namedPorts(input)) {
    if (port.host === undefined) continue;
    env.set(`PORT_${envName(port.name)}`, String(port.host));
    if (port.declared) env.set(`PORT_${port.declared}`, String(port.host));
  }
  env.set('HOST', input.hostname);
  env.set('MESOS_TASK_ID', input.taskId);
  env.set('MESETA_NAMESPACE', input.namespace);
  env.set('MESETA_APP', input.app);
  env.set('MESETA_INSTANCE', input.instance);
  env.set('MESETA_APP_REVISION', String(input.revision));
  const appLabels = Object.entries(input.template.labels ?? {});
  env.set('MESETA_APP_LABELS', appLabels.map(([key]) => envName(key)).join(' '));
  for (const [key, value] of appLabels) env.set(`MESETA_APP_LABEL_${envName(key)}`, value);
  for (const [name, value] of Object.entries(input.template.env ?? {})) env.set(name, value);
  return [...env].map(([name, value]) => ({ name, type: 'VALUE', value }));
}

/** A variable-name form of `text`: upper case, anything but letters and digits as `_`. */
export function envName(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

function labels(input: TaskInput): Label[] {
  const all = new Map<string, string>(Object.entries(input.template.labels ?? {}));
  all.set(LABEL_NAMESPACE, input.namespace);
  all.set(LABEL_APP, input.app);
  all.set(LABEL_INSTANCE, input.instance);
  all.set(LABEL_REVISION, String(input.revision));
  return [...all].map(([key, value]) => ({ key, value }));
}

function protocols(protocol: PortProtocol): string[] {
  return protocol === 'udp,tcp' ? ['tcp', 'udp'] : [protocol];
}

function containerInfo(input: TaskInput): ContainerInfo | undefined {
  const { template } = input;
  const container = template.container;
  const networks = template.networks ?? [];
  const bridge = networks.some((n) => n.mode === 'container/bridge');
  const named = networks.find((n) => n.mode === 'container');
  const mappings: PortMapping[] = usesHostNetwork(template)
    ? []
    : namedPorts(input).flatMap((port) =>
        port.host === undefined || port.container === undefined
          ? []
          : protocols(port.protocol).map((protocol) => ({
              host_port: port.host!,
              container_port: port.container!,
              protocol,
            })),
      );
  if (!container) {
    if (!named && !bridge) return undefined;
    return { type: 'MESOS', network_infos: [networkInfo(named?.name ?? 'mesos-bridge', mappings)] };
  }
  const info: ContainerInfo = { type: container.type };
  if (container.volumes?.length) {
    info.volumes = container.volumes.map((v) => ({
      mode: v.mode,
      container_path: v.containerPath,
      host_path: v.hostPath,
    }));
  }
  const docker = container.docker;
  if (container.type === 'DOCKER' && docker) {
    info.docker = {
      image: docker.image,
      network: bridge ? 'BRIDGE' : named ? 'USER' : 'HOST',
      ...(bridge && mappings.length ? { port_mappings: mappings } : {}),
      ...(docker.privileged ? { privileged: true } : {}),
      ...(docker.parameters?.length
        ? { parameters: docker.parameters.map((p) => ({ key: p.key, value: p.value })) }
        : {}),
      ...(docker.forcePullImage ? { force_pull_image: true } : {}),
    };
    if (named) info.network_infos = [networkInfo(named.name!, mappings)];
  } else {
    if (docker) {
      info.mesos = {
        image: {
          type: 'DOCKER',
          docker: { name: docker.image },
          ...(docker.forcePullImage ? { cached: false } : {}),
        },
      };
    }
    if (named || bridge) {
      info.network_infos = [networkInfo(named?.name ?? 'mesos-bridge', mappings)];
    }
  }
  return info;
}

function networkInfo(name: string, mappings: PortMapping[]): NetworkInfo {
  return { name, ...(mappings.length ? { port_mappings: mappings } : {}) };
}

function healthCheck(check: AppHealthCheck, input: TaskInput): HealthCheck {
  const timing = {
    delay_seconds: check.delaySeconds,
    interval_seconds: check.intervalSeconds,
    timeout_seconds: check.timeoutSeconds,
    grace_period_seconds: check.gracePeriodSeconds,
    consecutive_failures: check.maxConsecutiveFailures || NEVER,
  };
  if (check.protocol === 'COMMAND') {
    return {
      type: 'COMMAND',
      command: { shell: true, value: check.command?.value ?? 'true' },
      ...timing,
    };
  }
  const port = checkPort(check, input);
  if (check.protocol === 'MESOS_TCP') return { type: 'TCP', tcp: { port }, ...timing };
  return {
    type: 'HTTP',
    http: {
      scheme: check.protocol === 'MESOS_HTTPS' ? 'https' : 'http',
      port,
      path: check.path ?? '/',
    },
    ...timing,
  };
}

/**
 * The port a check probes: its fixed `port`, else the port at `portIndex` — the host port on
 * the agent's network, the container port on a container network (the check runs in the
 * task's network namespace there).
 */
function checkPort(check: AppHealthCheck, input: TaskInput): number {
  if (check.port !== undefined) return check.port;
  const port = namedPorts(input)[check.portIndex ?? 0];
  const value = usesHostNetwork(input.template) ? port?.host : (port?.container ?? port?.host);
  if (value === undefined) {
    throw new Error(`health check portIndex ${check.portIndex ?? 0} names no port`);
  }
  return value;
}

function discoveryInfo(input: TaskInput): DiscoveryInfo | undefined {
  const ports = namedPorts(input).flatMap((port) => {
    const number = port.host ?? port.container;
    if (number === undefined) return [];
    return protocols(port.protocol).map((protocol) => ({
      number,
      name: port.name,
      protocol,
      ...(port.labels
        ? {
            labels: {
              labels: Object.entries(port.labels).map(([key, value]) => ({ key, value })),
            },
          }
        : {}),
    }));
  });
  return {
    visibility: 'FRAMEWORK',
    name: input.app,
    ...(ports.length ? { ports: { ports } } : {}),
  };
}
