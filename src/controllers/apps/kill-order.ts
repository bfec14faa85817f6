/**
 * Which instances go first when an App scales down: those worth least first.
 *
 * With a GROUP_BY constraint (and the agents' values, `GroupByBalance`), Marathon's kill order:
 * balance first — while the field's values hold different numbers of instances, the next to go
 * is from a value with the most — and among equals by the base order below. Instances whose
 * value is unknown (not launched, or their agent is gone) do not weigh on the balance and go by
 * the base order. Balance is kept for the first GROUP_BY constraint.
 *
 * The base order: by condition — unreachable, then not yet launched, staging, starting, and
 * running last — then by age as the App's `killSelection` says (YOUNGEST_FIRST by default).
 * Ties (same creation second) are broken by name, highest ordinal first for YOUNGEST_FIRST, so
 * the order is total and stable. O(n log n) either way.
 */
import type { Constraint, KillSelection } from '../../api/app-types.ts';
import type { Instance } from '../../api/instance.ts';
import { canonicalField, fieldValue, type AgentFacts } from '../../placement/fields.ts';

/** What GROUP_BY balance needs: the field, and each instance's value of it. */
export interface GroupByBalance {
  field: string;
  valueOf(instance: Instance): string | undefined;
}

/**
 * The balance to keep for an App with `constraints`, given where instances run
 * (`agentOf(agentId)`, e.g. from an Agent informer); undefined without GROUP_BY.
 */
export function groupByBalance(
  constraints: readonly Constraint[] | undefined,
  agentOf: (agentId: string) => AgentFacts | undefined,
): GroupByBalance | undefined {
  const groupBy = constraints?.find((c) => c.operator === 'GROUP_BY');
  if (!groupBy) return undefined;
  const field = canonicalField(groupBy.field);
  return {
    field,
    valueOf(instance) {
      const agentId = instance.status?.agentId ?? instance.spec.agentId;
      const agent = agentId === undefined ? undefined : agentOf(agentId);
      return agent ? fieldValue(agent, field) : undefined;
    },
  };
}

/** Lower goes first. */
export function conditionRank(instance: Instance): number {
  const state = instance.status?.state;
  if (state === 'TASK_UNREACHABLE' || state === 'TASK_UNKNOWN') return 0;
  if (!state) return 1;
  if (state === 'TASK_STAGING') return 2;
  if (state === 'TASK_STARTING') return 3;
  if (state === 'TASK_RUNNING') return 5;
  // Killing or ended: already on its way out, but not a running task to keep.
  return 4;
}

/** `instances` sorted so that the first ones are the first to stop. Does not modify the input. */
export function killOrder(
  instances: readonly Instance[],
  killSelection: KillSelection,
  balance?: GroupByBalance,
): Instance[] {
  const base = baseOrder(instances, killSelection);
  return balance ? balanced(base, balance) : base;
}

function baseOrder(instances: readonly Instance[], killSelection: KillSelection): Instance[] {
  const youngestFirst = killSelection !== 'OLDEST_FIRST';
  return [...instances].sort((a, b) => {
    const byCondition = conditionRank(a) - conditionRank(b);
    if (byCondition !== 0) return byCondition;
    const byAge = age(a) - age(b);
    if (byAge !== 0) return youngestFirst ? -byAge : byAge;
    const byName = compareNames(a.metadata.name, b.metadata.name);
    return youngestFirst ? -byName : byName;
  });
}

interface Group {
  /** Base-order positions of its instances still to order, ascending. */
  positions: number[];
  next: number;
}

const remaining = (g: Group) => g.positions.length - g.next;

/**
 * Greedy: each step takes, from the value with the most instances left (earliest in base order
 * among equals), its first instance — unless an instance without a value comes earlier in base
 * order. A heap keyed by (count desc, first position asc) keeps each step O(log values).
 */
function balanced(base: readonly Instance[], balance: GroupByBalance): Instance[] {
  const byValue = new Map<string, Group>();
  const loose: number[] = [];
  base.forEach((instance, position) => {
    const value = balance.valueOf(instance);
    if (value === undefined) loose.push(position);
    else {
      let group = byValue.get(value);
      if (!group) byValue.set(value, (group = { positions: [], next: 0 }));
      group.positions.push(position);
    }
  });
  const before = (a: Group, b: Group) =>
    remaining(a) !== remaining(b)
      ? remaining(a) > remaining(b)
      : a.positions[a.next]! < b.positions[b.next]!;
  const heap = new Heap<Group>(before);
  for (const group of byValue.values()) heap.push(group);
  const out: Instance[] = [];
  let nextLoose = 0;
  while (out.length < base.length) {
    const top = heap.peek();
    const loosePosition = loose[nextLoose];
    if (loosePosition !== undefined && (!top || loosePosition < top.positions[top.next]!)) {
      out.push(base[loosePosition]!);
      nextLoose++;
      continue;
    }
    heap.pop();
    out.push(base[top!.positions[top!.next++]!]!);
    if (remaining(top!) > 0) heap.push(top!);
  }
  return out;
}

/** A binary heap; `before(a, b)` says a comes out first. */
class Heap<T> {
  readonly #items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l]!, items[best]!)) best = l;
        if (r < items.length && this.before(items[r]!, items[best]!)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
    return top;
  }
}

/** Milliseconds since the epoch when the instance was created (older: smaller). */
function age(instance: Instance): number {
  const created = instance.metadata.creationTimestamp;
  return created ? Date.parse(created) : 0;
}

// `web-1-10` after `web-1-9`: compare the trailing ordinals as numbers when both have one.
function compareNames(a: string, b: string): number {
  const ordinal = /-(\d+)$/;
  const [ma, mb] = [ordinal.exec(a), ordinal.exec(b)];
  if (ma && mb && a.slice(0, ma.index) === b.slice(0, mb.index)) {
    return Number(ma[1]) - Number(mb[1]);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
