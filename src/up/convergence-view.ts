/**
 * Shows Apps converging, for `meseta up`: a table of counts per App (wanted, running, healthy,
 * updated, and a one-word state), redrawn in place on a terminal, or one line per App whose
 * counts changed when the output is a file or a pipe (so a log stays readable), plus a summary
 * line whenever the number of converged Apps changes. It reads the Apps' status, which the apps
 * controller keeps, through one informer: no per-App reads.
 */
import type { StoredApp } from '../api/resources.ts';
import { appResource } from '../api/resources.ts';
import { renderTable } from '../cli/table.ts';
import { Informer, objectKey } from '../runtime/informer.ts';
import type { ObjectStore } from '../store/object-store.ts';

export interface AppRow {
  key: string;
  wanted: number;
  running: number;
  healthy: number;
  updated: number;
  state: string;
  converged: boolean;
}

/** Where the view writes: a terminal (redrawn in place) or anything else (appended to). */
export interface ViewOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** One App's row, from its spec and the status the apps controller wrote. */
export function appRow(app: StoredApp): AppRow {
  const status = app.status ?? {};
  const wanted = app.spec.instances ?? 1;
  const row = {
    key: objectKey(app),
    wanted,
    running: status.running ?? 0,
    healthy: status.healthy ?? 0,
    updated: status.updated ?? 0,
  };
  const observed = status.observedGeneration === app.metadata.generation;
  const converged =
    !app.metadata.deletionTimestamp &&
    observed &&
    (status.instances ?? 0) === wanted &&
    row.running === wanted &&
    row.healthy === wanted &&
    row.updated === wanted;
  const degraded = status.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
  const state = app.metadata.deletionTimestamp
    ? 'Deleting'
    : converged
      ? 'Converged'
      : degraded
        ? `Degraded (${degraded.reason})`
        : !observed
          ? 'Pending'
          : 'Progressing';
  return { ...row, state, converged };
}

const HEADERS = ['APP', 'WANTED', 'RUNNING', 'HEALTHY', 'UPDATED', 'STATE'];

export function renderRows(rows: readonly AppRow[]): string {
  const cells = rows.map((r) => [
    r.key,
    String(r.wanted),
    String(r.running),
    String(r.healthy),
    String(r.updated),
    r.state,
  ]);
  return renderTable(HEADERS, cells);
}

export function summary(rows: readonly AppRow[]): string {
  const done = rows.filter((r) => r.converged).length;
  if (rows.length === 0) return 'no apps yet\n';
  return done === rows.length
    ? `all ${rows.length} apps converged\n`
    : `${done} of ${rows.length} apps converged\n`;
}

function changeLine(row: AppRow): string {
  return `${row.key}: ${row.running}/${row.wanted} running, ${row.healthy} healthy, ${row.updated} updated, ${row.state}\n`;
}

export class ConvergenceView {
  private readonly out: ViewOutput;
  private printed = new Map<string, string>();
  private drawnLines = 0;
  private lastSummary = '';
  private rows: AppRow[] = [];

  constructor(out: ViewOutput) {
    this.out = out;
  }

  /** Whether every App shown has converged (false while there are none). */
  allConverged(): boolean {
    return this.rows.length > 0 && this.rows.every((r) => r.converged);
  }

  current(): readonly AppRow[] {
    return this.rows;
  }

  /** Shows `apps` as they are now. */
  show(apps: Iterable<StoredApp>): void {
    this.rows = [...apps].map(appRow).sort((a, b) => a.key.localeCompare(b.key));
    const next = summary(this.rows);
    if (this.out.isTTY) {
      const text = renderRows(this.rows) + next;
      // Move up over the previous drawing and clear to the end of the screen, then redraw.
      const rewind = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A\x1b[J` : '';
      this.out.write(rewind + text);
      this.drawnLines = text.split('\n').length - 1;
      return;
    }
    const seen = new Set<string>();
    for (const row of this.rows) {
      seen.add(row.key);
      const line = changeLine(row);
      if (this.printed.get(row.key) !== line) this.out.write(line);
      this.printed.set(row.key, line);
    }
    for (const key of [...this.printed.keys()]) {
      if (!seen.has(key)) {
        this.out.write(`${key}: deleted\n`);
        this.printed.delete(key);
      }
    }
    if (next !== this.lastSummary) this.out.write(next);
    this.lastSummary = next;
  }

  /**
   * Follows the Apps in `store` until `signal` aborts, redrawing at most every `intervalMs`
   * (a burst of status writes draws once).
   */
  async follow(store: ObjectStore, signal: AbortSignal, intervalMs = 200): Promise<void> {
    const apps = new Informer(store, appResource);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const draw = () => {
      timer = undefined;
      this.show(apps.list());
    };
    const schedule = () => {
      timer ??= setTimeout(draw, intervalMs);
    };
    apps.addHandlers({ added: schedule, modified: schedule, deleted: schedule });
    try {
      await apps.run(signal);
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
