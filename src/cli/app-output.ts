/**
 * How Apps are printed by `get` (and `get -w`): kubectl's table (NAME, INSTANCES as
 * running/wanted, HEALTHY, UPDATED, AGE; `-o wide` adds resources, revision and what runs),
 * or the objects as YAML or JSON, or `app.meseta.io/NAME` lines.
 */
import { stringify } from 'yaml';
import { APP_API_VERSION, APP_RESOURCE, type App } from '../api/index.ts';
import { UsageError } from '../errors.ts';
import { humanAge } from './age.ts';
import type { ObjectView } from './object-output.ts';
import { renderTable } from './table.ts';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

export function parseOutput(text: string | undefined): OutputFormat {
  if (text === undefined) return 'table';
  if (text === 'wide' || text === 'yaml' || text === 'json' || text === 'name') return text;
  throw new UsageError(`-o must be wide, yaml, json or name (got "${text}")`);
}

export interface TableOptions {
  wide: boolean;
  allNamespaces: boolean;
  headers: boolean;
  now: number;
}

export function appHeaders(options: Pick<TableOptions, 'wide' | 'allNamespaces'>): string[] {
  return [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'INSTANCES',
    'HEALTHY',
    'UPDATED',
    'AGE',
    ...(options.wide ? ['CPUS', 'MEM', 'REVISION', 'RUNS'] : []),
  ];
}

export function appRow(app: App, options: TableOptions): string[] {
  const status = app.status ?? {};
  const runs = app.spec.container?.docker?.image ?? app.spec.cmd ?? '';
  return [
    ...(options.allNamespaces ? [app.metadata.namespace] : []),
    app.metadata.name,
    `${status.running ?? 0}/${app.spec.instances}`,
    String(status.healthy ?? 0),
    String(status.updated ?? 0),
    humanAge(app.metadata.creationTimestamp, options.now),
    ...(options.wide
      ? [
          String(app.spec.cpus),
          String(app.spec.mem),
          status.currentRevision === undefined ? '<none>' : String(status.currentRevision),
          runs.length > 40 ? `${runs.slice(0, 39)}…` : runs,
        ]
      : []),
  ];
}

/** Renders `apps`; `single` prints one object bare rather than as a list. */
export function renderApps(
  apps: readonly App[],
  format: OutputFormat,
  options: Omit<TableOptions, 'wide'> & { single?: boolean },
): string {
  switch (format) {
    case 'name':
      return apps.map((app) => `${APP_RESOURCE}/${app.metadata.name}\n`).join('');
    case 'yaml':
    case 'json': {
      const value =
        options.single && apps.length === 1
          ? apps[0]
          : { apiVersion: APP_API_VERSION, kind: 'AppList', items: apps };
      return format === 'yaml' ? stringify(value) : `${JSON.stringify(value, null, 2)}\n`;
    }
    case 'table':
    case 'wide': {
      const table = { ...options, wide: format === 'wide' };
      const rows = apps.map((app) => appRow(app, table));
      const text = renderTable(appHeaders(table), rows);
      return options.headers ? text : text.slice(text.indexOf('\n') + 1);
    }
  }
}

export const appView: ObjectView<App> = {
  resource: APP_RESOURCE,
  listKind: 'AppList',
  headers: appHeaders,
  row: appRow,
};
