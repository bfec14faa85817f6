/**
 * How Apps are printed by `get` (and `get -w`): kubectl's table (NAME, INSTANCES as
 * running/wanted, HEALTHY, UPDATED, AGE; `-o wide` adds resources, revision and what runs);
 * object-output.ts prints any kind through such a view, and `-o` formats are parsed here.
 */
import { APP_RESOURCE, type App } from '../api/index.ts';
import { UsageError } from '../errors.ts';
import { humanAge } from './age.ts';
import type { ObjectView } from './object-output.ts';

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

export const appView: ObjectView<App> = {
  resource: APP_RESOURCE,
  listKind: 'AppList',
  headers: appHeaders,
  row: appRow,
};
