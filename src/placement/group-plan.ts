/**
 * The pending instances of one App revision in a round, and everything the round knows about
 * placing them: the counted instances per constraint field, the agents it may scan (shared
 * lists from the ClusterIndex), the GROUP_BY indexes, and why it stopped when it did.
 * `placeNext` places one instance (the round calls the groups in turn, for fairness).
 */
import type { AppTemplate } from '../api/app-revision.ts';
import type { Instance } from '../api/instance.ts';
import type { AgentSlot } from './agent-slot.ts';
import type { ClusterIndex } from './cluster-index.ts';
import {
  compileConstraints,
  describeCause,
  isLasting,
  isStatic,
  judge,
  type Cause,
  type CompiledConstraint,
} from './constraints.ts';
import { GroupByIndex, type Counts } from './group-by-index.ts';
import { needsOf, type TaskNeeds } from './resources.ts';
import type { AppOutcome, Binding } from './round.ts';
import { ScanList } from './scan-list.ts';
import { WhyNot } from './why-not.ts';

/** What holds for every group of a round. */
export interface RoundRules {
  /** The framework's Mesos role. */
  role: string;
  /** Instances awaiting launch on one agent, at most. */
  maxPerOffer: number;
  /** Where every scan starts (modulo its length). */
  start: number;
}

/** The pending instances of one App revision, and what the round knows about placing them. */
export class GroupPlan {
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
    readonly rules: RoundRules,
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
      this.#scan = new ScanList(eligible.offered, this.rules.start);
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
      list = new ScanList(agents, this.rules.start);
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
    const fit = slot.offered.fitTask(this.#needs, this.rules.role);
    if (!fit.ok) {
      // covers() said yes: a bug, but one App's bug must not stop the round for every App.
      this.outcome.unplaced += this.pending.length - this.#next;
      addMessage(this.outcome, `internal error: ${fit.shortages.map((x) => x.message).join('; ')}`);
      return false;
    }
    slot.offered.take(fit);
    slot.taken++;
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
    const slot = this.#slots[i]!;
    if (slot.taken >= this.rules.maxPerOffer) return 'drop';
    for (const c of this.#dynamic) {
      if (c === this.#groupBys[0]?.constraint) continue;
      const groupBy =
        c.operator === 'GROUP_BY' ? this.#groupBys.find((g) => g.constraint === c) : undefined;
      const value = this.index.value(c.field, i);
      const cause = judge(c, value, this.#counts.get(c.field)!, groupBy?.domain());
      if (cause !== undefined) return isLasting(c) ? 'drop-constraint' : 'skip';
    }
    return slot.offered.covers(this.#needs, this.rules.role) ? 'ok' : 'drop';
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
    if (slot.spent) {
      why.add('offer-used', (n) => `${agents(n)} whose offer a launch just used`);
      return;
    }
    if (slot.expiring) {
      why.add('offer-expiring', (n) => `${agents(n)} whose offer is about to be declined`);
      return;
    }
    if (!slot.hasOffers) {
      why.add('no-offers', (n) => `${agents(n)} with no offer held`);
      return;
    }
    if (slot.taken >= this.rules.maxPerOffer) {
      const max = this.rules.maxPerOffer;
      why.add('offer-full', (n) => `${agents(n)} with ${max} instances awaiting launch already`);
      return;
    }
    const fit = slot.offered.fitTask(this.#needs, this.rules.role);
    if (!fit.ok) why.addShortage(fit.shortages[0]!);
    else why.add('fits-later', (n) => `${agents(n)} kept for a better spread`);
  }
}

function agents(n: number): string {
  return n === 1 ? '1 agent' : `${n} agents`;
}

export function addMessage(outcome: AppOutcome, message: string): void {
  outcome.message = outcome.message ? `${outcome.message}; ${message}` : message;
}
