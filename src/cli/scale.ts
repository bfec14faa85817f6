/**
 * `meseta scale app NAME --instances N [--current-instances M]`:
 * the command's arguments, flags and help. The work is in scale-app.ts, imported when the
 * command runs, so that registering the verb loads nothing heavy.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('scale')
    .description('Set the number of instances an App wants')
    .argument('<resource...>', 'app NAME, or app/NAME')
    .option('--instances <n>', 'the number of instances wanted')
    .option('--current-instances <m>', 'only scale if the App wants this many now')
    .addHelpText(
      'after',
      '\nExamples:\n  meseta scale app web --instances 5\n  meseta scale app/web --instances 0 --current-instances 5',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { runScale } = await import('./scale-app.ts');
      await runScale(words, command);
    });
}
