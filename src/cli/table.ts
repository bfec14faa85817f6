/**
 * Plain-text tables the way kubectl prints them: upper-case headers, columns left-aligned and
 * separated by three spaces, no borders, trailing spaces trimmed. Rows printed later (as
 * `get -w` does) reuse the widths of the first print.
 */
export type Widths = readonly number[];

export function columnWidths(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): Widths {
  return headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
}

export function renderRow(cells: readonly string[], widths: Widths): string {
  const text = cells
    .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
    .join('   ')
    .trimEnd();
  return `${text}\n`;
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = columnWidths(headers, rows);
  return [headers, ...rows].map((row) => renderRow(row, widths)).join('');
}
