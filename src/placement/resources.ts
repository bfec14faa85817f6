/**
 * Fitting a task's resource needs into what an agent offers, shared by placement (which decides
 * where an instance goes) and the Mesos bridge (which builds the TaskInfo from held offers).
 *
 * `needsOf(template)` says what one task of an App revision needs: cpus, mem, disk, gpus, and its
 * host ports in order (a fixed number, or 0 for "any offered port"). `OfferedResources.from(list)`
 * views a Mesos Resource list (an agent's `status.offered`, or the resources of held offers);
 * `fitTask(needs, role)` answers either with the exact Mesos Resources to launch with — roles,
 * reservations, allocation info and disk info carried over from the offered ones, a scalar split
 * across several offered pieces when one is not enough, ports picked from the offered ranges —
 * or with the shortages ("cpus: need 2, offered 1.5"). `take(fit)` subtracts a fit, so several
 * tasks placed on one agent never over-commit it and never get the same port.
 *
 * Which offered resources a task of framework role R may use: unreserved ones (`*`) and those
 * reserved to R, but not resources allocated to another role (`allocation_info.role`), not
 * revocable or shared ones, not persistent volumes or MOUNT/BLOCK/RAW disks, and not dynamic
 * reservations carrying labels (those are kept for resident tasks, as in Marathon). Reserved
 * resources are used before unreserved ones, so the shared pool is spent last.
 *
 * Scalars are kept in thousandths (Mesos's fixed-point precision), so sums never drift.
 */
import type { AppTemplate } from '../api/app-revision.ts';
import type { Resource } from '../mesos/types.ts';
import { MesetaError } from '../errors.ts';
import {
  intervalsOf,
  intervalsSize,
  mergeIntervals,
  subtractIntervals,
  type Interval,
} from '../mesos/ranges.ts';

/** The scalar resources a task can need, in the order shortages are reported. */
export const SCALAR_NEEDS = ['cpus', 'mem', 'disk', 'gpus'] as const;
export type ScalarNeed = (typeof SCALAR_NEEDS)[number];

/** What one task needs on an agent. */
export interface TaskNeeds {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  /** One entry per host port, in the order the task sees them ($PORT0, …): a number, or 0 for any. */
  ports: readonly number[];
}

/** A resource the offered view cannot give: `message` is what to tell a person. */
export interface Shortage {
  resource: ScalarNeed | 'ports';
  /** What the task needs: an amount, a port count, or (with `port`) 1. */
  need: number;
  /** What this view can give the role: an amount or a count of ports. */
  offered: number;
  /** A fixed port that is not offered (or already taken). */
  port?: number;
  message: string;
}

/**
 * The needs of one task of `template`. Host ports come from `container.portMappings` (each
 * `hostPort`: 0 picks one, another number is fixed, absent needs none) when the template runs on a
 * container network with port mappings, else from `portDefinitions` (fixed numbers only with
 * `requirePorts`, as in Marathon; otherwise every port is picked from the offer).
 */
export function needsOf(
  template: Pick<
    AppTemplate,
    'cpus' | 'mem' | 'disk' | 'gpus' | 'portDefinitions' | 'requirePorts' | 'container' | 'networks'
  >,
): TaskNeeds {
  const mappings = template.container?.portMappings ?? [];
  const containerNetwork = (template.networks ?? []).some((n) => n.mode !== 'host');
  let ports: number[];
  if (containerNetwork && mappings.length > 0) {
    ports = mappings.flatMap((m) => (m.hostPort === undefined ? [] : [m.hostPort]));
  } else {
    ports = (template.portDefinitions ?? []).map((d) => (template.requirePorts ? d.port : 0));
  }
  return {
    cpus: template.cpus ?? 0,
    mem: template.mem ?? 0,
    disk: template.disk ?? 0,
    gpus: template.gpus ?? 0,
    ports,
  };
}

/** One offered piece: every offered Resource with the same identity (all but its value) summed. */
interface Piece {
  /** The offered Resource without its value, copied into every fitted Resource. */
  readonly prototype: Resource;
  readonly name: string;
  /** The role whose resources these are: `*` when unreserved. */
  readonly role: string;
  /** Set when the piece was allocated to one role of a multi-role framework. */
  readonly allocationRole: string | undefined;
  readonly usable: boolean;
  milli: number;
  ranges: Interval[];
}

