/**
 * An ordered set of keys for range scans: sorted chunks of bounded size, found by binary
 * search, so an insert or removal costs O(log n + chunk) and a scan of k keys O(log n + k).
 * Point lookups do not come here; the engine keeps a Map for those.
 */

const MAX_CHUNK = 1024;

export class KeyIndex {
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `key`; the caller guarantees it is not present. */
  insert(key: string): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      return;
    }
    let c = this.chunkFor(key);
    if (c === this.chunks.length) c--; // beyond every key: append to the last chunk
    const chunk = this.chunks[c]!;
    chunk.splice(lowerBound(chunk, key), 0, key);
    if (chunk.length > MAX_CHUNK) {
      this.chunks.splice(c + 1, 0, chunk.splice(MAX_CHUNK >> 1));
    }
  }

  remove(key: string): void {
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    if (!chunk) return;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
  }

  /** Keys in [start, end) ascending; `end` null for no upper bound. */
  *scan(start: string, end: string | null): Generator<string> {
    const first = this.chunkFor(start);
    for (let c = first; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      for (let i = c === first ? lowerBound(chunk, start) : 0; i < chunk.length; i++) {
        const key = chunk[i]!;
        if (end !== null && key >= end) return;
        yield key;
      }
    }
  }

  /** Index of the first chunk whose last key is >= key (chunks.length when none). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = this.chunks[mid]!;
      if (chunk[chunk.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
