/**
 * `meseta get TYPE [NAME...] [-o wide|yaml|json|name] [-l SELECTOR] [-A] [-w]`: lists stored
 * objects in kubectl's shapes — apps, instances (`--app` for one App's), revisions (`--app`
 * too), events (`--for app/NAME`, oldest last-seen first) and the cluster-scoped agents (named
 * by their object name or their Mesos agent id). Every listing is one ranged read of the
 * namespace (or of all); `--app`/`--for` filter what it returns, since instances
 * carry no label naming their App (docs/resources.md). Exit codes: 0 found (an empty list
 * included), 1 a named object is missing or the store failed, 2 usage error.
 */
import type { Command } from 'commander';
import { agentObjectName, type Agent } from '../api/agent.ts';
import type { AppRevision } from '../api/app-revision.ts';
import type { Event } from '../api/event.ts';
import type { Instance } from '../api/instance.ts';
import {
  agentResource,
  appResource,
  appRevisionResource,
  eventResource,
  instanceResource,
} from '../api/resources.ts';
import { UsageError } from '../errors.ts';
import type { LabelSelector } from '../store/label-selector.ts';
import type { ResourceType, StoredObject } from '../store/object.ts';
import { watchObjects } from '../store/watch.ts';
import { agentView } from './agent-output.ts';
import { appView, parseOutput, type OutputFormat } from './app-output.ts';
import { parseSelectorFlag } from './selector-flag.ts';
import { withSession, type GlobalOptions, type Session } from './connection.ts';
import { byLastSeen, eventView, isAbout, parseInvolved } from './event-output.ts';
import { instanceView } from './instance-output.ts';
import { Exit, ExitCode } from './main.ts';
import { renderObjects, type ObjectView } from './object-output.ts';
import { resourceArguments, type ResourceKind } from './resource-arg.ts';
import { revisionView } from './revision-output.ts';
import { columnWidths, renderRow } from './table.ts';

interface GetFlags extends GlobalOptions {
  output?: string;
  selector?: string;
  allNamespaces: boolean;
  headers: boolean;
  watch: boolean;
  app?: string;
  for?: string;
}

/** What `get` needs to know of one kind. */
interface Listing<T extends StoredObject> {
  kind: ResourceKind;
  type: ResourceType<T>;
  view: ObjectView<T>;
  /** Only these, of what a list returns (`--app`, `--for`). */
  keep?: (object: T) => boolean;
  order?: (a: T, b: T) => number;
  /** The object name a word on the command line means (an agent's Mesos id, say). */
  objectName?: (word: string) => string;
}

function listingOf(kind: ResourceKind, flags: GetFlags): Listing<StoredObject> {
  switch (kind) {
    case 'apps':
      return erase({ kind, type: appResource, view: appView });
    case 'instances': {
      const app = flags.app;
      return erase<Instance>({
        kind,
        type: instanceResource,
        view: instanceView,
        ...(app !== undefined ? { keep: (i: Instance) => i.spec.app === app } : {}),
      });
    }
    case 'revisions': {
      const app = flags.app;
      return erase<AppRevision>({
        kind,
        type: appRevisionResource,
        view: revisionView,
        ...(app !== undefined ? { keep: (r: AppRevision) => r.spec.app === app } : {}),
        order: (a: AppRevision, b: AppRevision) =>
          a.spec.app === b.spec.app
            ? a.spec.revision - b.spec.revision
            : a.spec.app < b.spec.app
              ? -1
              : 1,
      });
    }
    case 'events': {
      const about = flags.for !== undefined ? parseInvolved(flags.for) : undefined;
      return erase<Event>({
        kind,
        type: eventResource,
        view: eventView,
        ...(about ? { keep: (e: Event) => isAbout(e, about) } : {}),
        order: byLastSeen,
      });
    }
    case 'agents':
      return erase<Agent>({
        kind,
        type: agentResource,
        view: agentView,
        objectName: agentObjectName,
      });
  }
}

/** One kind's listing as `getObjects` takes it: each part was type-checked against its kind. */
function erase<T extends StoredObject>(listing: Listing<T>): Listing<StoredObject> {
  return listing as unknown as Listing<StoredObject>;
}

