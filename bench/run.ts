/**
 * `npm run bench [name…]`: runs the benchmarks in `bench/` (every `*.bench.ts`, or the named
 * ones), prints one table, and writes the rows as JSON to `bench/results/<name>.json` together
 * with the machine and the date, so that figures can be compared as ratios across runs.
 * A benchmark module exports `run(): Promise<BenchRow[]>`.
 */
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  /** What was measured, e.g. `put+get latency p50 (etcd)`. */
  name: string;
  value: number;
  unit: string;
  /** The target or context, e.g. `target >= 100000`. */
  note?: string;
}

export type Benchmark = { run(): Promise<BenchRow[]> };

const here = dirname(fileURLToPath(import.meta.url));

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown cpu';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

async function main(selected: string[]): Promise<void> {
  const names = readdirSync(here)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => basename(file, '.bench.ts'))
    .filter((name) => selected.length === 0 || selected.includes(name))
    .sort();
  if (names.length === 0) throw new Error(`no benchmark matches ${selected.join(', ')}`);
  const resultsDir = join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  for (const name of names) {
    console.error(`running ${name}…`);
    const bench = (await import(join(here, `${name}.bench.ts`))) as Benchmark;
    const rows = await bench.run();
    printTable(name, rows);
    const record = { benchmark: name, date: new Date().toISOString(), machine: machine(), rows };
    writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(record, null, 2) + '\n');
  }
}

function printTable(name: string, rows: BenchRow[]): void {
  const width = Math.max(...rows.map((row) => row.name.length), 10);
  console.log(`\n${name} — ${machine()}`);
  for (const row of rows) {
    const value = Number.isInteger(row.value) ? String(row.value) : row.value.toFixed(2);
    console.log(
      `  ${row.name.padEnd(width)}  ${value.padStart(12)} ${row.unit}${row.note ? `  (${row.note})` : ''}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
