/**
 * Fitting tasks into the offers held from one agent. `taskNeeds` says what one instance of a
 * template needs (scalars and host ports); an `OfferPool` holds what one agent's offers for one
 * allocation role still have, and `fit` takes a task's share out of it, or says why it cannot.
 *
 * Mesos's rules this keeps:
 * - a resource may be used when it is unreserved (`role: "*"` or no reservations) or reserved
 *   for the role it was allocated to; reserved resources are used first, so that a reservation
 *   is not left idle while shared capacity runs out;
 * - what a task launches carries the offer's `allocation_info` and reservation fields unchanged
 *   (the master refuses resources that differ from what it offered);
 * - revocable resources, volumes and resource-provider resources are left alone;
 * - a port is handed out at most once: required ports (`requirePorts`, fixed host ports) are
 *   taken exactly, the others are the lowest free ones.
 * Scalars are counted in thousandths, Mesos's fixed-point precision, so sums never drift.
 */
import type { AppTemplate } from '../../api/app-revision.ts';
import type { Resource } from '../../mesos/types.ts';

/** A host port one instance needs: 0 for any free port, another number for exactly it. */
export type PortRequest = number;

export interface TaskNeeds {
  /** Scalar name → amount (cpus, mem, disk, gpus), only the positive ones. */
  scalars: Record<string, number>;
  /**
   * One entry per port definition (host networking) or port mapping (container networking);
   * `undefined` for a mapping without a host port.
   */
  ports: (PortRequest | undefined)[];
}

/** What one instance of `template` needs from an agent. */
export function taskNeeds(template: AppTemplate): TaskNeeds {
  const scalars: Record<string, number> = {};
  for (const name of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    const amount = template[name] ?? 0;
    if (amount > 0) scalars[name] = amount;
  }
  return { scalars, ports: hostPortRequests(template) };
}

/** Whether the template runs on the agent's network (no networks, or mode host). */
export function usesHostNetwork(template: AppTemplate): boolean {
  return !template.networks?.length || template.networks.some((n) => n.mode === 'host');
}

function hostPortRequests(template: AppTemplate): (PortRequest | undefined)[] {
  if (usesHostNetwork(template)) {
    return (template.portDefinitions ?? []).map((d) => (template.requirePorts ? d.port : 0));
  }
  const bridge = template.networks?.some((n) => n.mode === 'container/bridge') ?? false;
  return (template.container?.portMappings ?? []).map(
    (m) => m.hostPort ?? (bridge ? 0 : undefined),
  );
}

export interface Fitted {
  /** The resources to put in the TaskInfo, shaped as offered (roles, reservations kept). */
  resources: Resource[];
  /** The host port of each port request (`undefined` where none was asked). */
  ports: (number | undefined)[];
}

type Interval = [number, number];

interface Entry {
  /** The offered resource without its amount: every field is copied to what is launched. */
  base: Resource;
  reserved: boolean;
  /** Thousandths, for scalars. */
  amount?: number;
  /** For ranges (ports), sorted and disjoint. */
  ranges?: Interval[];
}

const milli = (value: number) => Math.round(value * 1000);

/** What one agent's held offers for one allocation role still have to give. */
export class OfferPool {
  private entries: Entry[];

  /** `role`: the allocation role of the offers; resources of other roles are not used. */
  constructor(
    resources: Resource[],
    readonly role: string,
  ) {
    this.entries = resources.flatMap((resource) => {
      const entry = usableEntry(resource, role);
      return entry ? [entry] : [];
    });
    // Reserved first: taking from the front uses a reservation before shared capacity.
    this.entries.sort((a, b) => Number(b.reserved) - Number(a.reserved));
  }

