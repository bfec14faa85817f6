/**
 * `meseta delete app NAME... | -f FILE|DIR|- [-R] | apps -l SELECTOR [--wait] [--ignore-not-found]`:
 * deletes Apps, each with a compare-and-swap on the version it read. An App with finalizers
 * is only marked for deletion; `--wait` (the default) then waits until it is gone. Exit
 * codes: 0 all deleted, 1 something missing or failed, 2 usage error.
 */
import type { Command } from 'commander';
import { APP_RESOURCE, type App } from '../api/index.ts';
import { appResource } from '../api/resources.ts';
import { readManifestSet } from '../apply/manifest-set.ts';
import { MesetaError, UsageError } from '../errors.ts';
import { NotFoundError } from '../store/errors.ts';
import { parseLabelSelector } from '../store/label-selector.ts';
import type { ObjectRef } from '../store/object.ts';
import { withSession, type GlobalOptions, type Session } from './connection.ts';
import { parseDuration } from './duration.ts';
import { Exit, ExitCode } from './main.ts';
import { appArguments } from './resource-arg.ts';

interface DeleteFlags extends GlobalOptions {
  filename?: string[];
  recursive: boolean;
  selector?: string;
  wait: boolean;
  timeout: string;
  ignoreNotFound: boolean;
}

/** Runs the command with its arguments and flags. */
export async function runDelete(words: string[], command: Command): Promise<void> {
  const flags = command.optsWithGlobals<DeleteFlags>();
  const timeoutMs = parseDuration(flags.timeout, '--timeout');
  const byFile = (flags.filename ?? []).length > 0;
  const names = words.length > 0 ? appArguments(words) : [];
  const ways = [byFile, names.length > 0, flags.selector !== undefined].filter(Boolean);
  if (ways.length !== 1) {
    throw new UsageError(
      'say what to delete: app NAME, -f FILE, or apps -l SELECTOR (one of them)',
    );
  }
  const failed = await withSession(command, async (session) => {
    let problems = 0;
    let refs: ObjectRef[];
    if (byFile) {
      const set = await readManifestSet(flags.filename!, {
        recursive: flags.recursive,
        namespace: session.namespace,
      });
      for (const problem of set.problems) process.stderr.write(`error: ${problem.format()}\n`);
      problems += set.problems.length;
      refs = set.apps.map(({ app }) => app.metadata);
    } else if (flags.selector !== undefined) {
      const listed = await session.objects.list(appResource, {
        namespace: session.namespace,
        labelSelector: parseLabelSelector(flags.selector),
      });
      refs = listed.items.map((app) => app.metadata);
      if (refs.length === 0) process.stderr.write('No apps matched.\n');
    } else {
      refs = names.map((name) => ({ namespace: session.namespace, name }));
    }
    for (const ref of refs) {
      try {
        const message = await deleteOne(session, ref, flags.wait, timeoutMs);
        process.stdout.write(message);
      } catch (error) {
        if (!(error instanceof MesetaError)) throw error;
        if (error instanceof NotFoundError && flags.ignoreNotFound) continue;
        problems++;
        const text =
          error instanceof NotFoundError
            ? `${APP_RESOURCE} "${ref.name}" not found in namespace ${ref.namespace}`
            : error.format();
        process.stderr.write(`error: ${text}\n`);
      }
    }
    return problems > 0;
  });
  if (failed) throw new ExitCode(Exit.failed);
}

async function deleteOne(
  session: Session,
  ref: ObjectRef,
  wait: boolean,
  timeoutMs: number,
): Promise<string> {
  const result = await session.objects.delete<App>(appResource, ref);
  const name = `${APP_RESOURCE} "${ref.name}"`;
  if (result.gone) return `${name} deleted\n`;
  if (!wait) return `${name} marked for deletion (finalizers: ${finalizersOf(result.object)})\n`;
  const deadline = Date.now() + timeoutMs;
  // Finalizers are removed by controllers; poll the one key until it goes or time runs out.
  for (;;) {
    const live = await session.objects.get(appResource, ref);
    if (!live) return `${name} deleted\n`;
    if (Date.now() > deadline) {
      throw new MesetaError(
        'Timeout',
        `${name} is marked for deletion but still has finalizers (${finalizersOf(live)}) after ${timeoutMs / 1000}s; the controllers that own them must be running`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function finalizersOf(app: App): string {
  return ((app.metadata as { finalizers?: string[] }).finalizers ?? []).join(', ');
}
