/**
 * `meseta diff -f FILE|DIR|URL|- [-R]`:
 * the command's arguments, flags and help. The work is in diff-files.ts, imported when the
 * command runs, so that registering the verb loads nothing heavy.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('diff')
    .description('Show what apply would change in the live Apps')
    .option(
      '-f, --filename <path...>',
      'a file, a directory, an http(s) URL, or - for stdin (repeatable)',
    )
    .option('-R, --recursive', 'also read the subdirectories of a directory', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 no differences, 1 differences, 2 an error (as kubectl diff).\n\n' +
        'Examples:\n  meseta diff -f manifests/ -R\n  meseta diff -f web.yaml && echo "in sync"',
    )
    .action(async (_options: unknown, command: Command) => {
      const { runDiff } = await import('./diff-files.ts');
      await runDiff(command);
    });
}
