/**
 * Range arithmetic over Mesos `Value.Ranges` (ports and other RANGES resources), as inclusive
 * `[begin, end]` intervals of whole numbers. Results are sorted and merged (adjacent intervals
 * join), and inputs are never modified.
 */

export type Interval = [begin: number, end: number];

/** Sorted, with overlapping and adjacent intervals joined. */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  if (list.length <= 1) return list.map(([b, e]) => [b, e]);
  const sorted = [...list].sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [[sorted[0]![0], sorted[0]![1]]];
  for (let i = 1; i < sorted.length; i++) {
    const [begin, end] = sorted[i]!;
    const last = out[out.length - 1]!;
    if (begin <= last[1] + 1) last[1] = Math.max(last[1], end);
    else out.push([begin, end]);
  }
  return out;
}

/** `from` without any number in `remove`. */
export function subtractIntervals(
  from: readonly Interval[],
  remove: readonly Interval[],
): Interval[] {
  let current = from.map(([b, e]): Interval => [b, e]);
  for (const [rb, re] of remove) {
    const next: Interval[] = [];
    for (const [b, e] of current) {
      if (re < b || rb > e) next.push([b, e]);
      else {
        if (b < rb) next.push([b, rb - 1]);
        if (re < e) next.push([re + 1, e]);
      }
    }
    current = next;
  }
  return current;
}

/** How many numbers the intervals hold. */
export function intervalsSize(list: readonly Interval[]): number {
  let size = 0;
  for (const [b, e] of list) size += e - b + 1;
  return size;
}

/** Sorted numbers as merged intervals: `[31000, 31001, 31005]` → `[[31000, 31001], [31005, 31005]]`. */
export function intervalsOf(numbers: readonly number[]): Interval[] {
  return mergeIntervals(numbers.map((n): Interval => [n, n]));
}
