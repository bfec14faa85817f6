/**
 * `meseta apply -f FILE|DIR|- [-R] [--dry-run=client|server] [--force-conflicts]
 * [--prune --applyset NAME]`: creates or updates Apps with kubectl's three-way merge (see
 * src/apply); with `--prune`, deletes the apply-set's Apps that the manifests no longer
 * describe. Prints one line per App (`app.meseta.io/web created|configured|unchanged|pruned`),
 * every problem as `file:line:col field: message`; a file with any problem is not applied at
 * all (and nothing is pruned). Exit codes: 0 everything applied, 1 something failed, 2 the
 * command was used wrongly.
 */
import type { Command } from 'commander';
import { APP_RESOURCE } from '../api/index.ts';
import { applyApps, type DryRun } from '../apply/apply-objects.ts';
import { DEFAULT_MANAGER, managerProblem } from '../apply/apply-plan.ts';
import { inventoryRecordName, readInventory } from '../apply/inventory.ts';
import { readManifestSet } from '../apply/manifest-set.ts';
import { labelPruneCandidates } from '../apply/label-prune.ts';
import { appKey, deletePruned, prune, pruneCandidates, widenInventory } from '../apply/prune.ts';
import { UsageError } from '../errors.ts';
import { matchesLabels } from '../store/label-selector.ts';
import { parseSelectorFlag } from './selector-flag.ts';
import { withSession, type GlobalOptions } from './connection.ts';
import { Exit, ExitCode } from './main.ts';

interface ApplyFlags extends GlobalOptions {
  filename?: string[];
  recursive: boolean;
  dryRun: string;
  forceConflicts: boolean;
  prune: boolean;
  applyset?: string;
  selector?: string;
  fieldManager?: string;
}

export function parseDryRun(text: string): DryRun {
  if (text === 'none' || text === 'client' || text === 'server') return text;
  throw new UsageError(`--dry-run must be none, client or server (got "${text}")`);
}

export function dryRunSuffix(dryRun: DryRun): string {
  return dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
}

/** Runs the command with its arguments and flags. */
export async function runApply(command: Command): Promise<void> {
  const flags = command.optsWithGlobals<ApplyFlags>();
  const sources = flags.filename ?? [];
  if (sources.length === 0) throw new UsageError('say what to apply: -f FILE, -f DIR or -f -');
  const dryRun = parseDryRun(flags.dryRun);
  if (flags.prune && flags.applyset === undefined && flags.selector === undefined) {
    throw new UsageError(
      '--prune needs --applyset NAME (prune what the apply-set recorded) or -l SELECTOR (prune by label)',
    );
  }
  if (flags.applyset !== undefined && flags.selector !== undefined) {
    throw new UsageError(
      '-l and --applyset do not mix: an apply-set prunes what its inventory recorded, whatever the labels',
    );
  }
  const selector = flags.selector !== undefined ? parseSelectorFlag(flags.selector) : undefined;
  if (flags.applyset !== undefined) inventoryRecordName(flags.applyset);
  const fieldManager = flags.fieldManager ?? DEFAULT_MANAGER;
  const managerIssue = managerProblem(fieldManager);
  if (managerIssue) throw new UsageError(`--field-manager "${fieldManager}": ${managerIssue}`);
  const failed = await withSession(command, async (session) => {
    const set = await readManifestSet(sources, {
      recursive: flags.recursive,
      namespace: session.namespace,
      ...(flags.namespace !== undefined ? { requireNamespace: flags.namespace } : {}),
    });
    for (const problem of set.problems) process.stderr.write(`error: ${problem.format()}\n`);
    // As kubectl: -l applies only the manifests whose labels match.
    const apps = selector
      ? set.apps.filter(({ app }) => matchesLabels(selector, app.metadata.labels))
      : set.apps;
    const planned = apps.map(({ app }) => appKey(app));
    const applySet = flags.applyset;
    // Record what is about to be applied before applying it, so that nothing this run
    // creates can escape a later prune.
    const inventory =
      applySet === undefined
        ? undefined
        : dryRun === 'none'
          ? await widenInventory(session.records, applySet, planned)
          : await readInventory(session.records, applySet);
    const outcomes = await applyApps(session.objects, apps, {
      dryRun,
      forceConflicts: flags.forceConflicts,
      fieldManager,
    });
    let errors = set.problems.length;
    for (const { input, action, error } of outcomes) {
      if (error) {
        errors++;
        process.stderr.write(`error: ${error.format()}\n`);
      } else {
        const name = `${APP_RESOURCE}/${input.app.metadata.name}`;
        process.stdout.write(`${name} ${action}${dryRunSuffix(dryRun)}\n`);
      }
    }
    if (flags.prune) {
      if (set.problems.length > 0) {
        // A rejected file's Apps are missing from `planned`: pruning now would delete them.
        process.stderr.write('error: not pruning: fix the problems above first\n');
        errors++;
      } else {
        const pruned =
          applySet !== undefined && inventory !== undefined
            ? await prune(session.objects, session.records, applySet, {
                candidates: pruneCandidates(inventory.inventory.apps, new Set(planned)),
                applied: planned,
                revision: inventory.revision,
                dryRun: dryRun !== 'none',
              })
            : await deletePruned(
                session.objects,
                await labelPruneCandidates(session.objects, {
                  namespaces: set.apps.map(({ app }) => app.metadata.namespace),
                  selector: selector!,
                  applied: new Set(planned),
                  fieldManager,
                }),
                dryRun !== 'none',
              );
        for (const { app, error } of pruned) {
          if (error) {
            errors++;
            process.stderr.write(`error: ${error.format()}\n`);
          } else {
            const name = app.slice(app.indexOf('/') + 1);
            process.stdout.write(`${APP_RESOURCE}/${name} pruned${dryRunSuffix(dryRun)}\n`);
          }
        }
      }
    }
    return errors > 0;
  });
  if (failed) throw new ExitCode(Exit.failed);
}
