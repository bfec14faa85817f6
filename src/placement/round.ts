/**
 * A placement round: every instance that needs an agent, of every App, against every Agent, in
 * one pass, as a pure function of the objects read (the caches) and the time.
 *
 * - What needs an agent: instances that `needsPlacement`, and bindings that have awaited launch
 *   longer than `staleBindingMs` or name an agent that is gone, removed or cordoned.
 * - What is free on an agent: its `status.offered`, minus the needs of instances bound there that
 *   the offer does not reflect yet (awaiting launch, or staged at or after `offeredAt`), minus
 *   what this round binds there. An agent never gets more than that, and never a port twice.
 * - Which instances count for constraints: those of the same App revision with goal `running`
 *   that are bound (awaiting launch) or have a live task, by the agent they are on.
 * - Fairness: instances are grouped by App revision and the groups take turns, one instance
 *   each, so one big App cannot starve the rest. A group that cannot place an instance stops for
 *   the round (its other instances need the same), with a why-not message.
 *
 * Speed: each group filters the agents once (cordons, GPU rule, LIKE/UNLIKE/IS, missing
 * attributes) into a scan list, then scans it round-robin from where its last placement was.
 * Rejections that last for the round (resources, UNIQUE, MAX_PER, CLUSTER: they only get worse
 * as instances are placed) drop the agent from the list, so a round costs about
 * O(agents × groups + decisions). GROUP_BY keeps per-value lists and the values ordered by count.
 */
import type { AppTemplate } from '../api/app-revision.ts';
import type { Agent } from '../api/agent.ts';
import { awaitsLaunch, hasLiveTask, needsPlacement, type Instance } from '../api/instance.ts';
import { AgentSlot } from './agent-slot.ts';
import { ClusterIndex } from './cluster-index.ts';
import {
  compileConstraints,
  describeCause,
  isLasting,
  isStatic,
  judge,
  type Cause,
  type CompiledConstraint,
} from './constraints.ts';
import { needsOf, type TaskNeeds } from './resources.ts';
import { WhyNot } from './why-not.ts';

export interface RoundInput {
  agents: readonly Agent[];
  /** Every Instance (placed ones are counted and hold resources; pending ones get placed). */
  instances: readonly Instance[];
  /** The template of an App revision; undefined when the revision is not known. */
  template(namespace: string, app: string, revision: number): AppTemplate | undefined;
  /** Now, in ms since the epoch. */
  now: number;
  /** The framework's Mesos role. Default `*`. */
  role?: string;
  /** A binding not launched for this long is placed again. Default 30 s. */
  staleBindingMs?: number;
}

export interface Binding {
  instance: Instance;
  /** The Mesos agent id (`status.agentId` of the Agent). */
  agentId: string;
  hostname: string;
  /** The host ports placement counted for it, in order (the bridge picks its own at launch). */
  ports: readonly number[];
}

/** How one App fared in the round (only Apps with instances to place appear). */
export interface AppOutcome {
  namespace: string;
  app: string;
  placed: number;
  unplaced: number;
  /** Why the unplaced ones could not go anywhere. */
  message?: string;
}

export interface RoundResult {
  bindings: Binding[];
  /** By `namespace/app`. */
  apps: Map<string, AppOutcome>;
  /** Agents looked at while deciding (for benchmarks). */
  scanned: number;
}

const DEFAULT_STALE_BINDING_MS = 30_000;

/** One round, start to end. */
export function placeRound(input: RoundInput): RoundResult {
  return prepareRound(input).place();
}

/**
 * A round with the cluster read (agents, what bound instances hold, counted instances) and
 * indexed for the round's constraints, not yet decided.
 */
export interface PreparedRound {
  /** Decides every pending instance; call once. */
  place(): RoundResult;
}

