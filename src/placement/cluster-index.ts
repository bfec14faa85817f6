/**
 * Columns over one round's agents, so that filtering 10,000 agents for an App costs a few
 * typed-array reads per agent instead of string work:
 * - per field, each agent's value as a small integer id (`-1`: the agent has none), values
 *   rendered once per round;
 * - per static constraint (LIKE, UNLIKE, IS, or an invalid one), its verdict per distinct value,
 *   so a regular expression runs once per value, not once per agent;
 * - per static filter (GPU rule plus static constraints plus the fields the other constraints
 *   need), the list of agents that pass, shared by every App revision with the same filter, and
 *   split by the values of a GROUP_BY field;
 * - per field, the agents holding each value (to find those a UNIQUE or MAX_PER rules out).
 * Built lazily; nothing here changes during the round.
 */
import type { AgentSlot } from './agent-slot.ts';
import { isStatic, judge, type CompiledConstraint } from './constraints.ts';
import { fieldValue } from './fields.ts';

/** The agents that pass an App's static filter: all of them, and those with an offer now. */
export interface Eligible {
  readonly all: Int32Array;
  readonly offered: Int32Array;
  /** 1 at the slot index of every agent in `all`. */
  readonly mask: Uint8Array;
}

export interface Column {
  /** Per agent (by slot index): the id of its value, or -1. */
  readonly ids: Int32Array;
  /** Per id: the value. */
  readonly values: readonly string[];
  /** Per value: its id. */
  readonly idOf: ReadonlyMap<string, number>;
}

const noCounts = { byValue: new Map<string, number>(), placed: 0 };

export class ClusterIndex {
  readonly #columns = new Map<string, Column>();
  readonly #verdicts = new Map<string, Uint8Array>();
  readonly #eligible = new Map<string, Eligible>();
  readonly #partitions = new WeakMap<Int32Array, Map<string, Map<number, Int32Array>>>();
  readonly #inverse = new Map<string, Map<number, number[]>>();

  constructor(readonly slots: readonly AgentSlot[]) {}

  column(field: string): Column {
    let column = this.#columns.get(field);
    if (!column) {
      const ids = new Int32Array(this.slots.length);
      const values: string[] = [];
      const idOf = new Map<string, number>();
      for (const slot of this.slots) {
        const value = fieldValue(slot.facts, field);
        if (value === undefined) ids[slot.index] = -1;
        else {
          let id = idOf.get(value);
          if (id === undefined) {
            id = values.length;
            values.push(value);
            idOf.set(value, id);
          }
          ids[slot.index] = id;
        }
      }
      column = { ids, values, idOf };
      this.#columns.set(field, column);
    }
    return column;
  }

  /** The agent's value of a field. */
  value(field: string, slot: number): string | undefined {
    const column = this.column(field);
    const id = column.ids[slot]!;
    return id < 0 ? undefined : column.values[id];
  }

  /** 1 where a static constraint accepts the value with that id. */
  #verdict(constraint: CompiledConstraint): Uint8Array {
    const key = `${constraint.field}\u0000${constraint.label}`;
    let verdict = this.#verdicts.get(key);
    if (!verdict) {
      const { values } = this.column(constraint.field);
      verdict = new Uint8Array(values.length);
      values.forEach((value, id) => {
        verdict![id] = judge(constraint, value, noCounts) === undefined ? 1 : 0;
      });
      this.#verdicts.set(key, verdict);
    }
    return verdict;
  }

  /**
   * The agents (slot indexes, ascending) that may take an instance of an App revision whatever
   * else is placed: not cordoned or removed, on the right side of the GPU rule, accepted by every
   * static constraint, and having a value for every field the other constraints look at.
   */
  eligible(constraints: readonly CompiledConstraint[], wantsGpus: boolean): Eligible {
    const statics = constraints.filter(isStatic);
    const needed = [...new Set(constraints.filter((c) => !isStatic(c)).map((c) => c.field))];
    const key = [
      wantsGpus ? 'gpu' : 'cpu',
      ...statics.map((c) => `${c.field}\u0000${c.label}`).sort(),
      ...needed.sort().map((f) => `has\u0000${f}`),
    ].join('\u0001');
    let eligible = this.#eligible.get(key);
    if (!eligible) {
      const checks = statics.map((c) => ({
        ids: this.column(c.field).ids,
        verdict: this.#verdict(c),
        missingOk: c.operator === 'UNLIKE' && c.invalid === undefined,
      }));
      const present = needed.map((f) => this.column(f).ids);
      const all: number[] = [];
      const offered: number[] = [];
      const mask = new Uint8Array(this.slots.length);
      agents: for (const slot of this.slots) {
        if (slot.standing !== 'ok' || slot.gpus !== wantsGpus) continue;
        const i = slot.index;
        for (const { ids, verdict, missingOk } of checks) {
          const id = ids[i]!;
          if (id < 0 ? !missingOk : verdict[id] === 0) continue agents;
        }
        for (const ids of present) if (ids[i]! < 0) continue agents;
        all.push(i);
        mask[i] = 1;
        if (slot.hasOffers) offered.push(i);
      }
      eligible = { all: Int32Array.from(all), offered: Int32Array.from(offered), mask };
      this.#eligible.set(key, eligible);
    }
    return eligible;
  }

  /** `list` split by the agents' value of `field` (every agent in it has one): value id → agents. */
  partition(list: Int32Array, field: string): ReadonlyMap<number, Int32Array> {
    let byField = this.#partitions.get(list);
    if (!byField) this.#partitions.set(list, (byField = new Map()));
    let partition = byField.get(field);
    if (!partition) {
      const ids = this.column(field).ids;
      const parts = new Map<number, number[]>();
      for (const i of list) {
        const id = ids[i]!;
        const part = parts.get(id);
        if (part) part.push(i);
        else parts.set(id, [i]);
      }
      partition = new Map([...parts].map(([id, part]) => [id, Int32Array.from(part)]));
      byField.set(field, partition);
    }
    return partition;
  }

  /** Every agent (slot index) whose value of `field` has id `id`. */
  slotsWith(field: string, id: number): readonly number[] {
    let inverse = this.#inverse.get(field);
    if (!inverse) {
      inverse = new Map();
      const ids = this.column(field).ids;
      for (let i = 0; i < ids.length; i++) {
        const list = inverse.get(ids[i]!);
        if (list) list.push(i);
        else inverse.set(ids[i]!, [i]);
      }
      this.#inverse.set(field, inverse);
    }
    return inverse.get(id) ?? [];
  }
}
