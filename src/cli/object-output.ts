/**
 * How any kind is printed by `get` (and `get -w`), given its view — the table's headers and
 * one row per object: kubectl's table, the objects as YAML or JSON (a `<Kind>List` when more
 * than one may come back), or `<resource>/NAME` lines.
 */
import { stringify } from 'yaml';
import type { StoredObject } from '../store/object.ts';
import type { OutputFormat, TableOptions } from './app-output.ts';
import { renderTable } from './table.ts';

/** The columns of one kind, and the names it prints under. */
export interface ObjectView<T> {
  /** `instance.meseta.io`: what `-o name` and "not found" messages call the kind. */
  resource: string;
  listKind: string;
  headers(options: Pick<TableOptions, 'wide' | 'allNamespaces'>): string[];
  row(object: T, options: TableOptions): string[];
}

/** Renders `objects`; `single` prints one object bare rather than as a list. */
export function renderObjects<T extends StoredObject>(
  objects: readonly T[],
  view: ObjectView<T>,
  format: OutputFormat,
  options: Omit<TableOptions, 'wide'> & { single?: boolean },
): string {
  switch (format) {
    case 'name':
      return objects.map((o) => `${view.resource}/${o.metadata.name}\n`).join('');
    case 'yaml':
    case 'json': {
      const value =
        options.single && objects.length === 1
          ? objects[0]
          : { apiVersion: 'meseta.io/v1', kind: view.listKind, items: objects };
      return format === 'yaml' ? stringify(value) : `${JSON.stringify(value, null, 2)}\n`;
    }
    case 'table':
    case 'wide': {
      const table = { ...options, wide: format === 'wide' };
      const text = renderTable(
        view.headers(table),
        objects.map((o) => view.row(o, table)),
      );
      return options.headers ? text : text.slice(text.indexOf('\n') + 1);
    }
  }
}
