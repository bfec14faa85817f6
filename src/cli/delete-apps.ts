/**
 * `meseta delete app NAME... | -f FILE|DIR|- [-R] | apps -l SELECTOR [--wait[=false]]
 * [--timeout D] [--ignore-not-found]`: deletes Apps. An App with finalizers (every App the apps
 * controller has seen) is only marked for deletion; as with kubectl, the command then waits
 * (`--wait=true`, the default) until all of them are gone, showing progress on a terminal, up
 * to `--timeout` (0: forever), and on a timeout says what still holds each one. Each App is
 * printed as `app.meseta.io "web" deleted` once it is gone. Exit codes: 0 all deleted, 1
 * something missing, failed or timed out, 2 usage error.
 */
import type { Command } from 'commander';
import { APP_RESOURCE, type App } from '../api/index.ts';
import { appResource, type StoredApp } from '../api/resources.ts';
import { readManifestSet } from '../apply/manifest-set.ts';
import { MesetaError, UsageError } from '../errors.ts';
import { NotFoundError } from '../store/errors.ts';
import type { ObjectRef } from '../store/object.ts';
import { withSession, type GlobalOptions } from './connection.ts';
import { stillHeldMessage, waitUntilGone } from './deletion-wait.ts';
import { parseDuration } from './duration.ts';
import { Exit, ExitCode } from './main.ts';
import { progressLine } from './progress-line.ts';
import { appArguments } from './resource-arg.ts';
import { parseSelectorFlag } from './selector-flag.ts';

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
        labelSelector: parseSelectorFlag(flags.selector),
      });
      refs = listed.items.map((app) => app.metadata);
      if (refs.length === 0) process.stderr.write('No apps matched.\n');
    } else {
      refs = names.map((name) => ({ namespace: session.namespace, name }));
    }
    const pending: Required<ObjectRef>[] = [];
    for (const { namespace = session.namespace, name } of refs) {
      const ref = { namespace, name };
      try {
        const result = await session.objects.delete<App>(appResource, ref);
        if (result.gone) process.stdout.write(deletedLine(ref));
        else if (flags.wait) pending.push(ref);
        else {
          const finalizers = (result.object.metadata as StoredApp['metadata']).finalizers ?? [];
          process.stdout.write(
            `${APP_RESOURCE} "${name}" marked for deletion (finalizers: ${finalizers.join(', ')})\n`,
          );
        }
      } catch (error) {
        if (!(error instanceof MesetaError)) throw error;
        if (error instanceof NotFoundError && flags.ignoreNotFound) continue;
        problems++;
        const text =
          error instanceof NotFoundError
            ? `${APP_RESOURCE} "${name}" not found in namespace ${namespace}`
            : error.format();
        process.stderr.write(`error: ${text}\n`);
      }
    }
    if (pending.length > 0) {
      const held = await waitUntilGone(session, pending, {
        timeoutMs,
        progress: progressLine({ ttyOnly: true }),
        onGone: (ref) => process.stdout.write(deletedLine(ref)),
      });
      for (const holding of held) {
        problems++;
        process.stderr.write(`error: ${stillHeldMessage(holding, timeoutMs)}\n`);
      }
    }
    return problems > 0;
  });
  if (failed) throw new ExitCode(Exit.failed);
}

function deletedLine(ref: ObjectRef): string {
  return `${APP_RESOURCE} "${ref.name}" deleted\n`;
}
