/**
 * `meseta describe app NAME... | agent NAME...`: the command's arguments and help. The work is
 * in describe-app.ts and describe-agent.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { resourceArguments } from './resource-arg.ts';

export function register(program: Command): void {
  program
    .command('describe')
    .description(
      'Show an App (spec, status, rollout, conditions, instances, events) or an Agent in detail',
    )
    .argument('<resource...>', 'app NAME..., agent NAME..., or TYPE/NAME')
    .addHelpText(
      'after',
      '\nExamples:\n  meseta describe app web\n  meseta describe app/web -n shop\n' +
        '  meseta describe agent 2f1c9e4a-7b0d-4c55-9d1e-0a6f3b2c8d41-S3',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { kind } = resourceArguments(words);
      if (kind === 'agents') {
        const { runDescribeAgents } = await import('./describe-agent.ts');
        await runDescribeAgents(words, command);
      } else if (kind === 'apps') {
        const { runDescribe } = await import('./describe-app.ts');
        await runDescribe(words, command);
      } else {
        throw new UsageError(
          `describe shows apps and agents; list ${kind} with \`meseta get ${kind}\``,
        );
      }
    });
}
