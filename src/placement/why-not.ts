/**
 * Why an instance could not be placed, in one line a person can act on: each agent is ruled out
 * by the first thing that rules it out, and agents ruled out alike are counted together —
 * `no agent can take an instance (20 agents): UNIQUE hostname: all 5 agents already run an
 * instance; cpus: need 2, largest offer 1.5 (15 agents)`. Groups are listed largest first.
 */
import type { Shortage } from './resources.ts';

interface Entry {
  agents: number;
  /** Words for the group, given how many agents are in it and how many were considered. */
  describe: (agents: number, total: number) => string;
}

interface ShortageEntry {
  agents: number;
  shortage: Shortage;
  /** The most any ruled-out agent offered of it. */
  largest: number;
}

export class WhyNot {
  readonly #entries = new Map<string, Entry>();
  readonly #shortages = new Map<string, ShortageEntry>();
  /** Agents considered (removed agents are not). */
  total = 0;

  /** Counts one agent under `key`; `describe` is used for the first agent of the key. */
  add(key: string, describe: (agents: number, total: number) => string): void {
    const entry = this.#entries.get(key);
    if (entry) entry.agents++;
    else this.#entries.set(key, { agents: 1, describe });
  }

  /** Counts one agent ruled out for lack of resources (only its first shortage). */
  addShortage(shortage: Shortage): void {
    const key = shortage.port !== undefined ? `ports:${shortage.port}` : shortage.resource;
    const entry = this.#shortages.get(key);
    if (!entry) this.#shortages.set(key, { agents: 1, shortage, largest: shortage.offered });
    else {
      entry.agents++;
      entry.largest = Math.max(entry.largest, shortage.offered);
    }
  }

  get empty(): boolean {
    return this.#entries.size === 0 && this.#shortages.size === 0;
  }

  /** The reasons, largest group first. */
  reasons(): string[] {
    const lines: { agents: number; text: string }[] = [];
    for (const entry of this.#entries.values()) {
      lines.push({ agents: entry.agents, text: entry.describe(entry.agents, this.total) });
    }
    for (const { agents, shortage, largest } of this.#shortages.values()) {
      const count = agents === 1 ? '1 agent' : `${agents} agents`;
      const text =
        shortage.port !== undefined
          ? `ports: ${shortage.port} not offered (${count})`
          : `${shortage.resource}: need ${shortage.need}, largest offer ${largest} (${count})`;
      lines.push({ agents, text });
    }
    return lines.sort((a, b) => b.agents - a.agents).map((line) => line.text);
  }

  /** The whole answer. */
  message(): string {
    if (this.total === 0) return 'no agent can take an instance: no agents are known';
    const count = this.total === 1 ? '1 agent' : `${this.total} agents`;
    return `no agent can take an instance (${count}): ${this.reasons().join('; ')}`;
  }
}
