/**
 * Plain-text tables the way kubectl prints them: upper-case headers, columns left-aligned and
 * separated by three spaces, no borders, trailing spaces trimmed.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [headers, ...rows].map((row) => `${line(row)}\n`).join('');
}
