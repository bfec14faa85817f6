/**
 * `meseta get apps [NAME...] [-o wide|yaml|json|name] [-l SELECTOR] [-A]`: lists Apps from
 * the store in kubectl's shapes. Exit codes: 0 found (an empty list included), 1 a named App
 * is missing or the store failed, 2 usage error.
 */
import type { Command } from 'commander';
import { APP_RESOURCE, type App } from '../api/index.ts';
import { appResource } from '../api/resources.ts';
import { UsageError } from '../errors.ts';
import { parseLabelSelector } from '../store/label-selector.ts';
import { appHeaders, appRow, parseOutput, renderApps, type OutputFormat } from './app-output.ts';
import { columnWidths, renderRow } from './table.ts';
import { watchObjects } from '../store/watch.ts';
import type { LabelSelector } from '../store/label-selector.ts';
import { withSession, type GlobalOptions, type Session } from './connection.ts';
import { Exit, ExitCode } from './main.ts';
import { appArguments } from './resource-arg.ts';

interface GetFlags extends GlobalOptions {
  output?: string;
  selector?: string;
  allNamespaces: boolean;
  headers: boolean;
  watch: boolean;
}

export function register(program: Command): void {
  program
    .command('get')
    .description('List Apps, or show some by name')
    .argument('<resource...>', 'apps, or app NAME..., or app/NAME')
    .option('-o, --output <format>', 'wide, yaml, json or name')
    .option('-l, --selector <selector>', 'only Apps whose labels match, e.g. tier=web,env!=dev')
    .option('-A, --all-namespaces', 'Apps of every namespace', false)
    .option('--no-headers', 'leave out the header line of tables')
    .option('-w, --watch', 'after listing, print every change until interrupted (Ctrl-C)', false)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  meseta get apps\n' +
        '  meseta get apps -A -o wide\n' +
        '  meseta get app web -o yaml\n' +
        '  meseta get apps -l tier=web -o name\n' +
        '  meseta get apps -w',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GetFlags>();
      const names = appArguments(words);
      const format = parseOutput(flags.output);
      if (flags.watch && names.length > 0) {
        throw new UsageError('-w watches a list: get apps -w [-l SELECTOR] [-A]');
      }
      if (names.length > 0 && (flags.selector || flags.allNamespaces)) {
        throw new UsageError('name Apps or select them with -l/-A, not both');
      }
      const selector = flags.selector ? parseSelector(flags.selector) : undefined;
      const missing = await withSession(command, async (session) => {
        let apps: App[];
        let revision: string | undefined;
        const notFound: string[] = [];
        if (names.length > 0) {
          const found = await Promise.all(
            names.map((name) =>
              session.objects.get(appResource, { namespace: session.namespace, name }),
            ),
          );
          apps = found.filter((app): app is App => app !== undefined);
          names.forEach((name, i) => {
            if (!found[i]) notFound.push(name);
          });
        } else {
          const listed = await session.objects.list(appResource, {
            ...(flags.allNamespaces ? {} : { namespace: session.namespace }),
            ...(selector ? { labelSelector: selector } : {}),
          });
          apps = listed.items;
          revision = listed.revision;
        }
        if (apps.length > 0) {
          process.stdout.write(
            renderApps(apps, format, {
              allNamespaces: flags.allNamespaces,
              headers: flags.headers,
              now: Date.now(),
              single: names.length === 1,
            }),
          );
        } else if (names.length === 0 && !flags.watch) {
          const where = flags.allNamespaces ? '' : ` in namespace ${session.namespace}`;
          process.stderr.write(`No apps found${where}.\n`);
        }
        for (const name of notFound) {
          process.stderr.write(
            `error: ${APP_RESOURCE} "${name}" not found in namespace ${session.namespace}\n`,
          );
        }
        if (flags.watch) {
          await watchApps(session, apps, revision!, format, {
            allNamespaces: flags.allNamespaces,
            headers: flags.headers,
            ...(selector ? { selector } : {}),
          });
        }
        return notFound.length > 0;
      });
      if (missing) throw new ExitCode(Exit.failed);
    });
}

function parseSelector(text: string) {
  try {
    return parseLabelSelector(text);
  } catch (error) {
    throw new UsageError(`-l: ${(error as Error).message}`);
  }
}

/** Prints each change after `revision` as it happens, until SIGINT or SIGTERM. */
async function watchApps(
  session: Session,
  listed: readonly App[],
  revision: string,
  format: OutputFormat,
  options: { allNamespaces: boolean; headers: boolean; selector?: LabelSelector },
): Promise<void> {
  const aborter = new AbortController();
  const stop = () => aborter.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const table = { allNamespaces: options.allNamespaces, wide: format === 'wide' };
  const widths = columnWidths(
    appHeaders(table),
    listed.map((app) => appRow(app, { ...table, headers: true, now: Date.now() })),
  );
  if (listed.length === 0 && (format === 'table' || format === 'wide') && options.headers) {
    process.stdout.write(renderRow(appHeaders(table), widths));
  }
  try {
    const events = watchObjects(session.objects, appResource, {
      ...(options.allNamespaces ? {} : { namespace: session.namespace }),
      ...(options.selector ? { labelSelector: options.selector } : {}),
      fromRevision: revision,
      known: listed,
      signal: aborter.signal,
    });
    for await (const { object } of events) {
      const now = Date.now();
      if (format === 'table' || format === 'wide') {
        process.stdout.write(renderRow(appRow(object, { ...table, headers: true, now }), widths));
      } else {
        const text = renderApps([object], format, { ...options, now, single: true });
        process.stdout.write(format === 'yaml' ? `---\n${text}` : text);
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
