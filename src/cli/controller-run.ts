/**
 * What `meseta controller` does once its flags are read: resolve the connection, pick the
 * controllers, start the manager with its probes, and run until SIGINT/SIGTERM. Loaded only
 * when the verb runs (see `controller.ts`).
 */
import { Manager, defaultIdentity, type ElectionTimings } from '../controllers/manager.ts';
import { selectControllers, type ControllerSettings } from '../controllers/registry.ts';
import { UsageError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/store.ts';
import { resolveConnection, type GlobalOptions } from './connection.ts';
import { listFlag, mesosUrls, portFlag, stopOnSignals } from './process-flags.ts';

export interface ControllerFlags extends GlobalOptions {
  only?: string[];
  mesos?: string[];
  probePort: string;
  probeHost: string;
  identity?: string;
  frameworkName?: string;
  mesosRole?: string[];
  failoverTimeout?: string;
  launchQueueLimit?: string;
  maxInstancesPerOffer?: string;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
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

/** A whole number >= 0 from `flag`, 0 meaning no limit (Infinity). */
function limitFlag(text: string, flag: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) {
    throw new UsageError(`${flag} must be a whole number >= 0 (got "${text}")`);
  }
  return limit === 0 ? Infinity : limit;
}

/** `--launch-queue-limit` as the apps controller takes it (0: no limit). */
export function appsSettings(flags: ControllerFlags): Pick<ControllerSettings, 'apps'> {
  const text = flags.launchQueueLimit;
  if (text === undefined) return {};
  return { apps: { launchQueueLimit: limitFlag(text, '--launch-queue-limit') } };
}

/** `--max-instances-per-offer` as the placement controller takes it (0: no limit). */
export function placementSettings(flags: ControllerFlags): Pick<ControllerSettings, 'placement'> {
  const text = flags.maxInstancesPerOffer;
  if (text === undefined) return {};
  return { placement: { maxInstancesPerOffer: limitFlag(text, '--max-instances-per-offer') } };
}

export async function runController(flags: ControllerFlags): Promise<void> {
  const connection = await resolveConnection(flags);
  const settings = {
    mesos: mesosUrls(flags.mesos),
    prefix: connection.prefix,
    ...frameworkSettings(flags),
    ...appsSettings(flags),
    ...placementSettings(flags),
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
}
