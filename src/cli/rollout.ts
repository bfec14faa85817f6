/**
 * `meseta rollout status app NAME [--timeout DURATION]`: the command's flags and help;
 * rollout-status.ts follows the App, loaded only when the command runs. The `rollout` command
 * is shared: history, undo, pause, resume and restart add themselves to it from their own
 * files when rolling upgrades land.
 */
import type { Command } from 'commander';

/** The `rollout` command, created by whichever rollout verb registers first. */
export function rolloutCommand(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'rollout') ??
    program.command('rollout').description('Follow and manage rollouts of Apps')
  );
}

export function register(program: Command): void {
  rolloutCommand(program)
    .command('status')
    .description('Wait until an App is fully rolled out, showing progress')
    .argument('<resource...>', 'app NAME, or app/NAME')
    .option('--timeout <duration>', 'give up after this long, e.g. 5m (0: wait forever)', '0')
    .addHelpText(
      'after',
      '\nExit codes: 0 rolled out, 1 failed or timed out, 2 usage error.\n\n' +
        'Examples:\n  meseta rollout status app web\n  meseta rollout status app/web --timeout 2m',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { runRolloutStatus } = await import('./rollout-status.ts');
      await runRolloutStatus(words, command);
    });
}
