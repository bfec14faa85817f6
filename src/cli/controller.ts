/**
 * `meseta controller [--only apps,events,…] [--mesos URL…] [--probe-port N] [--identity ID]`:
 * runs meseta's controllers in the foreground, each under its own leader election, so that
 * one process can run them all or one concern each, in as many replicas as wanted (only the
 * leader of each acts). Connects like every verb (`--etcd`, `--prefix`, `--context`). Serves
 * `/healthz`, `/readyz` and `/metrics`; SIGINT or SIGTERM stops it cleanly (work in flight
 * finishes, leadership is handed over), a second one exits at once.
 */
import type { Command } from 'commander';
import { controllerCatalog } from '../controllers/catalog.ts';
import type { ControllerFlags } from './controller-run.ts';

export const DEFAULT_PROBE_PORT = 10257;

export function register(program: Command): void {
  const names = controllerCatalog.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  program
    .command('controller')
    .description('Run the controllers (all, or --only some), each under its own leader election')
    .option('--only <names...>', 'run only these controllers (comma-separated or repeated)')
    .option('--mesos <urls...>', 'Mesos master URLs, e.g. http://mesos-1:5050 (for the bridge)')
    .option(
      '--probe-port <n>',
      '/healthz, /readyz and /metrics port (0: any free one)',
      String(DEFAULT_PROBE_PORT),
    )
    .option(
      '--framework-name <name>',
      'the framework name the bridge registers with (default meseta)',
    )
    .option('--mesos-role <roles...>', 'Mesos roles the bridge subscribes with (default *)')
    .option(
      '--failover-timeout <s>',
      'seconds Mesos keeps our tasks while no bridge is connected (default 604800, a week)',
    )
    .option(
      '--launch-queue-limit <n>',
      'instances that may wait for a task at once before Apps wait to create more (default 500; 0: no limit)',
    )
    .option(
      '--max-instances-per-offer <n>',
      'instances placement binds to one agent per offer, at most (default 5; 0: no limit)',
    )
    .option('--probe-host <host>', 'address the probes listen on', '127.0.0.1')
    .option('--identity <id>', 'who this replica is in leader keys and logs (default host/pid)')
    .option('--lease-duration <s>', 'leader lease duration in seconds (default 15)')
    .option('--renew-deadline <s>', 'give up leading when not renewed for this long (default 10)')
    .option('--retry-period <s>', 'seconds between renewals and campaign attempts (default 2)')
    .addHelpText(
      'after',
      `\nControllers:\n${names}\n\n` +
        'Every replica campaigns for every controller it runs; only the leader of each acts.\n' +
        'Ctrl-C (or SIGTERM) stops cleanly and hands leadership over; a second one exits at once.\n\n' +
        'Examples:\n' +
        '  meseta controller --etcd http://etcd-1:2379 --mesos http://mesos-1:5050,http://mesos-2:5050\n' +
        '  meseta controller --only apps --probe-port 10258\n' +
        '  meseta controller --only events --identity events-a',
    )
    .action(async (_options: unknown, command: Command) => {
      const { runController } = await import('./controller-run.ts');
      await runController(command.optsWithGlobals<ControllerFlags>());
    });
}
