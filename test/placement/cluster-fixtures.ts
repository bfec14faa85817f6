/** Builders of Agents, Instances and templates for placement tests and benchmarks. */
import type { Agent } from '../../src/api/agent.ts';
import type { AppTemplate } from '../../src/api/app-revision.ts';
import type { Constraint } from '../../src/api/app-types.ts';
import type { Instance, InstanceStatus } from '../../src/api/instance.ts';
import type { Attribute, Resource } from '../../src/mesos/types.ts';

export interface AgentOptions {
  hostname?: string;
  attributes?: Record<string, string>;
  region?: string;
  zone?: string;
  cpus?: number;
  mem?: number;
  gpus?: number;
  ports?: [number, number];
  offered?: Resource[];
  unschedulable?: boolean;
  removed?: boolean;
  offeredAt?: string;
  offeredUntil?: string;
}

export function agentObject(id: string, options: AgentOptions = {}): Agent {
  const attributes: Attribute[] = Object.entries(options.attributes ?? {}).map(([name, value]) => ({
    name,
    type: 'TEXT',
    text: { value },
  }));
  const offered: Resource[] = options.offered ?? [
    { name: 'cpus', type: 'SCALAR', scalar: { value: options.cpus ?? 4 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: options.mem ?? 4096 } },
    ...(options.gpus
      ? [{ name: 'gpus', type: 'SCALAR' as const, scalar: { value: options.gpus } }]
      : []),
    {
      name: 'ports',
      type: 'RANGES',
      ranges: {
        range: [
          { begin: String(options.ports?.[0] ?? 31000), end: String(options.ports?.[1] ?? 31099) },
        ],
      },
    },
  ];
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Agent',
    metadata: { name: id.toLowerCase(), resourceVersion: '1' },
    spec: options.unschedulable ? { unschedulable: true } : {},
    status: {
      agentId: id,
      hostname: options.hostname ?? `host-${id}`,
      state: options.removed ? 'Removed' : 'Active',
      attributes,
      ...(options.region || options.zone
        ? { domain: { region: options.region ?? 'r', zone: options.zone ?? 'z' } }
        : {}),
      offered,
      offeredAt: options.offeredAt ?? '2026-01-01T00:00:00.000Z',
      ...(options.offeredUntil ? { offeredUntil: options.offeredUntil } : {}),
    },
  };
}

export function templateOf(
  over: Partial<AppTemplate> & { constraints?: Constraint[] } = {},
): AppTemplate {
  return {
    cpus: 1,
    mem: 128,
    disk: 0,
    gpus: 0,
    requirePorts: false,
    cmd: 'sleep 1000',
    ...over,
  } as AppTemplate;
}

export interface InstanceOptions {
  app?: string;
  revision?: number;
  namespace?: string;
  goal?: Instance['spec']['goal'];
  agentId?: string;
  boundAt?: string;
  generation?: number;
  status?: InstanceStatus;
}

export function instanceObject(name: string, options: InstanceOptions = {}): Instance {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      resourceVersion: '5',
      generation: options.generation ?? 1,
    },
    spec: {
      app: options.app ?? 'web',
      revision: options.revision ?? 1,
      goal: options.goal ?? 'running',
      ...(options.agentId ? { agentId: options.agentId } : {}),
      ...(options.boundAt ? { boundAt: options.boundAt } : {}),
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

/** `count` pending instances `<app>-<revision>-<i>`. */
export function pendingInstances(
  app: string,
  count: number,
  revision = 1,
  namespace = 'default',
): Instance[] {
  return Array.from({ length: count }, (_, i) =>
    instanceObject(`${app}-${revision}-${i}`, { app, revision, namespace }),
  );
}

/** A deterministic pseudo-random source (mulberry32). */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