/** Reads and indexes the cluster: linear in agents and instances. */
export function prepareRound(input: RoundInput): PreparedRound {
  const role = input.role ?? '*';
  const staleMs = input.staleBindingMs ?? DEFAULT_STALE_BINDING_MS;
  const slots = input.agents.map((agent, i) => new AgentSlot(i, agent));
  const byAgentId = new Map<string, AgentSlot>();
  for (const slot of slots) byAgentId.set(slot.agentId, slot);

  const templates = new TemplateCache(input.template);
  const pendingByGroup = new Map<string, Instance[]>();
  const placedByGroup = new Map<string, number[]>();
  for (const instance of input.instances) {
    const key = groupKey(instance);
    const bound = instance.spec.agentId ? byAgentId.get(instance.spec.agentId) : undefined;
    if (needsPlacement(instance)) {
      push(pendingByGroup, key, instance);
    } else if (awaitsLaunch(instance)) {
      const boundAt = Date.parse(instance.spec.boundAt ?? '');
      const stale = !(input.now - boundAt < staleMs) || !bound || bound.standing !== 'ok';
      if (stale) push(pendingByGroup, key, instance);
      else {
        const needs = templates.needs(instance);
        if (needs) bound.offered.subtract(needs, role);
        push(placedByGroup, key, bound.index);
      }
    } else if (hasLiveTask(instance)) {
      const slot = byAgentId.get(instance.status?.agentId ?? instance.spec.agentId ?? '');
      if (!slot) continue;
      const stagedAt = Date.parse(instance.status?.stagedAt ?? '');
      if (stagedAt >= slot.offeredAt) {
        const needs = templates.needs(instance);
        if (needs) slot.offered.subtract(needs, role);
      }
      if (instance.spec.goal === 'running') push(placedByGroup, key, slot.index);
    }
  }

  // Index now what this round's decisions will look at: every constraint field, every filter.
  const index = new ClusterIndex(slots);
  for (const pending of pendingByGroup.values()) {
    const template = templates.template(pending[0]!);
    if (!template) continue;
    const constraints = compileConstraints(template.constraints);
    for (const c of constraints) index.column(c.field);
    const eligible = index.eligible(constraints, template.gpus > 0);
    const groupBy = constraints.find((c) => c.operator === 'GROUP_BY' && !c.invalid);
    if (!groupBy) continue;
    index.partition(eligible.all, groupBy.field);
    index.partition(eligible.offered, groupBy.field);
    for (const c of constraints) if (!isStatic(c) && isLasting(c)) index.slotsWith(c.field, 0);
  }
  return {
    place: () => decideRound(index, pendingByGroup, placedByGroup, templates, role),
  };
}

function decideRound(
  index: ClusterIndex,
  pendingByGroup: Map<string, Instance[]>,
  placedByGroup: Map<string, number[]>,
  templates: TemplateCache,
  role: string,
): RoundResult {
  const groups: GroupPlan[] = [];
  const apps = new Map<string, AppOutcome>();
  for (const key of [...pendingByGroup.keys()].sort()) {
    const pending = pendingByGroup.get(key)!.sort((a, b) => compareNames(a, b));
    const first = pending[0]!;
    const appKey = `${first.metadata.namespace ?? ''}/${first.spec.app}`;
    let outcome = apps.get(appKey);
    if (!outcome) {
      outcome = {
        namespace: first.metadata.namespace ?? '',
        app: first.spec.app,
        placed: 0,
        unplaced: 0,
      };
      apps.set(appKey, outcome);
    }
    const template = templates.template(first);
    if (!template) {
      outcome.unplaced += pending.length;
      addMessage(outcome, `revision ${first.spec.revision} of the App is not known`);
      continue;
    }
    groups.push(
      new GroupPlan(key, pending, template, index, placedByGroup.get(key) ?? [], role, outcome),
    );
  }

  const bindings: Binding[] = [];
  let active = groups;
  while (active.length > 0) {
    active = active.filter((group) => group.placeNext(bindings));
  }
  let scanned = 0;
  for (const group of groups) scanned += group.scanned;
  return { bindings, apps, scanned };
}

/** `namespace/app/revision`. */
function groupKey(instance: Instance): string {
  return `${instance.metadata.namespace ?? ''}/${instance.spec.app}/${instance.spec.revision}`;
}

class TemplateCache {
  readonly #templates = new Map<string, AppTemplate | undefined>();
  readonly #needs = new Map<string, TaskNeeds | undefined>();

  constructor(private readonly lookup: RoundInput['template']) {}

  template(instance: Instance): AppTemplate | undefined {
    const key = groupKey(instance);
    if (!this.#templates.has(key)) {
      const { app, revision } = instance.spec;
      this.#templates.set(key, this.lookup(instance.metadata.namespace ?? '', app, revision));
    }
    return this.#templates.get(key);
  }

  needs(instance: Instance): TaskNeeds | undefined {
    const key = groupKey(instance);
    if (!this.#needs.has(key)) {
      const template = this.template(instance);
      this.#needs.set(key, template ? needsOf(template) : undefined);
    }
    return this.#needs.get(key);
  }
}

/**
 * Agent positions that a group scans round-robin. It starts on a list shared with other groups
 * and copies it on its first removal; removal is O(1) (the last one moves in).
 */
class ScanList {
  #items: Int32Array;
  #length: number;
  #owned = false;
  #cursor: number;