interface ScalarTake {
  piece: Piece;
  milli: number;
}

interface PortTake {
  piece: Piece;
  ports: number[];
}

/** A successful fit: what to launch with, until taken from (or dropped by) its view. */
export class Fit {
  readonly ok = true;
  #resources: Resource[] | undefined;

  /** @internal built by `OfferedResources.fitTask` */
  constructor(
    readonly view: OfferedResources,
    /** The host ports chosen, in the order of `TaskNeeds.ports`. */
    readonly ports: readonly number[],
    readonly scalarTakes: readonly ScalarTake[],
    readonly portTakes: readonly PortTake[],
  ) {}

  /** The Mesos Resources for the TaskInfo: one per offered piece used. */
  get resources(): Resource[] {
    this.#resources ??= [
      ...this.scalarTakes.map(({ piece, milli }) => ({
        ...structuredClone(piece.prototype),
        scalar: { value: milli / 1000 },
      })),
      ...this.portTakes.map(({ piece, ports }) => ({
        ...structuredClone(piece.prototype),
        ranges: {
          range: intervalsOf([...ports].sort((a, b) => a - b)).map(([b, e]) => ({
            begin: String(b),
            end: String(e),
          })),
        },
      })),
    ];
    return this.#resources;
  }
}

export interface Misfit {
  readonly ok: false;
  readonly shortages: readonly Shortage[];
}

const usablePortsName = 'ports';

/**
 * A mutable view of offered resources: what is left after the fits taken from it. Cheap to
 * build (linear in the Resource list) and to query, so placement can keep one per agent.
 */
export class OfferedResources {
  /** By resource name; within a name, reserved pieces first. */
  readonly #byName = new Map<string, Piece[]>();
  /** The pieces a role may use, by role and name: pieces never change identity, only amounts. */
  readonly #byRole = new Map<string, Map<string, readonly Piece[]>>();

  private constructor() {}

  /** A view of `resources`; resources with unknown types or invalid values are ignored. */
  static from(resources: readonly Resource[] | undefined): OfferedResources {
    const view = new OfferedResources();
    const byKey = new Map<string, Piece>();
    for (const resource of resources ?? []) {
      const { scalar, ranges, set: _set, ...prototype } = resource;
      // Most offered resources are plain (name and type only): skip the canonical JSON for them.
      const plain = resource.role === undefined && Object.keys(prototype).length === 2;
      const key = plain ? `${resource.name}\u0000${resource.type}` : identityKey(prototype);
      let piece = byKey.get(key);
      if (!piece) {
        const role = roleOf(resource);
        piece = {
          prototype,
          name: resource.name,
          role,
          allocationRole: resource.allocation_info?.role,
          usable: isLaunchable(resource),
          milli: 0,
          ranges: [],
        };
        byKey.set(key, piece);
        view.#add(piece);
      }
      if (
        resource.type === 'SCALAR' &&
        scalar &&
        Number.isFinite(scalar.value) &&
        scalar.value > 0
      ) {
        piece.milli += Math.round(scalar.value * 1000);
      } else if (resource.type === 'RANGES') {
        const list: Interval[] = [];
        for (const r of ranges?.range ?? []) {
          const begin = Number(r.begin);
          const end = Number(r.end);
          if (Number.isSafeInteger(begin) && Number.isSafeInteger(end) && begin <= end) {
            list.push([begin, end]);
          }
        }
        piece.ranges = mergeIntervals([...piece.ranges, ...list]);
      }
    }
    return view;
  }

