/**
 * What `label` and `annotate` share: parsing `key=value` and `key-` arguments, applying them
 * to a map with kubectl's `--overwrite` rule, and writing the App back with a
 * compare-and-swap, re-reading and re-applying the change when someone else wrote in between
 * (the change is a per-key edit, so re-applying it is what the user meant).
 */
import { APP_RESOURCE, validateApp, type App } from '../api/index.ts';
import { appResource } from '../api/resources.ts';
import { UsageError, ValidationError } from '../errors.ts';
import { ConflictError, NotFoundError } from '../store/errors.ts';
import type { Command } from 'commander';
import { withSession, type GlobalOptions, type Session } from './connection.ts';
import { appArguments } from './resource-arg.ts';

export interface MapEdit {
  set: Record<string, string>;
  remove: string[];
}

export function parseMapEdit(words: readonly string[], what: string): MapEdit {
  const edit: MapEdit = { set: {}, remove: [] };
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0) edit.set[word.slice(0, eq)] = word.slice(eq + 1);
    else if (word.endsWith('-') && word.length > 1) edit.remove.push(word.slice(0, -1));
    else throw new UsageError(`${what} "${word}": write KEY=VALUE to set, KEY- to remove`);
  }
  if (Object.keys(edit.set).length === 0 && edit.remove.length === 0) {
    throw new UsageError(`say which ${what}s to change: KEY=VALUE or KEY-`);
  }
  return edit;
}

/** The edited map; throws when a key would change without `overwrite`. Pure. */
export function applyMapEdit(
  current: Record<string, string> | undefined,
  edit: MapEdit,
  options: { overwrite: boolean; what: string },
): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(edit.set)) {
    const before = next[key];
    if (before !== undefined && before !== value && !options.overwrite) {
      throw new UsageError(
        `${options.what} "${key}" already has a value (${before}); pass --overwrite to change it`,
      );
    }
    next[key] = value;
  }
  for (const key of edit.remove) delete next[key];
  return next;
}

/** Edits `labels` or `annotations` of one App with CAS and retry. */
export async function editAppMetadata(
  session: Session,
  name: string,
  field: 'labels' | 'annotations',
  change: (current: Record<string, string> | undefined) => Record<string, string>,
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

/** Splits `app web k=v k2-` into the App names and the edits. */
export function namesAndEdits(words: readonly string[]): { names: string[]; edits: string[] } {
  const isEdit = (w: string) => w.includes('=') || (w.endsWith('-') && !w.includes('/'));
  const typeAndNames = words.filter((w, i) => i === 0 || !isEdit(w));
  const edits = words.filter((w, i) => i > 0 && isEdit(w));
  return { names: appArguments(typeAndNames), edits };
}

/** Registers `label` or `annotate`, which differ only in the field they edit. */
export function registerMetadataVerb(
  program: Command,
  verb: {
    name: string;
    field: 'labels' | 'annotations';
    what: string;
    done: string;
    example: string;
  },
): void {
  program
    .command(verb.name)
    .description(`Set or remove ${verb.field} of Apps (KEY=VALUE sets, KEY- removes)`)
    .argument('<resource...>', `app NAME... KEY=VALUE... KEY-...`)
    .option('--overwrite', `allow changing the value of an existing ${verb.what}`, false)
    .addHelpText('after', `\nExamples:\n${verb.example}`)
    .action(async (words: string[], _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions & { overwrite: boolean }>();
      const { names, edits } = namesAndEdits(words);
      if (names.length === 0)
        throw new UsageError(`say which App: ${verb.name} app NAME KEY=VALUE`);
      const edit = parseMapEdit(edits, verb.what);
      await withSession(command, async (session) => {
        for (const name of names) {
          await editAppMetadata(session, name, verb.field, (current) =>
            applyMapEdit(current, edit, { overwrite: flags.overwrite, what: verb.what }),
          );
          process.stdout.write(`${APP_RESOURCE}/${name} ${verb.done}\n`);
        }
      });
    });
}
