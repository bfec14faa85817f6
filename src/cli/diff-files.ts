/**
 * `meseta diff -f FILE|DIR|- [-R]`: shows, as a unified diff (coloured on a terminal), what
 * `apply` would change in the live Apps, ignoring defaulted fields. Exit codes follow
 * `kubectl diff`: 0 no differences, 1 differences, 2 or more an error.
 */
import type { Command } from 'commander';
import { diffApps } from '../apply/diff-apps.ts';
import { readManifestSet } from '../apply/manifest-set.ts';
import { MesetaError, UsageError } from '../errors.ts';
import { withSession, type GlobalOptions } from './connection.ts';
import { ExitCode } from './main.ts';

interface DiffFlags extends GlobalOptions {
  filename?: string[];
  recursive: boolean;
}

export const DiffExit = { same: 0, differs: 1, error: 2 } as const;

/** Runs the command with its arguments and flags. */
export async function runDiff(command: Command): Promise<void> {
  const flags = command.optsWithGlobals<DiffFlags>();
  const sources = flags.filename ?? [];
  if (sources.length === 0) throw new UsageError('say what to diff: -f FILE, -f DIR or -f -');
  let code: number;
  try {
    code = await withSession(command, async (session) => {
      const set = await readManifestSet(sources, {
        recursive: flags.recursive,
        namespace: session.namespace,
        ...(flags.namespace !== undefined ? { requireNamespace: flags.namespace } : {}),
      });
      for (const problem of set.problems) process.stderr.write(`error: ${problem.format()}\n`);
      const diffs = await diffApps(session.objects, set.apps, {
        colour: process.stdout.isTTY === true,
      });
      let failed = set.problems.length > 0;
      let differs = false;
      for (const diff of diffs) {
        if (diff.error) {
          failed = true;
          process.stderr.write(`error: ${diff.error.format()}\n`);
        } else if (diff.text) {
          differs = true;
          process.stdout.write(diff.text);
        }
      }
      return failed ? DiffExit.error : differs ? DiffExit.differs : DiffExit.same;
    });
  } catch (error) {
    // Exit code 1 means "differences" here, so an error must not end as main's 1.
    if (!(error instanceof MesetaError) || error instanceof UsageError) throw error;
    process.stderr.write(`error: ${error.format()}\n`);
    code = DiffExit.error;
  }
  if (code !== 0) throw new ExitCode(code);
}