  #add(piece: Piece): void {
    const list = this.#byName.get(piece.name);
    if (!list) this.#byName.set(piece.name, [piece]);
    else if (piece.role !== '*') list.unshift(piece);
    else list.push(piece);
  }

  /** How much of scalar `name` a task of `role` can still get here. */
  available(name: string, role: string): number {
    return this.#availableMilli(name, role) / 1000;
  }

  /** How many ports a task of `role` can still get here. */
  availablePorts(role: string): number {
    let count = 0;
    for (const piece of this.#pieces(usablePortsName, role)) count += intervalsSize(piece.ranges);
    return count;
  }

  /** Whether `port` is still offered to `role`. */
  offersPort(port: number, role: string): boolean {
    return this.#pieces(usablePortsName, role).some((piece) => containsNumber(piece.ranges, port));
  }

  /** Whether any resource named `name` was offered (to any role), taken or not. */
  hasResource(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * Whether `fitTask(needs, role)` would succeed, without building anything: placement's quick test
   * over thousands of agents.
   */
  covers(needs: TaskNeeds, role: string): boolean {
    for (const name of SCALAR_NEEDS) {
      const need = Math.round(needs[name] * 1000);
      if (need > 0 && this.#availableMilli(name, role) < need) return false;
    }
    if (needs.ports.length === 0) return true;
    for (let i = 0; i < needs.ports.length; i++) {
      const port = needs.ports[i]!;
      if (port === 0) continue;
      if (!this.offersPort(port, role)) return false;
      // The same fixed port twice can never fit.
      if (needs.ports.indexOf(port) !== i) return false;
    }
    return this.availablePorts(role) >= needs.ports.length;
  }

  /** The resources a task with `needs` of framework role `role` would get, or why not. */
  fitTask(needs: TaskNeeds, role: string): Fit | Misfit {
    const shortages: Shortage[] = [];
    const scalarTakes: ScalarTake[] = [];
    for (const name of SCALAR_NEEDS) {
      const need = Math.round(needs[name] * 1000);
      if (need <= 0) continue;
      const pieces = this.#pieces(name, role);
      let left = need;
      const takes: ScalarTake[] = [];
      for (const piece of pieces) {
        if (left === 0) break;
        const milli = Math.min(left, piece.milli);
        if (milli > 0) takes.push({ piece, milli });
        left -= milli;
      }
      if (left > 0) {
        const offered = (need - left) / 1000;
        shortages.push({
          resource: name,
          need: needs[name],
          offered,
          message: `${name}: need ${needs[name]}, offered ${offered}`,
        });
      } else scalarTakes.push(...takes);
    }
    const ports = this.#fitPorts(needs.ports, role, shortages);
    if (shortages.length > 0) return { ok: false, shortages };
    return new Fit(this, ports!.chosen, scalarTakes, ports!.takes);
  }

  #fitPorts(
    needs: readonly number[],
    role: string,
    shortages: Shortage[],
  ): { chosen: number[]; takes: PortTake[] } | undefined {
    if (needs.length === 0) return { chosen: [], takes: [] };
    const pieces = this.#pieces(usablePortsName, role);
    const byPiece = new Map<Piece, number[]>();
    const chosen: number[] = new Array<number>(needs.length).fill(0);
    const used = new Set<number>();
    let ok = true;
    for (let i = 0; i < needs.length; i++) {
      const port = needs[i]!;
      if (port === 0) continue;
      const piece = used.has(port) ? undefined : pieces.find((p) => containsNumber(p.ranges, port));
      if (!piece) {
        ok = false;
        shortages.push({
          resource: 'ports',
          need: 1,
          offered: 0,
          port,
          message: `ports: need ${port}, not offered`,
        });
        continue;
      }
      used.add(port);
      chosen[i] = port;
      pushTo(byPiece, piece, port);
    }
    const dynamic = needs.filter((p) => p === 0).length;
    if (dynamic > 0) {
      let next = 0;
      const indexes = needs.flatMap((p, i) => (p === 0 ? [i] : []));
      // Widest ranges first: a lone port an agent offers (5432 next to 31000-32000) is most
      // likely there for the App that asks for it by number, and taken by any other it would
      // keep that App off the agent for as long as the task runs.
      const ranges = pieces
        .flatMap((piece) => piece.ranges.map(([begin, end]) => ({ piece, begin, end })))
        .sort((a, b) => b.end - b.begin - (a.end - a.begin));
      search: for (const { piece, begin, end } of ranges) {
        for (let port = begin; port <= end; port++) {
          if (used.has(port)) continue;
          used.add(port);
          chosen[indexes[next]!] = port;
          pushTo(byPiece, piece, port);
          if (++next === dynamic) break search;
        }
      }
      if (next < dynamic) {
        ok = false;
        const offered = this.availablePorts(role) - (needs.length - dynamic);
        shortages.push({
          resource: 'ports',
          need: dynamic,
          offered: Math.max(0, offered),
          message: `ports: need ${dynamic}, offered ${Math.max(0, offered)}`,
        });
      }
    }
    if (!ok) return undefined;
    return { chosen, takes: [...byPiece].map(([piece, ports]) => ({ piece, ports })) };
  }

  /**
   * Subtracts a fit made by this view. Throws when the fit came from another view or what it
   * used has been taken meanwhile (a fit must be taken before the next one is made from it).
   */
  take(fit: Fit): void {
    if (fit.view !== this) {
      throw new MesetaError(
        'PlacementFitMismatch',
        'a fit can only be taken from the view that made it',
      );
    }
    for (const { piece, milli } of fit.scalarTakes) {
      if (piece.milli < milli) throw stale(piece.name);
    }
    for (const { piece, ports } of fit.portTakes) {
      if (!ports.every((port) => containsNumber(piece.ranges, port))) throw stale(piece.name);
    }
    for (const { piece, milli } of fit.scalarTakes) piece.milli -= milli;
    for (const { piece, ports } of fit.portTakes) {
      piece.ranges = subtractIntervals(piece.ranges, intervalsOf(ports));
    }
  }

  /**
   * Subtracts what a task with `needs` holds or is about to hold here although the offer does not
   * show it yet, as far as it goes: what does not fit any more is simply gone (free never drops
   * below zero). Returns whether all of it fitted.
   */
  subtract(needs: TaskNeeds, role: string): boolean {
    const fitted = this.fitTask(needs, role);
    if (fitted.ok) {
      this.take(fitted);
      return true;
    }
    for (const name of SCALAR_NEEDS) {
      let left = Math.round(needs[name] * 1000);
      for (const piece of this.#pieces(name, role)) {
        const milli = Math.min(left, piece.milli);
        piece.milli -= milli;
        left -= milli;
      }
    }
    let dynamic = 0;
    for (const port of needs.ports) {
      if (port === 0) dynamic++;
      else {
        for (const piece of this.#pieces(usablePortsName, role)) {
          piece.ranges = subtractIntervals(piece.ranges, [[port, port]]);
        }
      }
    }
    for (const piece of this.#pieces(usablePortsName, role)) {
      while (dynamic > 0 && piece.ranges.length > 0) {
        const [begin] = piece.ranges[0]!;
        piece.ranges = subtractIntervals(piece.ranges, [[begin, begin]]);
        dynamic--;
      }
    }
    return false;
  }

  #availableMilli(name: string, role: string): number {
    let milli = 0;
    for (const piece of this.#pieces(name, role)) milli += piece.milli;
    return milli;
  }

  #pieces(name: string, role: string): readonly Piece[] {
    let byName = this.#byRole.get(role);
    if (!byName) {
      byName = new Map();
      this.#byRole.set(role, byName);
    }
    let list = byName.get(name);
    if (!list) {
      list = (this.#byName.get(name) ?? []).filter(
        (piece) =>
          piece.usable &&
          (piece.role === '*' || piece.role === role) &&
          (piece.allocationRole === undefined || piece.allocationRole === role),
      );
      byName.set(name, list);
    }
    return list;
  }
}

