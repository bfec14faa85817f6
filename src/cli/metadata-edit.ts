/**
 * What `label` and `annotate` share: parsing `key=value` and `key-` arguments, applying them
 * to a map with kubectl's `--overwrite` rule, and writing the App back with a
 * compare-and-swap, re-reading and re-applying the change when someone else wrote in between
 * (the change is a per-key edit, so re-applying it is what the user meant). The write lives in
 * metadata-write.ts, loaded only when the command runs.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { GlobalOptions } from './connection.ts';
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
      const { editAppsMetadata } = await import('./metadata-write.ts');
      await editAppsMetadata(command, names, verb, (current) =>
        applyMapEdit(current, edit, { overwrite: flags.overwrite, what: verb.what }),
      );
    });
}
