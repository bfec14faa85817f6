/**
 * `meseta up [--data-dir DIR] [--etcd URL] [--port N] [--agents N] [--no-apply]`: a whole
 * meseta on this machine (see src/up/up.ts) in the foreground — store, Mesos simulator, every
 * controller — recorded as the CLI's current context, with the example manifests applied and
 * their convergence shown live. Ctrl-C stops it cleanly; running it again resumes from the
 * data directory.
 */
import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UP_CONTEXT } from '../up/context-name.ts';
import type { UpFlags } from './up-run.ts';

export const DEFAULT_UP_DIR = join(homedir(), '.meseta', 'up');

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'Run a whole meseta here: store, Mesos simulator, every controller; apply the examples',
    )
    .option('--data-dir <dir>', 'where the store keeps its data and up its log', DEFAULT_UP_DIR)
    .option('--port <n>', 'port of the embedded store (0: any free one)', '2379')
    .option('--sim-port <n>', 'port of the simulated Mesos master (0: any free one)', '5050')
    .option(
      '--probe-port <n>',
      'port of /healthz, /readyz and /metrics (default: any free one)',
      '0',
    )
    .option('--agents <n>', 'simulated agents (at least 5 for every example to fit)', '5')
    .option('--manifests <path>', 'manifests to apply (default ./manifests, else the examples)')
    .option('--no-apply', 'apply nothing')
    .option(
      '--only <names...>',
      'run only these controllers (others may join with `meseta controller`)',
    )
    .addHelpText(
      'after',
      '\nWith --etcd URL it uses that etcd instead of the embedded store.\n' +
        `It records the store as context "${UP_CONTEXT}" and makes it current, so that\n` +
        '`meseta get apps -A` (and every other verb) talks to it. Ctrl-C stops it; run it again\n' +
        'on the same --data-dir and it picks up where it stopped.\n\n' +
        'Examples:\n' +
        '  meseta up\n' +
        '  meseta up --data-dir /tmp/demo --port 0 --no-apply\n' +
        '  meseta up --only apps,events &  meseta controller --only bridge,placement --mesos http://127.0.0.1:5050',
    )
    .action(async (_options: unknown, command: Command) => {
      const { runUp } = await import('./up-run.ts');
      await runUp(command.optsWithGlobals<UpFlags>());
    });
}