  /** Starts the round-robin at a position derived from `seed`, so groups do not all pile up. */
  constructor(items: Int32Array, seed: number) {
    this.#items = items;
    this.#length = items.length;
    this.#cursor = items.length > 0 ? seed % items.length : 0;
  }

  /**
   * The first agent, from the cursor on, that `check` accepts. `check` answers 'ok', 'drop'
   * (rejected for the rest of the round) or 'skip' (rejected for now).
   */
  find(check: (index: number) => 'ok' | 'drop' | 'skip', count: () => void): number | undefined {
    let tried = 0;
    let pos = this.#cursor;
    while (tried < this.#length) {
      if (pos >= this.#length) pos = 0;
      const index = this.#items[pos]!;
      count();
      const verdict = check(index);
      if (verdict === 'ok') {
        this.#cursor = pos + 1;
        return index;
      }
      if (verdict === 'drop') {
        if (!this.#owned) {
          this.#items = this.#items.slice(0, this.#length);
          this.#owned = true;
        }
        this.#length--;
        // The last item moves into `pos`: look at it next, without counting a try against the
        // (now shorter) list.
        if (pos < this.#length) this.#items[pos] = this.#items[this.#length]!;
        continue;
      }
      pos++;
      tried++;
    }
    return undefined;
  }
}

/** Counted instances per value of one field, mutable during the round. */
interface Counts {
  byValue: Map<string, number>;
  placed: number;
}

/**
 * A GROUP_BY's values ordered by count: the values the App could go to (of agents that pass its
 * static filters), each with its count, bucketed by count so the least-used are found at once.
 */
class GroupByIndex {
  readonly #levels: Set<string>[] = [];
  readonly #level = new Map<string, number>();
  #min = 0;

  constructor(
    readonly constraint: CompiledConstraint,
    readonly counts: Counts,
    values: Iterable<string>,
  ) {
    for (const value of values) this.#insert(value, counts.byValue.get(value) ?? 0);
  }

  #insert(value: string, count: number): void {
    (this.#levels[count] ??= new Set()).add(value);
    this.#level.set(value, count);
    if (count < this.#min || this.#level.size === 1) this.#min = count;
  }

  get size(): number {
    return this.#level.size;
  }

  get min(): number {
    while (this.#min < this.#levels.length && !(this.#levels[this.#min]?.size ?? 0)) this.#min++;
    return this.#level.size === 0 ? 0 : this.#min;
  }

  /** The values with the fewest instances. */
  leastUsed(): Iterable<string> {
    return this.#level.size === 0 ? [] : (this.#levels[this.min] ?? []);
  }

  has(value: string): boolean {
    return this.#level.has(value);
  }

  increment(value: string): void {
    const count = this.#level.get(value);
    if (count === undefined) return;
    this.#levels[count]!.delete(value);
    (this.#levels[count + 1] ??= new Set()).add(value);
    this.#level.set(value, count + 1);
  }

  /** The value can take no more instances of the App (its agents are ruled out for good). */
  drop(value: string): void {
    const count = this.#level.get(value);
    if (count === undefined) return;
    this.#levels[count]!.delete(value);
    this.#level.delete(value);
    if (count === this.#min) this.#min = 0;
  }

  domain(): { size: number; min: number } {
    return { size: this.size, min: this.min };
  }
}

/** The pending instances of one App revision, and what the round knows about placing them. */
class GroupPlan {
  readonly #constraints: CompiledConstraint[];
  readonly #dynamic: CompiledConstraint[];
  readonly #needs: TaskNeeds;
  readonly #counts = new Map<string, Counts>();
  readonly #groupBys: GroupByIndex[] = [];
  /** Without GROUP_BY: one list. With: one per value of the first GROUP_BY's field. */
  #scan: ScanList | undefined;
  readonly #byValue = new Map<string, ScanList>();
  /** The first GROUP_BY's agents with an offer, by value id; its lists are made on first use. */
  #offeredByValue: ReadonlyMap<number, Int32Array> = new Map();
  /** Per value of the first GROUP_BY: agents not yet ruled out by a constraint. */
  readonly #alive = new Map<string, number>();
  #next = 0;
  scanned = 0;

  constructor(
    readonly key: string,
    readonly pending: Instance[],
    template: AppTemplate,
    readonly index: ClusterIndex,
    placed: readonly number[],
    readonly role: string,
    readonly outcome: AppOutcome,
  ) {
    this.#constraints = compileConstraints(template.constraints);
    this.#dynamic = this.#constraints.filter((c) => !isStatic(c));
    this.#needs = needsOf(template);
    for (const c of this.#constraints) {
      if (this.#counts.has(c.field)) continue;
      const counts: Counts = { byValue: new Map(), placed: 0 };
      for (const slot of placed) {
        counts.placed++;
        const value = index.value(c.field, slot);
        if (value !== undefined) counts.byValue.set(value, (counts.byValue.get(value) ?? 0) + 1);
      }
      this.#counts.set(c.field, counts);
    }
    this.#build();
  }

  get #slots(): readonly AgentSlot[] {
    return this.index.slots;
  }

  #build(): void {
    const eligible = this.index.eligible(this.#constraints, this.#needs.gpus > 0);
    const groupBys = this.#constraints.filter((c) => c.operator === 'GROUP_BY' && !c.invalid);
    const primary = groupBys[0];
    if (!primary) {
      this.#scan = new ScanList(eligible.offered, hashOf(this.key));
      return;
    }
    // The values an instance could go to: those of eligible agents (offered or not), less the
    // values whose every agent a UNIQUE, MAX_PER or CLUSTER rules out for good already.
    const column = this.index.column(primary.field);
    const alive = new Map<number, number>();
    for (const [id, agents] of this.index.partition(eligible.all, primary.field)) {
      alive.set(id, agents.length);
    }
    const ruledOut = new Set<number>();
    for (const c of this.#dynamic) {
      if (!isLasting(c)) continue;
      for (const id of this.#rejectedIds(c)) {
        for (const i of this.index.slotsWith(c.field, id)) {
          if (!eligible.mask[i] || ruledOut.has(i)) continue;
          ruledOut.add(i);
          const value = column.ids[i]!;
          alive.set(value, alive.get(value)! - 1);
        }
      }
    }
    const values: string[] = [];
    for (const [id, count] of alive) {
      if (count === 0) continue;
      values.push(column.values[id]!);
      this.#alive.set(column.values[id]!, count);
    }
    this.#offeredByValue = this.index.partition(eligible.offered, primary.field);
    this.#groupBys.push(new GroupByIndex(primary, this.#counts.get(primary.field)!, values));
    for (const c of groupBys.slice(1)) {
      const { values: all } = this.index.column(c.field);
      const names = [...this.index.partition(eligible.all, c.field).keys()].map((id) => all[id]!);
      this.#groupBys.push(new GroupByIndex(c, this.#counts.get(c.field)!, names));
    }
  }

  /** The scan list of one value of the first GROUP_BY, made on first use. */
  #listFor(field: string, value: string): ScanList | undefined {
    let list = this.#byValue.get(value);
    if (!list) {
      const id = this.index.column(field).idOf.get(value);
      const agents = id === undefined ? undefined : this.#offeredByValue.get(id);
      if (!agents) return undefined;
      list = new ScanList(agents, hashOf(this.key));
      this.#byValue.set(value, list);
    }
    return list;
  }

  /** The value ids of the constraint's field that it rules out for good, given the counts now. */
  #rejectedIds(c: CompiledConstraint): number[] {
    const column = this.index.column(c.field);
    const counts = this.#counts.get(c.field)!;
    const rejected: number[] = [];
    const countable = (c.operator === 'UNIQUE' || c.operator === 'MAX_PER') && !c.invalid;
    if (countable && !(c.operator === 'MAX_PER' && c.count <= 0)) {
      // Only values that already have instances can be refused: no need to look at the others.
      for (const value of counts.byValue.keys()) {
        const id = column.idOf.get(value);
        if (id !== undefined && judge(c, value, counts) !== undefined) rejected.push(id);
      }
      return rejected;
    }
    column.values.forEach((value, id) => {
      if (judge(c, value, counts) !== undefined) rejected.push(id);
    });
    return rejected;
  }

  /** Places the next pending instance; false when the group is done for this round. */
  placeNext(bindings: Binding[]): boolean {
    if (this.#next >= this.pending.length) return false;
    const slot = this.#choose();
    if (!slot) {
      const unplaced = this.pending.length - this.#next;
      this.outcome.unplaced += unplaced;
      addMessage(this.outcome, this.#whyNot());
      return false;
    }
    const fit = slot.offered.fit(this.#needs, this.role);
    if (!fit.ok) {
      // covers() said yes: a bug, but one App's bug must not stop the round for every App.
      this.outcome.unplaced += this.pending.length - this.#next;
      addMessage(this.outcome, `internal error: ${fit.shortages.map((x) => x.message).join('; ')}`);
      return false;
    }
    slot.offered.take(fit);
    const instance = this.pending[this.#next++]!;
    bindings.push({
      instance,
      agentId: slot.agentId,
      hostname: slot.facts.hostname,
      ports: fit.ports,
    });
    this.outcome.placed++;
    for (const [field, counts] of this.#counts) {
      counts.placed++;
      const value = this.index.value(field, slot.index);
      if (value !== undefined) counts.byValue.set(value, (counts.byValue.get(value) ?? 0) + 1);
    }
    for (const groupBy of this.#groupBys) {
      const value = this.index.value(groupBy.constraint.field, slot.index);
      if (value !== undefined) groupBy.increment(value);
    }
    return this.#next < this.pending.length;
  }

  #choose(): AgentSlot | undefined {
    const count = () => this.scanned++;
    const primary = this.#groupBys[0];
    if (!primary) {
      const index = this.#scan!.find((i) => {
        const verdict = this.#check(i);
        return verdict === 'drop-constraint' ? 'drop' : verdict;
      }, count);
      return index === undefined ? undefined : this.#slots[index];
    }
    if (primary.size < primary.constraint.count && primary.min > 0) return undefined;
    for (const value of [...primary.leastUsed()]) {
      const list = this.#listFor(primary.constraint.field, value);
      if (!list) continue;
      const index = list.find((i) => {
        const verdict = this.#check(i);
        if (verdict === 'drop-constraint') {
          const alive = this.#alive.get(value)! - 1;
          this.#alive.set(value, alive);
          if (alive === 0) primary.drop(value);
        }
        return verdict === 'drop-constraint' ? 'drop' : verdict;
      }, count);
      if (index !== undefined) return this.#slots[index];
    }
    return undefined;
  }

  /** Whether the agent takes the next instance now; a lasting no drops it from the scan. */
  #check(i: number): 'ok' | 'skip' | 'drop' | 'drop-constraint' {
    for (const c of this.#dynamic) {
      if (c === this.#groupBys[0]?.constraint) continue;
      const groupBy =
        c.operator === 'GROUP_BY' ? this.#groupBys.find((g) => g.constraint === c) : undefined;
      const value = this.index.value(c.field, i);
      const cause = judge(c, value, this.#counts.get(c.field)!, groupBy?.domain());
      if (cause !== undefined) return isLasting(c) ? 'drop-constraint' : 'skip';
    }
    return this.#slots[i]!.offered.covers(this.#needs, this.role) ? 'ok' : 'drop';
  }

  /** Why no agent takes the next instance: every agent's first reason, counted. */
  #whyNot(): string {
    const why = new WhyNot();
    for (const slot of this.#slots) {
      if (slot.standing === 'removed') continue;
      why.total++;
      this.#explain(slot, why);
    }
    return why.message();
  }

  #explain(slot: AgentSlot, why: WhyNot): void {
    if (slot.standing === 'unschedulable') {
      why.add('unschedulable', (n) => `${agents(n)} cordoned (spec.unschedulable)`);
      return;
    }
    if (this.#needs.gpus > 0 && !slot.gpus) {
      why.add('no-gpus', (n) => `gpus: need ${this.#needs.gpus}, ${agents(n)} without GPUs`);
      return;
    }
    if (this.#needs.gpus === 0 && slot.gpus) {
      why.add('gpu-kept', (n) => `${agents(n)} with GPUs, kept for apps that need GPUs`);
      return;
    }
    for (const [i, c] of this.#constraints.entries()) {
      const groupBy = this.#groupBys.find((g) => g.constraint === c);
      const counts = this.#counts.get(c.field)!;
      const value = this.index.value(c.field, slot.index);
      const cause: Cause | undefined = judge(c, value, counts, groupBy?.domain());
      if (cause !== undefined) {
        why.add(`c${i}:${cause}`, (n, total) => describeCause(c, cause, n, total, counts));
        return;
      }
    }
    if (!slot.hasOffers) {
      why.add('no-offers', (n) => `${agents(n)} with no offer held`);
      return;
    }
    const fit = slot.offered.fit(this.#needs, this.role);
    if (!fit.ok) why.addShortage(fit.shortages[0]!);
    else why.add('fits-later', (n) => `${agents(n)} kept for a better spread`);
  }
}

function agents(n: number): string {
  return n === 1 ? '1 agent' : `${n} agents`;
}

function addMessage(outcome: AppOutcome, message: string): void {
  outcome.message = outcome.message ? `${outcome.message}; ${message}` : message;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function hashOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

// `web-1-10` after `web-1-9`.
function compareNames(a: Instance, b: Instance): number {
  const x = a.metadata.name;
  const y = b.metadata.name;
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}
