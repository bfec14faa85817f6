/**
 * `meseta scale app NAME --instances N [--current-instances M]`: sets how many instances an
 * App wants. With `--current-instances` the change happens only if the App wants M now.
 * Every write is a compare-and-swap; when someone else wrote in between, the App is re-read
 * and, the precondition still holding, scaled again. Exit codes: 0 scaled, 1 precondition
 * failed or App missing, 2 usage error.
 */
import type { Command } from 'commander';
import { APP_RESOURCE } from '../api/index.ts';
import { appResource } from '../api/resources.ts';
import { MesetaError, UsageError } from '../errors.ts';
import { ConflictError, NotFoundError } from '../store/errors.ts';
import { withSession, type GlobalOptions } from './connection.ts';
import { appArguments } from './resource-arg.ts';

interface ScaleFlags extends GlobalOptions {
  instances?: string;
  currentInstances?: string;
}

function count(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw new UsageError(`${flag} must be a whole number >= 0 (got "${text}")`);
  return Number(text);
}

/** Runs the command with its arguments and flags. */
export async function runScale(words: string[], command: Command): Promise<void> {
  const flags = command.optsWithGlobals<ScaleFlags>();
  const names = appArguments(words);
  if (names.length !== 1) throw new UsageError('scale one App: scale app NAME --instances N');
  const wanted = count(flags.instances, '--instances');
  if (wanted === undefined) throw new UsageError('say how many: --instances N');
  const expected = count(flags.currentInstances, '--current-instances');
  const name = names[0]!;
  await withSession(command, async (session) => {
    const ref = { namespace: session.namespace, name };
    for (let attempt = 1; ; attempt++) {
      const live = await session.objects.get(appResource, ref);
      if (!live) {
        throw new NotFoundError(
          `${APP_RESOURCE} "${name}" not found in namespace ${session.namespace}`,
        );
      }
      if (expected !== undefined && live.spec.instances !== expected) {
        throw new MesetaError(
          'PreconditionFailed',
          `${APP_RESOURCE}/${name} wants ${live.spec.instances} instances, not ${expected} (--current-instances): not scaled`,
          { path: 'spec.instances' },
        );
      }
      live.spec.instances = wanted;
      try {
        await session.objects.update(appResource, live);
        process.stdout.write(`${APP_RESOURCE}/${name} scaled\n`);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 5) throw error;
      }
    }
  });
}
