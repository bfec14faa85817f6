/**
 * `meseta describe app NAME...`: the command's flags and help; describe-app.ts does the work,
 * loaded only when the command runs.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('describe')
    .description(
      'Show an App in detail: spec, status, rollout progress, conditions, instances, events',
    )
    .argument('<resource...>', 'app NAME..., or app/NAME')
    .addHelpText(
      'after',
      '\nExamples:\n  meseta describe app web\n  meseta describe app/web -n shop',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { runDescribe } = await import('./describe-app.ts');
      await runDescribe(words, command);
    });
}
