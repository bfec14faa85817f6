/**
 * The table `get events` prints, oldest last-seen first as kubectl does: LAST SEEN, TYPE,
 * REASON, OBJECT (`app/web`, `instance/web-1-0`), MESSAGE, COUNT. Also which events are about
 * a given object, for `get events --for` and `describe app`.
 */
import type { Event } from '../api/event.ts';
import { UsageError } from '../errors.ts';
import { humanAge } from './age.ts';
import type { ObjectView } from './object-output.ts';

export function eventObject(event: Event): string {
  return `${event.involvedObject.kind.toLowerCase()}/${event.involvedObject.name}`;
}

export const eventView: ObjectView<Event> = {
  resource: 'event.meseta.io',
  listKind: 'EventList',
  headers: (options) => [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'LAST SEEN',
    'TYPE',
    'REASON',
    'OBJECT',
    'MESSAGE',
    'COUNT',
  ],
  row: (event, options) => [
    ...(options.allNamespaces ? [event.metadata.namespace ?? ''] : []),
    humanAge(event.lastTimestamp, options.now),
    event.type,
    event.reason,
    eventObject(event),
    event.message,
    String(event.count),
  ],
};

/** By last occurrence, oldest first; ties by name so that output is stable. */
export function byLastSeen(a: Event, b: Event): number {
  const diff = Date.parse(a.lastTimestamp) - Date.parse(b.lastTimestamp);
  return diff !== 0 ? diff : a.metadata.name < b.metadata.name ? -1 : 1;
}

/** The kind and name `--for` names: `app/web`, `instance/web-1-0`. */
export interface InvolvedRef {
  kind: string;
  name: string;
}

const kindWords: Record<string, string> = {
  app: 'App',
  apps: 'App',
  'app.meseta.io': 'App',
  instance: 'Instance',
  instances: 'Instance',
  inst: 'Instance',
  'instance.meseta.io': 'Instance',
  apprevision: 'AppRevision',
  revision: 'AppRevision',
  rev: 'AppRevision',
  'apprevision.meseta.io': 'AppRevision',
};

export function parseInvolved(text: string): InvolvedRef {
  const slash = text.indexOf('/');
  const kind = slash > 0 ? kindWords[text.slice(0, slash).toLowerCase()] : undefined;
  const name = text.slice(slash + 1);
  if (!kind || !name) {
    throw new UsageError(
      `--for must be KIND/NAME with KIND app, instance or revision (got "${text}")`,
    );
  }
  return { kind, name };
}

export function isAbout(event: Event, ref: InvolvedRef): boolean {
  return event.involvedObject.kind === ref.kind && event.involvedObject.name === ref.name;
}
