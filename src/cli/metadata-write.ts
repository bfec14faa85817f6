/**
 * The write behind `label` and `annotate`: each App's labels or annotations changed with a
 * compare-and-swap, validated by the shared library; on a conflict the App is re-read and the
 * change applied again (up to five times), since a per-key edit means the same on any version.
 */
import type { Command } from 'commander';
import { APP_RESOURCE, validateApp, type App } from '../api/index.ts';
import { appResource } from '../api/resources.ts';
import { ValidationError } from '../errors.ts';
import { ConflictError, NotFoundError } from '../store/errors.ts';
import { withSession, type Session } from './connection.ts';

type Change = (current: Record<string, string> | undefined) => Record<string, string>;

/** Changes `verb.field` of each named App in turn; prints `app.meseta.io/NAME <done>`. */
export async function editAppsMetadata(
  command: Command,
  names: readonly string[],
  verb: { field: 'labels' | 'annotations'; done: string },
  change: Change,
): Promise<void> {
  await withSession(command, async (session) => {
    for (const name of names) {
      await editAppMetadata(session, name, verb.field, change);
      process.stdout.write(`${APP_RESOURCE}/${name} ${verb.done}\n`);
    }
  });
}

/** Edits `labels` or `annotations` of one App with CAS and retry. */
export async function editAppMetadata(
  session: Session,
  name: string,
  field: 'labels' | 'annotations',
  change: Change,
): Promise<void> {
  const ref = { namespace: session.namespace, name };
  for (let attempt = 1; ; attempt++) {
    const live = await session.objects.get(appResource, ref);
    if (!live) {
      throw new NotFoundError(`${APP_RESOURCE} "${name}" not found in namespace ${ref.namespace}`);
    }
    const next: App = {
      ...live,
      metadata: { ...live.metadata, [field]: change(live.metadata[field]) },
    };
    const problems = validateApp(next).filter((p) => p.where.path?.startsWith(`metadata.${field}`));
    if (problems.length > 0) throw new ValidationError(problems);
    try {
      await session.objects.update(appResource, next);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 5) throw error;
    }
  }
}
