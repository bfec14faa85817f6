/**
 * Resource arithmetic for the simulator: a Pool is a bag of named scalars (cpus, mem, disk,
 * gpus…), named range sets (ports) and named sets. Scalars are kept to Mesos's fixed-point
 * precision (three decimals) so that adding and subtracting never drifts. Conversion to and from
 * Mesos `Resource` lists lives here too. The simulator treats every resource as unreserved
 * (role `*`): reservations are out of its scope.
 */
import type { Resource } from '../mesos/types.ts';
import { mergeIntervals, subtractIntervals, type Interval } from '../mesos/ranges.ts';

export interface Pool {
  scalars: Record<string, number>;
  ranges: Record<string, Interval[]>;
  sets: Record<string, string[]>;
}

export function emptyPool(): Pool {
  return { scalars: {}, ranges: {}, sets: {} };
}

const fixed = (value: number) => Math.round(value * 1000) / 1000;

export function clonePool(pool: Pool): Pool {
  const ranges: Record<string, Interval[]> = {};
  for (const [name, list] of Object.entries(pool.ranges)) {
    ranges[name] = list.map(([b, e]) => [b, e]);
  }
  const sets: Record<string, string[]> = {};
  for (const [name, items] of Object.entries(pool.sets)) sets[name] = [...items];
  return { scalars: { ...pool.scalars }, ranges, sets };
}

export function isEmptyPool(pool: Pool): boolean {
  for (const value of Object.values(pool.scalars)) if (value > 0) return false;
  for (const list of Object.values(pool.ranges)) if (list.length > 0) return false;
  for (const items of Object.values(pool.sets)) if (items.length > 0) return false;
  return true;
}

/** `a + b`, in place on `a`. */
export function addTo(a: Pool, b: Pool): void {
  for (const [name, value] of Object.entries(b.scalars)) {
    a.scalars[name] = fixed((a.scalars[name] ?? 0) + value);
  }
  for (const [name, list] of Object.entries(b.ranges)) {
    a.ranges[name] = mergeIntervals([...(a.ranges[name] ?? []), ...list]);
  }
  for (const [name, items] of Object.entries(b.sets)) {
    a.sets[name] = [...new Set([...(a.sets[name] ?? []), ...items])];
  }
}

/** `a - b`, in place on `a`; the caller has checked `contains(a, b)`. */
export function subtractFrom(a: Pool, b: Pool): void {
  for (const [name, value] of Object.entries(b.scalars)) {
    const left = fixed((a.scalars[name] ?? 0) - value);
    if (left > 0) a.scalars[name] = left;
    else delete a.scalars[name];
  }
  for (const [name, list] of Object.entries(b.ranges)) {
    const left = subtractIntervals(a.ranges[name] ?? [], list);
    if (left.length > 0) a.ranges[name] = left;
    else delete a.ranges[name];
  }
  for (const [name, items] of Object.entries(b.sets)) {
    const drop = new Set(items);
    const left = (a.sets[name] ?? []).filter((item) => !drop.has(item));
    if (left.length > 0) a.sets[name] = left;
    else delete a.sets[name];
  }
}

/** Whether `a` holds at least everything in `b`. */
export function contains(a: Pool, b: Pool): boolean {
  for (const [name, value] of Object.entries(b.scalars)) {
    if (value > 0 && fixed((a.scalars[name] ?? 0) - value) < 0) return false;
  }
  for (const [name, list] of Object.entries(b.ranges)) {
    const have = a.ranges[name] ?? [];
    for (const [begin, end] of list) {
      if (!have.some(([b, e]) => b <= begin && end <= e)) return false;
    }
  }
  for (const [name, items] of Object.entries(b.sets)) {
    const have = new Set(a.sets[name] ?? []);
    if (!items.every((item) => have.has(item))) return false;
  }
  return true;
}

/** Reads Mesos resources into a pool; problems are reported, not thrown. */
export function poolFromResources(resources: readonly Resource[] | undefined): {
  pool: Pool;
  problems: string[];
} {
  const pool = emptyPool();
  const problems: string[] = [];
  for (const resource of resources ?? []) {
    const name = resource.name;
    if (resource.type === 'SCALAR') {
      const value = resource.scalar?.value;
      if (value === undefined || !Number.isFinite(value) || value < 0) {
        problems.push(`Invalid scalar resource ${name}: ${value}`);
      } else if (value > 0) {
        pool.scalars[name] = fixed((pool.scalars[name] ?? 0) + value);
      }
    } else if (resource.type === 'RANGES') {
      const list = pool.ranges[name] ?? [];
      for (const range of resource.ranges?.range ?? []) {
        const begin = Number(range.begin);
        const end = Number(range.end);
        if (begin <= end) list.push([begin, end]);
        else problems.push(`Invalid range [${range.begin}-${range.end}] of resource ${name}`);
      }
      if (list.length > 0) pool.ranges[name] = list;
    } else if (resource.type === 'SET') {
      const items = resource.set?.item ?? [];
      if (items.length > 0) pool.sets[name] = [...new Set([...(pool.sets[name] ?? []), ...items])];
    } else {
      problems.push(`Unsupported resource type ${resource.type} for ${name}`);
    }
  }
  for (const name in pool.ranges) pool.ranges[name] = mergeIntervals(pool.ranges[name]!);
  return { pool, problems };
}

export interface ResourceFormat {
  /** Set `allocation_info.role` (MULTI_ROLE frameworks only). */
  allocationRole?: string;
  /** Pre-refinement format: `role: "*"` on each resource. */
  legacyRole: boolean;
}

const scalarOrder = ['cpus', 'gpus', 'mem', 'disk'];

/** The pool as Mesos resources, in a stable order (cpus, gpus, mem, disk, others, ranges, sets). */
export function poolToResources(pool: Pool, format: ResourceFormat): Resource[] {
  const out: Resource[] = [];
  const decorate = (resource: Resource): Resource => {
    if (format.legacyRole) resource.role = '*';
    if (format.allocationRole !== undefined) {
      resource.allocation_info = { role: format.allocationRole };
    }
    return resource;
  };
  const names = Object.keys(pool.scalars).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of names) {
    const value = pool.scalars[name]!;
    if (value > 0) out.push(decorate({ name, type: 'SCALAR', scalar: { value } }));
  }
  for (const [name, list] of Object.entries(pool.ranges)) {
    if (list.length === 0) continue;
    out.push(
      decorate({
        name,
        type: 'RANGES',
        ranges: { range: list.map(([b, e]) => ({ begin: String(b), end: String(e) })) },
      }),
    );
  }
  for (const [name, items] of Object.entries(pool.sets)) {
    if (items.length > 0) out.push(decorate({ name, type: 'SET', set: { item: [...items] } }));
  }
  return out;
}

function rank(name: string): number {
  const index = scalarOrder.indexOf(name);
  return index < 0 ? scalarOrder.length : index;
}

/** `cpus:1;mem:128;ports:[31000-31001]`, for messages and logs. */
export function describePool(pool: Pool): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(pool.scalars)) parts.push(`${name}:${value}`);
  for (const [name, list] of Object.entries(pool.ranges)) {
    parts.push(`${name}:[${list.map(([b, e]) => `${b}-${e}`).join(', ')}]`);
  }
  for (const [name, items] of Object.entries(pool.sets))
    parts.push(`${name}:{${items.join(', ')}}`);
  return parts.join('; ');
}
