import { describe, expect, it } from 'vitest';
import { diffLines, unifiedDiff } from '../../src/apply/unified-diff.ts';

describe('diffLines', () => {
  it('finds a shortest edit script that rebuilds both sides', () => {
    // A deterministic pseudo-random walk over small alphabets hits the awkward cases.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const list = () => Array.from({ length: next() % 9 }, () => 'abc'[next() % 3]!);
    for (let round = 0; round < 500; round++) {
      const a = list();
      const b = list();
      const edits = diffLines(a, b);
      expect(edits.filter((e) => e.op !== '+').map((e) => e.line)).toEqual(a);
      expect(edits.filter((e) => e.op !== '-').map((e) => e.line)).toEqual(b);
    }
    expect(diffLines(['a', 'b', 'c'], ['a', 'c', 'd'])).toEqual([
      { op: ' ', line: 'a' },
      { op: '-', line: 'b' },
      { op: ' ', line: 'c' },
      { op: '+', line: 'd' },
    ]);
  });
});

describe('unifiedDiff', () => {
  const names = { fromName: 'live', toName: 'merged' };
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\n', 'a\n', names)).toBe('');
  });

  it('prints hunks with three lines of context, split when changes are far apart', () => {
    const from = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n';
    const to = 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nK\nl\n';
    expect(unifiedDiff(from, to, names)).toBe(
      [
        '--- live',
        '+++ merged',
        '@@ -1,5 +1,5 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        ' d',
        ' e',
        '@@ -8,4 +8,5 @@',
        ' h',
        ' i',
        ' j',
        '-k',
        '+K',
        '+l',
        '',
      ].join('\n'),
    );
  });

  it('shows a new object as all added, and colours for a terminal', () => {
    expect(unifiedDiff('', 'a\nb\n', names)).toBe(
      '--- live\n+++ merged\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    );
    const coloured = unifiedDiff('a\n', 'b\n', { ...names, colour: true });
    expect(coloured).toContain('\x1b[31m-a\x1b[0m');
    expect(coloured).toContain('\x1b[32m+b\x1b[0m');
  });
});
