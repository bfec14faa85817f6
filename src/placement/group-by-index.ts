/**
 * During a round, how one App revision's counted instances spread over the values of a GROUP_BY
 * field: each value's count, bucketed by count so the least-used values are found at once, and
 * the fewest (`min`) that GROUP_BY compares against. Values can be dropped (no agent of theirs
 * can take another instance); counts only grow.
 */
import type { CompiledConstraint } from './constraints.ts';

/** Counted instances per value of one field, mutable during the round. */
export interface Counts {
  byValue: Map<string, number>;
  placed: number;
}

/**
 * A GROUP_BY's values ordered by count: the values the App could go to (of agents that pass its
 * static filters), each with its count, bucketed by count so the least-used are found at once.
 */
export class GroupByIndex {
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
