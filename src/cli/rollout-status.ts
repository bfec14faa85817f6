/**
 * `meseta rollout status app NAME [--timeout DURATION]`: waits until the App is fully rolled
 * out (see rollout-progress.ts), showing progress — one updating line on a terminal, a line
 * per change otherwise. Exit codes: 0 rolled out, 1 failed, timed out or App missing, 2 usage
 * error.
 */
import type { Command } from 'commander';
import { APP_RESOURCE, type App } from '../api/index.ts';
import { appResource } from '../api/resources.ts';
import { MesetaError } from '../errors.ts';
import { NotFoundError } from '../store/errors.ts';
import { watchObjects } from '../store/watch.ts';
import { withSession, type GlobalOptions, type Session } from './connection.ts';
import { parseDuration } from './duration.ts';
import { appArguments } from './resource-arg.ts';
import { progressLine, type ProgressLine } from './progress-line.ts';
import { rolloutProgress } from './rollout-progress.ts';
import { UsageError } from '../errors.ts';

/** Runs the command with its arguments and flags. */
export async function runRolloutStatus(words: string[], command: Command): Promise<void> {
  const flags = command.optsWithGlobals<GlobalOptions & { timeout: string }>();
  const names = appArguments(words);
  if (names.length !== 1) throw new UsageError('follow one App: rollout status app NAME');
  const timeoutMs = parseDuration(flags.timeout, '--timeout');
  await withSession(command, (session) => follow(session, names[0]!, timeoutMs));
}

async function follow(session: Session, name: string, timeoutMs: number): Promise<void> {
  const ref = { namespace: session.namespace, name };
  const missing = () =>
    new NotFoundError(`${APP_RESOURCE} "${name}" not found in namespace ${ref.namespace}`);
  const first = await session.objects.get(appResource, ref);
  if (!first) throw missing();
  const printer = progressLine();
  const aborter = new AbortController();
  const timer = timeoutMs > 0 ? setTimeout(() => aborter.abort(), timeoutMs) : undefined;
  let last = rolloutProgress(first);
  try {
    if (settled(last, printer)) return;
    const events = watchObjects(session.objects, appResource, {
      namespace: ref.namespace,
      fromRevision: first.metadata.resourceVersion!,
      signal: aborter.signal,
    });
    for await (const event of events) {
      if (event.object.metadata.name !== name) continue;
      if (event.type === 'deleted') throw missing();
      last = rolloutProgress(event.object as App);
      if (settled(last, printer)) return;
    }
    printer.end();
    throw new MesetaError(
      'Timeout',
      `timed out after ${timeoutMs / 1000}s waiting for the rollout of ${APP_RESOURCE}/${name}: ${last.message}`,
    );
  } finally {
    clearTimeout(timer);
    aborter.abort();
  }
}

/** Shows `progress`; true when there is nothing more to wait for (throws if it failed). */
function settled(progress: ReturnType<typeof rolloutProgress>, printer: ProgressLine): boolean {
  if (progress.failed) {
    printer.end();
    throw new MesetaError('RolloutFailed', progress.failed);
  }
  printer.show(progress.message);
  if (progress.done) printer.end();
  return progress.done;
}