  /** Takes `needs` out of the pool, or returns why it does not fit (the pool is unchanged). */
  fit(needs: TaskNeeds): Fitted | { error: string } {
    const entries = this.entries.map((e) => ({
      ...e,
      ...(e.ranges ? { ranges: e.ranges.map(([b, end]): Interval => [b, end]) } : {}),
    }));
    const resources: Resource[] = [];
    for (const [name, amount] of Object.entries(needs.scalars)) {
      let wanted = milli(amount);
      for (const entry of entries) {
        if (wanted === 0) break;
        if (entry.base.name !== name || !entry.amount) continue;
        const take = Math.min(wanted, entry.amount);
        entry.amount -= take;
        wanted -= take;
        resources.push({ ...entry.base, scalar: { value: take / 1000 } });
      }
      if (wanted > 0) {
        const have = this.entries
          .filter((e) => e.base.name === name)
          .reduce((sum, e) => sum + (e.amount ?? 0), 0);
        return { error: `not enough ${name}: needs ${amount}, offered ${have / 1000}` };
      }
    }
    const portEntries = entries.filter((e) => e.base.name === 'ports' && e.ranges);
    const taken = new Map<Entry, number[]>();
    const ports: (number | undefined)[] = needs.ports.map(() => undefined);
    const take = (entry: Entry, port: number) => {
      entry.ranges = removePort(entry.ranges!, port);
      const list = taken.get(entry) ?? [];
      list.push(port);
      taken.set(entry, list);
    };
    // Exact ports first, so that a dynamic pick cannot take a port someone requires.
    for (const [i, request] of needs.ports.entries()) {
      if (request === undefined || request === 0) continue;
      const entry = portEntries.find((e) => containsPort(e.ranges!, request));
      if (!entry) return { error: `port ${request} is not offered` };
      take(entry, request);
      ports[i] = request;
    }
    for (const [i, request] of needs.ports.entries()) {
      if (request !== 0) continue;
      const entry = portEntries.find((e) => e.ranges!.length > 0);
      if (!entry) return { error: `not enough ports: needs ${countDynamic(needs)} free ports` };
      const port = entry.ranges![0]![0];
      take(entry, port);
      ports[i] = port;
    }
    for (const [entry, list] of taken) {
      resources.push({ ...entry.base, ranges: { range: toRanges(list) } });
    }
    this.entries = entries;
    return { resources, ports };
  }
}

function countDynamic(needs: TaskNeeds): number {
  return needs.ports.filter((p) => p === 0).length;
}

function usableEntry(resource: Resource, role: string): Entry | undefined {
  if (resource.revocable || resource.shared || resource.disk || resource.provider_id) {
    return undefined;
  }
  const allocated = resource.allocation_info?.role;
  if (allocated !== undefined && allocated !== role) return undefined;
  const reservedFor = reservationRole(resource);
  if (reservedFor !== undefined && reservedFor !== role) return undefined;
  const { scalar, ranges, set: _set, ...base } = resource;
  const reserved = reservedFor !== undefined;
  if (resource.type === 'SCALAR' && scalar) {
    return { base, reserved, amount: milli(scalar.value) };
  }
  if (resource.type === 'RANGES' && ranges) {
    const intervals = (ranges.range ?? [])
      .map((r): Interval => [Number(r.begin), Number(r.end)])
      .sort((a, b) => a[0] - b[0]);
    return { base, reserved, ranges: intervals };
  }
  return undefined;
}

/** The role a resource is reserved for, or undefined when it is unreserved. */
function reservationRole(resource: Resource): string | undefined {
  const reservations = resource.reservations ?? [];
  if (reservations.length > 0) return reservations[reservations.length - 1]!.role ?? '*';
  if (resource.role !== undefined && resource.role !== '*') return resource.role;
  return undefined;
}

function containsPort(ranges: Interval[], port: number): boolean {
  return ranges.some(([b, e]) => b <= port && port <= e);
}

function removePort(ranges: Interval[], port: number): Interval[] {
  const out: Interval[] = [];
  for (const [b, e] of ranges) {
    if (port < b || port > e) out.push([b, e]);
    else {
      if (b < port) out.push([b, port - 1]);
      if (port < e) out.push([port + 1, e]);
    }
  }
  return out;
}

function toRanges(ports: number[]): { begin: string; end: string }[] {
  const sorted = [...ports].sort((a, b) => a - b);
  const out: { begin: string; end: string }[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const port of sorted.slice(1)) {
    if (port === prev + 1) {
      prev = port;
      continue;
    }
    out.push({ begin: String(start), end: String(prev) });
    start = prev = port;
  }
  out.push({ begin: String(start), end: String(prev) });
  return out;
}
