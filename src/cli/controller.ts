/**
 * `meseta controller [--only apps,events,…] [--mesos URL…] [--probe-port N] [--identity ID]`:
 * runs meseta's controllers in the foreground, each under its own leader election, so that
 * one process can run them all or one concern each, in as many replicas as wanted (only the
 * leader of each acts). Connects like every verb (`--etcd`, `--prefix`, `--context`). Serves
 * `/healthz`, `/readyz` and `/metrics`; SIGINT or SIGTERM stops it cleanly (work in flight
 * finishes, leadership is handed over), a second one exits at once.
 */
import type { Command } from 'commander';
import { Manager, defaultIdentity, type ElectionTimings } from '../controllers/manager.ts';
import {
  controllerFactories,
  selectControllers,
  type ControllerSettings,
} from '../controllers/registry.ts';
import { UsageError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/store.ts';
import { resolveConnection, type GlobalOptions } from './connection.ts';

export const DEFAULT_PROBE_PORT = 10257;

interface ControllerFlags extends GlobalOptions {
  only?: string[];
  mesos?: string[];
  probePort: string;
  probeHost: string;
  identity?: string;
  frameworkName?: string;
  mesosRole?: string[];
  failoverTimeout?: string;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
}

/** `a,b` and repeated flags alike, trimmed, empties dropped. */
export function listFlag(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((value) => value.split(',').map((part) => part.trim())).filter(Boolean);
}

export function mesosUrls(values: readonly string[] | undefined): string[] {
  const urls = listFlag(values) ?? [];
  for (const url of urls) {
    if (!/^https?:\/\/[^/]+\/?$/.test(url)) {
      throw new UsageError(`--mesos "${url}" must look like http://host:5050`);
    }
  }
  return urls.map((url) => url.replace(/\/$/, ''));
}

export function portFlag(text: string, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`${flag} must be a port number, 0 for any free one (got "${text}")`);
  }
  return port;
}

function electionTimings(flags: ControllerFlags): ElectionTimings {
  const ms = (value: string | undefined, flag: string) => {
    if (value === undefined) return undefined;
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new UsageError(`${flag} must be a number of seconds > 0 (got "${value}")`);
    }
    return seconds * 1000;
  };
  const timings: ElectionTimings = {};
  const lease = ms(flags.leaseDuration, '--lease-duration');
  const renew = ms(flags.renewDeadline, '--renew-deadline');
  const retry = ms(flags.retryPeriod, '--retry-period');
  if (lease !== undefined) timings.leaseDurationMs = lease;
  if (renew !== undefined) timings.renewDeadlineMs = renew;
  if (retry !== undefined) timings.retryPeriodMs = retry;
  const [l, r, t] = [lease ?? 15_000, renew ?? 10_000, retry ?? 2_000];
  if (!(t < r && r < l)) {
    throw new UsageError(
      'leader election needs --retry-period < --renew-deadline < --lease-duration',
    );
  }
  return timings;
}

function frameworkSettings(flags: ControllerFlags): Pick<ControllerSettings, 'framework'> {
  const framework: NonNullable<ControllerSettings['framework']> = {};
  if (flags.frameworkName !== undefined) framework.name = flags.frameworkName;
  const roles = listFlag(flags.mesosRole);
  if (roles?.length) framework.roles = roles;
  if (flags.failoverTimeout !== undefined) {
    const seconds = Number(flags.failoverTimeout);
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new UsageError(
        `--failover-timeout must be a number of seconds >= 0 (got "${flags.failoverTimeout}")`,
      );
    }
    framework.failoverTimeoutSeconds = seconds;
  }
  return Object.keys(framework).length > 0 ? { framework } : {};
}

/**
 * An AbortSignal that aborts on the first SIGINT or SIGTERM; a second one calls `onSecond`
 * (exit at once). `dispose()` removes the handlers.
 */
export function stopOnSignals(onSecond: () => void = () => process.exit(130)): {
  signal: AbortSignal;
  dispose(): void;
} {
  const stop = new AbortController();
  const handler = () => {
    if (stop.signal.aborted) return onSecond();
    stop.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: stop.signal,
    dispose: () => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}

export function register(program: Command): void {
  const names = controllerFactories.map((f) => `  ${f.name.padEnd(10)} ${f.summary}`).join('\n');
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
      const flags = command.optsWithGlobals<ControllerFlags>();
      const connection = await resolveConnection(flags);
      const settings = {
        mesos: mesosUrls(flags.mesos),
        prefix: connection.prefix,
        ...frameworkSettings(flags),
      };
      const controllers = selectControllers(listFlag(flags.only), settings);
      const election = electionTimings(flags);
      const port = portFlag(flags.probePort, '--probe-port');
      const identity = flags.identity ?? defaultIdentity();
      const logger = createLogger({ fields: { component: 'controller' } });
      const store = openStore({ etcd: connection.etcd, prefix: connection.prefix, logger });
      const manager = new Manager({ store, controllers, settings, identity, election, logger });
      const { signal, dispose } = stopOnSignals();
      try {
        const probes = await manager.startProbes({ host: flags.probeHost, port });
        process.stdout.write(
          `meseta controller: ${controllers.map((c) => c.name).join(', ')} as ${identity}; ` +
            `probes on ${probes.url}\n`,
        );
        try {
          await manager.run(signal);
        } finally {
          await probes.close();
        }
      } finally {
        await store.close();
        dispose();
      }
    });
}
