/**
 * The layout `describe` prints, as `kubectl describe` does: `Label:` values in one column (16
 * wide), lists continued under it, nested fields indented by two, and sections holding a table
 * indented by two (or `<none>`). A table cell that spans several lines (a long condition
 * message) keeps its row and continues, indented, under it. Pure.
 */
import { renderTable } from './table.ts';

const VALUE_COLUMN = 16;

export class DescribeText {
  private readonly lines: string[] = [];

  field(label: string, value: string, indent = 0): void {
    const head = `${label}:`;
    const width = VALUE_COLUMN - indent;
    const [first = '', ...more] = value.split('\n');
    this.lines.push(
      `${' '.repeat(indent)}${head.length < width ? head.padEnd(width) : `${head} `}${first}`,
    );
    for (const line of more) this.lines.push(`${' '.repeat(VALUE_COLUMN)}${line}`);
  }

  /** One item per line under the label; `<none>` when empty. */
  list(label: string, items: readonly string[], indent = 0): void {
    if (items.length === 0) return this.field(label, '<none>', indent);
    this.field(label, items[0]!, indent);
    for (const item of items.slice(1)) this.lines.push(`${' '.repeat(VALUE_COLUMN)}${item}`);
  }

  heading(label: string): void {
    this.lines.push(`${label}:`);
  }

  /** A labelled table; `<none>` when there are no rows. */
  section(label: string, headers: readonly string[], rows: readonly (readonly string[])[]): void {
    if (rows.length === 0) return this.field(label, '<none>');
    this.heading(label);
    this.table(headers, rows);
  }

  /** A table indented by two; a cell's later lines follow its row, under the row's last column. */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const firstLines = rows.map((row) => row.map((cell) => cell.split('\n')[0]!));
    const text = renderTable(headers, firstLines).trimEnd().split('\n');
    this.lines.push(`  ${text[0]}`);
    rows.forEach((row, i) => {
      const line = text[i + 1]!;
      this.lines.push(`  ${line}`);
      const more = row.flatMap((cell) => cell.split('\n').slice(1));
      const lastColumn = line.length - (row.at(-1)?.split('\n')[0]?.length ?? 0);
      for (const extra of more) this.lines.push(`  ${' '.repeat(lastColumn)}${extra}`);
    });
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** `k=v` for each entry of a map. */
export function pairs(map: Record<string, string> | undefined): string[] {
  return Object.entries(map ?? {}).map(([k, v]) => `${k}=${v}`);
}
