/**
 * Columns over one round's agents, so that filtering 10,000 agents for an App costs a few
 * typed-array reads per agent instead of string work:
 * - per field, each agent's value as a small integer id (`-1`: the agent has none), values
 *   rendered once per round;
 * - per static constraint (LIKE, UNLIKE, IS, or an invalid one), its verdict per distinct value,
 *   so a regular expression runs once per value, not once per agent;
 * - per static filter (GPU rule plus static constraints plus the fields the other constraints
 *   need), the list of agents that pass, shared by every App revision with the same filter.
 * Built lazily; nothing here changes during the round.
 */
import type { AgentSlot } from './agent-slot.ts';
import { isStatic, judge, type CompiledConstraint } from './constraints.ts';
import { fieldValue } from './fields.ts';

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
  readonly #eligible = new Map<string, Int32Array>();

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
  eligible(constraints: readonly CompiledConstraint[], wantsGpus: boolean): Int32Array {
    const statics = constraints.filter(isStatic);
    const needed = [...new Set(constraints.filter((c) => !isStatic(c)).map((c) => c.field))];
    const key = [
      wantsGpus ? 'gpu' : 'cpu',
      ...statics.map((c) => `${c.field}\u0000${c.label}`).sort(),
      ...needed.sort().map((f) => `has\u0000${f}`),
    ].join('\u0001');
    let list = this.#eligible.get(key);
    if (!list) {
      const checks = statics.map((c) => ({
        ids: this.column(c.field).ids,
        verdict: this.#verdict(c),
        missingOk: c.operator === 'UNLIKE' && c.invalid === undefined,
      }));
      const present = needed.map((f) => this.column(f).ids);
      const out: number[] = [];
      agents: for (const slot of this.slots) {
        if (slot.standing !== 'ok' || slot.gpus !== wantsGpus) continue;
        const i = slot.index;
        for (const { ids, verdict, missingOk } of checks) {
          const id = ids[i]!;
          if (id < 0 ? !missingOk : verdict[id] === 0) continue agents;
        }
        for (const ids of present) if (ids[i]! < 0) continue agents;
        out.push(i);
      }
      list = Int32Array.from(out);
      this.#eligible.set(key, list);
    }
    return list;
  }
}
