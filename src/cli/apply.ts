/**
 * `meseta apply -f FILE|DIR|URL|- [-R] [--dry-run] [--prune ...]`:
 * the command's arguments, flags and help. The work is in apply-files.ts, imported when the
 * command runs, so that registering the verb loads nothing heavy.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('apply')
    .description('Create or update Apps from manifests (three-way merge with the live objects)')
    .option(
      '-f, --filename <path...>',
      'a file, a directory, an http(s) URL, or - for stdin (repeatable)',
    )
    .option('-R, --recursive', 'also read the subdirectories of a directory', false)
    .option(
      '--dry-run <mode>',
      'client: merge and print, write nothing; server: also run validation and defaulting as a write would',
      'none',
    )
    .option(
      '--force-conflicts',
      'overwrite fields someone else changed since the last apply',
      false,
    )
    .option('--prune', "delete the apply-set's Apps that the manifests no longer describe", false)
    .option('--applyset <name>', 'the apply-set whose inventory records what this apply owns')
    .option(
      '-l, --selector <selector>',
      'apply only manifests whose labels match; with --prune, prune by label (Apps this manager applied)',
    )
    .option(
      '--field-manager <name>',
      'whose apply this is: its fields are not removed by other managers, and conflict when they change them (default: meseta)',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 applied, 1 something failed (the rest was applied), 2 usage error.\n\n' +
        'Examples:\n' +
        '  meseta apply -f manifests/ -R\n' +
        '  meseta apply -f web.yaml --dry-run=server\n' +
        '  meseta apply -f manifests/ --prune --applyset shop\n' +
        '  meseta apply -f manifests/ --prune -l team=shop\n' +
        '  cat web.yaml | meseta apply -n shop -f -',
    )
    .action(async (_options: unknown, command: Command) => {
      const { runApply } = await import('./apply-files.ts');
      await runApply(command);
    });
}
