/**
 * Line diffs in the unified format (`---`/`+++` headers, `@@ -a,b +c,d @@` hunks with three
 * lines of context), computed with Myers' O((N+M)·D) algorithm, so that a small change to a
 * large object costs little. Optional ANSI colour for terminals.
 */

export type Edit = { op: ' ' | '-' | '+'; line: string };

/** The shortest edit script turning `a` into `b`. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        v = next;
        trace.push(v);
        break outer;
      }
    }
    v = next;
  }
  // Walk the trace back from the end, collecting edits in reverse.
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0; d--) {
    const before = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && before[offset + k - 1]! < before[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : before[offset + prevK]!;
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      y--;
      edits.push({ op: ' ', line: a[--x]! });
    }
    if (d > 0) {
      if (down) edits.push({ op: '+', line: b[--y]! });
      else edits.push({ op: '-', line: a[--x]! });
    }
  }
  return edits.reverse();
}

export interface UnifiedOptions {
  fromName: string;
  toName: string;
  context?: number;
  colour?: boolean;
}

/** The unified diff of two texts; empty when they are equal. */
export function unifiedDiff(from: string, to: string, options: UnifiedOptions): string {
  if (from === to) return '';
  const edits = diffLines(splitLines(from), splitLines(to));
  const context = options.context ?? 3;
  const paint = colours(options.colour ?? false);
  const out = [paint.header(`--- ${options.fromName}`), paint.header(`+++ ${options.toName}`)];
  // Positions (1-based) in a and b before each edit.
  let aLine = 1;
  let bLine = 1;
  const numbered = edits.map((edit) => {
    const at = { ...edit, a: aLine, b: bLine };
    if (edit.op !== '+') aLine++;
    if (edit.op !== '-') bLine++;
    return at;
  });
  const changed = numbered.flatMap((e, i) => (e.op === ' ' ? [] : [i]));
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, changed[i]! - context);
    let end = changed[i]!;
    while (i + 1 < changed.length && changed[i + 1]! - end <= 2 * context) end = changed[++i]!;
    end = Math.min(numbered.length - 1, end + context);
    i++;
    const hunk = numbered.slice(start, end + 1);
    const aCount = hunk.filter((e) => e.op !== '+').length;
    const bCount = hunk.filter((e) => e.op !== '-').length;
    const aStart = aCount === 0 ? hunk[0]!.a - 1 : hunk[0]!.a;
    const bStart = bCount === 0 ? hunk[0]!.b - 1 : hunk[0]!.b;
    out.push(paint.hunk(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`));
    for (const e of hunk) out.push(paint[e.op](`${e.op}${e.line}`));
  }
  return `${out.join('\n')}\n`;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function colours(on: boolean) {
  const wrap = (code: string) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    header: wrap('1'),
    hunk: wrap('36'),
    ' ': (text: string) => text,
    '-': wrap('31'),
    '+': wrap('32'),
  };
}
