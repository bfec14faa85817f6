/**
 * `meseta delete app NAME... | -f FILE|DIR|- [-R] | apps -l SELECTOR [--wait] [--timeout D]`:
 * the command's arguments, flags and help. The work is in delete-apps.ts, imported when the
 * command runs, so that registering the verb loads nothing heavy.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('delete')
    .description('Delete Apps by name, by manifest or by label')
    .argument('[resource...]', 'app NAME..., app/NAME, or apps with -l')
    .option('-f, --filename <path...>', 'delete the Apps these manifests describe')
    .option('-R, --recursive', 'also read the subdirectories of a directory', false)
    .option('-l, --selector <selector>', 'delete the Apps whose labels match')
    .option('--no-wait', 'return once deletion is asked for, without waiting for it to finish')
    .option('--timeout <duration>', 'how long --wait waits, e.g. 30s or 2m', '60s')
    .option('--ignore-not-found', 'an App that does not exist is not an error', false)
    .addHelpText(
      'after',
      '\nExamples:\n  meseta delete app web\n  meseta delete -f manifests/web.yaml\n  meseta delete apps -l tier=web',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { runDelete } = await import('./delete-apps.ts');
      await runDelete(words, command);
    });
}
