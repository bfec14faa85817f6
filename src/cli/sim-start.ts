/**
 * What `meseta sim` starts: the cluster its flags describe (a cluster file, or the generator's
 * agents, racks, zones and regions) and the simulator serving it, every number checked
 * (`--port`, seconds, counts) with a usage error that names the flag.
 */
import { UsageError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { generateCluster, loadClusterFile, type ClusterSpec } from '../sim/cluster.ts';
import { startSimulator, type Simulator } from '../sim/simulator.ts';

export interface SimCommandOptions {
  port: string;
  host: string;
  cluster?: string;
  agents?: string;
  racks?: string;
  zones?: string;
  regions?: string;
  cpus?: string;
  mem?: string;
  disk?: string;
  gpus?: string;
  seed?: string;
  allocationInterval?: string;
  heartbeatInterval?: string;
  offerTimeout?: string;
  local?: boolean;
  standbys?: string;
  startingDelay?: string;
  runningDelay?: string;
  agentUnreachableTimeout?: string;
}

function number(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) {
    throw new UsageError(`${flag} must be a number >= ${min} (got ${JSON.stringify(value)})`);
  }
  return parsed;
}

export function clusterFrom(options: SimCommandOptions): ClusterSpec {
  if (options.cluster && options.agents) {
    throw new UsageError('use either --cluster FILE or --agents N, not both');
  }
  if (options.cluster) return loadClusterFile(options.cluster);
  return generateCluster({
    agents: number(options.agents, '--agents', 1) ?? 3,
    racks: number(options.racks, '--racks', 1),
    zones: number(options.zones, '--zones', 1),
    regions: number(options.regions, '--regions', 1),
    cpus: number(options.cpus, '--cpus'),
    mem: number(options.mem, '--mem'),
    disk: number(options.disk, '--disk'),
    gpus: number(options.gpus, '--gpus'),
  });
}

/** Starts the simulator as the command line asks; the caller stops it. */
export async function startFromOptions(options: SimCommandOptions): Promise<Simulator> {
  const seconds = (value: string | undefined, flag: string) => {
    const parsed = number(value, flag);
    return parsed === undefined ? undefined : parsed * 1000;
  };
  const port = number(options.port, '--port');
  if (port === undefined || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--port must be a port number (got ${JSON.stringify(options.port)})`);
  }
  return startSimulator({
    cluster: clusterFrom(options),
    port,
    host: options.host,
    seed: number(options.seed, '--seed'),
    allocationIntervalMs: seconds(options.allocationInterval, '--allocation-interval'),
    heartbeatIntervalMs: seconds(options.heartbeatInterval, '--heartbeat-interval'),
    offerTimeoutMs: seconds(options.offerTimeout, '--offer-timeout'),
    local: options.local ?? false,
    standbys: number(options.standbys, '--standbys'),
    agentUnreachableTimeoutMs: seconds(
      options.agentUnreachableTimeout,
      '--agent-unreachable-timeout',
    ),
    timings: {
      ...(options.startingDelay !== undefined
        ? { startingDelayMs: seconds(options.startingDelay, '--starting-delay') }
        : {}),
      ...(options.runningDelay !== undefined
        ? { runningDelayMs: seconds(options.runningDelay, '--running-delay') }
        : {}),
    },
    log: createLogger({ fields: { component: 'sim' } }),
  });
}
