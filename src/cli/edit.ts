/**
 * `meseta edit app NAME`:
 * the command's arguments, flags and help. The work is in edit-app.ts, imported when the
 * command runs, so that registering the verb loads nothing heavy.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('edit')
    .description('Edit an App in your editor ($VISUAL or $EDITOR), validated before saving')
    .argument('<resource...>', 'app NAME, or app/NAME')
    .addHelpText(
      'after',
      '\nExamples:\n  meseta edit app web\n  EDITOR=nano meseta edit app/web -n shop',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { runEdit } = await import('./edit-app.ts');
      await runEdit(words, command);
    });
}
