/**
 * `meseta delete app NAME... | -f FILE|DIR|- [-R] | apps -l SELECTOR [--wait] [--timeout D]`:
 * the command's arguments, flags and help. The work is in delete-apps.ts, imported when the
 * command runs, so that registering the verb loads nothing heavy.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';

function parseBool(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new InvalidArgumentError('--wait takes true or false, as --wait=false');
}

export function register(program: Command): void {
  program
    .command('delete')
    .description('Delete Apps by name, by manifest or by label')
    .argument('[resource...]', 'app NAME..., app/NAME, or apps with -l')
    .option('-f, --filename <path...>', 'delete the Apps these manifests describe')
    .option('-R, --recursive', 'also read the subdirectories of a directory', false)
    .option('-l, --selector <selector>', 'delete the Apps whose labels match')
    .addOption(
      new Option(
        '--wait [bool]',
        'wait until the Apps are gone, finalizers and all (as kubectl does)',
      )
        .argParser(parseBool)
        .default(true),
    )
    .option('--no-wait', 'same as --wait=false: return once deletion is asked for')
    .option('--timeout <duration>', 'how long --wait waits, e.g. 30s or 2m (0: forever)', '60s')
    .option('--ignore-not-found', 'an App that does not exist is not an error', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 deleted, 1 something missing, failed or still there at the timeout, 2 usage error.\n\n' +
        'Examples:\n  meseta delete app web\n  meseta delete -f manifests/web.yaml --timeout 5m\n' +
        '  meseta delete apps -l tier=web --wait=false',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { runDelete } = await import('./delete-apps.ts');
      await runDelete(words, command);
    });
}
