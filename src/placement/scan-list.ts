/**
 * The agents one App revision scans during a round, round-robin from where its last placement
 * was. A list starts shared (the round's eligible list or a GROUP_BY partition) and is copied on
 * its first removal; a removal is O(1) (the last agent moves into its place).
 */
export class ScanList {
  #items: Int32Array;
  #length: number;
  #owned = false;
  #cursor: number;

  /**
   * Starts the round-robin at position `start` (modulo the length): a round gives every group the
   * same start, so that a burst fills the same offers (see round.ts, "Packing").
   */
  constructor(items: Int32Array, start: number) {
    this.#items = items;
    this.#length = items.length;
    this.#cursor = items.length > 0 ? start % items.length : 0;
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
