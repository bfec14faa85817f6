/**
 * `meseta edit app NAME`: opens the App as YAML in `$VISUAL` or `$EDITOR` (default `vi`),
 * validates the result with the shared library before saving, and re-opens the editor with
 * the problems listed at the top until it is valid or left empty (which cancels). The save is
 * a compare-and-swap on the version that was opened: if someone else changed the App
 * meanwhile, nothing is written, and the edit is kept in a file named in the message.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { APP_RESOURCE, parseManifests, validateApp, type App } from '../api/index.ts';
import { jsonEqual } from '../store/deep-equal.ts';
import { appResource } from '../api/resources.ts';
import { MesetaError, UsageError } from '../errors.ts';
import { ConflictError, NotFoundError } from '../store/errors.ts';
import { withSession, type GlobalOptions } from './connection.ts';
import { appArguments } from './resource-arg.ts';

const header = [
  '# Edit the App below and save to apply the change; an empty file cancels.',
  '# Lines starting with "#" are ignored. Status changes are ignored.',
];

/** Runs the command with its arguments and flags. */
export async function runEdit(words: string[], command: Command): Promise<void> {
  command.optsWithGlobals<GlobalOptions>();
  const names = appArguments(words);
  if (names.length !== 1) throw new UsageError('edit one App: edit app NAME');
  const name = names[0]!;
  await withSession(command, async (session) => {
    const ref = { namespace: session.namespace, name };
    const live = await session.objects.get(appResource, ref);
    if (!live) {
      throw new NotFoundError(`${APP_RESOURCE} "${name}" not found in namespace ${ref.namespace}`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'meseta-edit-'));
    const file = join(dir, `${name}.yaml`);
    const edited = await editUntilValid(file, live);
    if (!edited) {
      process.stdout.write('Edit cancelled, no changes made.\n');
      return;
    }
    if (jsonEqual(edited.spec, live.spec) && jsonEqual(edited.metadata, live.metadata)) {
      process.stdout.write('Edit cancelled, no changes made.\n');
      return;
    }
    try {
      await session.objects.update(appResource, {
        ...edited,
        metadata: { ...edited.metadata, resourceVersion: live.metadata.resourceVersion! },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw new MesetaError(
        'Conflict',
        `${APP_RESOURCE}/${name} was changed by someone else while you edited it; nothing was saved. Your version is in ${file}: run \`meseta edit app ${name}\` again and carry your change over`,
      );
    }
    process.stdout.write(`${APP_RESOURCE}/${name} edited\n`);
  });
}

/** The edited App, or undefined when the user cancelled (empty file, or the editor failed). */
async function editUntilValid(file: string, live: App): Promise<App | undefined> {
  const { status: _status, ...shown } = live;
  let body = stringify(shown);
  let problems: string[] = [];
  for (;;) {
    const notes = problems.length
      ? ['# The edit is not valid; fix these and save again:', ...problems.map((p) => `#   ${p}`)]
      : [];
    const prefix = [...header, ...notes].join('\n');
    await writeFile(file, `${prefix}\n${body}`);
    if (!(await runEditor(file))) return undefined;
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    const kept = lines.filter((line) => !line.startsWith('#')).join('\n');
    if (kept.trim() === '') return undefined;
    // Positions count from the top of the file, comments included, so keep their lines blank.
    const parsed = parseManifests(lines.map((l) => (l.startsWith('#') ? '' : l)).join('\n'), file);
    const document = parsed.documents[0];
    const errors = [...parsed.problems];
    if (document) {
      errors.push(...validateApp(document.value, { file, positions: document.positions }));
      const meta = (document.value as App | undefined)?.metadata;
      if (
        meta &&
        (meta.name !== live.metadata.name || meta.namespace !== live.metadata.namespace)
      ) {
        errors.push(
          new MesetaError('Invalid', 'name and namespace cannot change: create a new App instead', {
            path: 'metadata.name',
          }),
        );
      }
    }
    if (errors.length === 0 && document) return document.value as App;
    problems = errors.map((e) => e.format().replace(`${file}:`, 'line '));
    body = kept;
  }
}

function runEditor(file: string): Promise<boolean> {
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  return new Promise((resolve, reject) => {
    // Through the shell, so that EDITOR may carry arguments (e.g. "code --wait").
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0));
  });
}