/** The role a resource belongs to: the last refinement's, the legacy `role`, or `*`. */
export function roleOf(resource: Resource): string {
  const refined = resource.reservations;
  if (refined && refined.length > 0) return refined[refined.length - 1]!.role ?? '*';
  return resource.role ?? resource.reservation?.role ?? '*';
}

function isLaunchable(resource: Resource): boolean {
  if (resource.revocable || resource.shared) return false;
  if (resource.disk?.persistence) return false;
  const source = resource.disk?.source?.type;
  if (source !== undefined && source !== 'PATH') return false;
  const reservation = resource.reservations?.at(-1) ?? resource.reservation;
  if ((reservation?.labels?.labels ?? []).length > 0) return false;
  return true;
}

/** Canonical JSON (keys sorted at every level), so equal identities give equal keys. */
function identityKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(identityKey).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${identityKey(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function containsNumber(list: readonly Interval[], n: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [b, e] = list[mid]!;
    if (n < b) hi = mid - 1;
    else if (n > e) lo = mid + 1;
    else return true;
  }
  return false;
}

function pushTo(map: Map<Piece, number[]>, piece: Piece, port: number): void {
  const list = map.get(piece);
  if (list) list.push(port);
  else map.set(piece, [port]);
}

function stale(name: string): MesetaError {
  return new MesetaError(
    'PlacementFitStale',
    `the ${name} of this fit were taken meanwhile; fit again before taking`,
  );
}