/** Runs `get` with the words and flags of `command`. */
export async function runGet(words: string[], command: Command): Promise<void> {
  const flags = command.optsWithGlobals<GetFlags>();
  const { kind, names } = resourceArguments(words);
  const format = parseOutput(flags.output);
  if (flags.app !== undefined && kind !== 'instances' && kind !== 'revisions') {
    throw new UsageError('--app selects instances or revisions, not ' + kind);
  }
  if (flags.for !== undefined && kind !== 'events') {
    throw new UsageError('--for selects events, not ' + kind);
  }
  if (flags.watch && names.length > 0) {
    throw new UsageError(`-w watches a list: get ${kind} -w [-l SELECTOR] [-A]`);
  }
  const filtered = flags.selector || flags.allNamespaces || flags.app || flags.for;
  if (names.length > 0 && filtered) {
    throw new UsageError('name objects or select them with -l/-A/--app/--for, not both');
  }
  const selector = flags.selector ? parseSelectorFlag(flags.selector) : undefined;
  await getObjects(command, flags, names, format, selector, listingOf(kind, flags));
}

async function getObjects<T extends StoredObject>(
  command: Command,
  flags: GetFlags,
  names: string[],
  format: OutputFormat,
  selector: LabelSelector | undefined,
  listing: Listing<T>,
): Promise<void> {
  // A cluster-scoped kind (agents) is listed whole, whatever the namespace.
  const everywhere = flags.allNamespaces || !listing.type.namespaced;
  const objectName = listing.objectName ?? ((word: string) => word);
  const missing = await withSession(command, async (session) => {
    let objects: T[];
    let revision: string | undefined;
    const notFound: string[] = [];
    if (names.length > 0) {
      const found = await Promise.all(
        names.map((name) =>
          session.objects.get(listing.type, {
            namespace: session.namespace,
            name: objectName(name),
          }),
        ),
      );
      objects = found.filter((o): o is Awaited<T> => o !== undefined);
      names.forEach((name, i) => {
        if (!found[i]) notFound.push(name);
      });
    } else {
      const listed = await session.objects.list(listing.type, {
        ...(everywhere ? {} : { namespace: session.namespace }),
        ...(selector ? { labelSelector: selector } : {}),
      });
      objects = listing.keep ? listed.items.filter(listing.keep) : listed.items;
      if (listing.order) objects.sort(listing.order);
      revision = listed.revision;
    }
    if (objects.length > 0) {
      process.stdout.write(
        renderObjects(objects, listing.view, format, {
          allNamespaces: everywhere,
          headers: flags.headers,
          now: Date.now(),
          single: names.length === 1,
        }),
      );
    } else if (names.length === 0 && !flags.watch) {
      const where = everywhere ? '' : ` in namespace ${session.namespace}`;
      process.stderr.write(`No ${listing.kind} found${where}.\n`);
    }
    const where = listing.type.namespaced ? ` in namespace ${session.namespace}` : '';
    for (const name of notFound) {
      process.stderr.write(`error: ${listing.view.resource} "${name}" not found${where}\n`);
    }
    if (flags.watch) {
      await watchList(session, listing, objects, revision!, format, {
        allNamespaces: everywhere,
        headers: flags.headers,
        ...(selector ? { selector } : {}),
      });
    }
    return notFound.length > 0;
  });
  if (missing) throw new ExitCode(Exit.failed);
}

/** Prints each change after `revision` as it happens, until SIGINT or SIGTERM. */
async function watchList<T extends StoredObject>(
  session: Session,
  listing: Listing<T>,
  listed: readonly T[],
  revision: string,
  format: OutputFormat,
  options: { allNamespaces: boolean; headers: boolean; selector?: LabelSelector },
): Promise<void> {
  const aborter = new AbortController();
  const stop = () => aborter.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { view } = listing;
  const table = { allNamespaces: options.allNamespaces, wide: format === 'wide' };
  const widths = columnWidths(
    view.headers(table),
    listed.map((o) => view.row(o, { ...table, headers: true, now: Date.now() })),
  );
  if (listed.length === 0 && (format === 'table' || format === 'wide') && options.headers) {
    process.stdout.write(renderRow(view.headers(table), widths));
  }
  try {
    const events = watchObjects(session.objects, listing.type, {
      ...(options.allNamespaces ? {} : { namespace: session.namespace }),
      ...(options.selector ? { labelSelector: options.selector } : {}),
      fromRevision: revision,
      known: listed,
      signal: aborter.signal,
    });
    for await (const { object } of events) {
      if (listing.keep && !listing.keep(object)) continue;
      const now = Date.now();
      if (format === 'table' || format === 'wide') {
        process.stdout.write(renderRow(view.row(object, { ...table, headers: true, now }), widths));
      } else {
        const text = renderObjects([object], view, format, { ...options, now, single: true });
        process.stdout.write(format === 'yaml' ? `---\n${text}` : text);
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
