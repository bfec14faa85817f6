/**
 * `meseta sim`: runs the Mesos simulator as a server until interrupted — a master with
 * simulated agents speaking Mesos's HTTP API on `--port` (default 5050), its agents from a
 * cluster file or the generator.
 */
import type { Command } from 'commander';
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

export function register(program: Command): void {
  program
    .command('sim')
    .description('Run a simulated Mesos master with agents, speaking the Mesos HTTP API')
    .option('--port <port>', 'port to listen on', '5050')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--cluster <file>', 'cluster file (YAML) describing the agents')
    .option('--agents <n>', 'generate N agents (default 3)')
    .option('--racks <n>', 'spread generated agents over N racks')
    .option('--zones <n>', 'spread generated agents over N zones')
    .option('--regions <n>', 'spread generated agents over N regions')
    .option('--cpus <n>', 'cpus per generated agent')
    .option('--mem <mb>', 'memory per generated agent, in MB')
    .option('--disk <mb>', 'disk per generated agent, in MB')
    .option('--gpus <n>', 'gpus per generated agent')
    .option('--seed <n>', 'seed for ids and uuids')
    .option('--allocation-interval <s>', 'seconds between allocation passes', undefined)
    .option('--heartbeat-interval <s>', 'seconds between HEARTBEAT events (Mesos: 15)')
    .option('--offer-timeout <s>', 'rescind offers held longer than this')
    .option('--local', 'really run each task command on this machine')
    .option('--starting-delay <s>', 'seconds from launch to TASK_STARTING (default 0.05)')
    .option('--running-delay <s>', 'seconds from TASK_STARTING to TASK_RUNNING (default 0.1)')
    .option(
      '--agent-unreachable-timeout <s>',
      'seconds a partitioned agent stays silent before it is unreachable (default 75)',
    )
    .option('--standbys <n>', 'standby masters on free ports, redirecting (307) to the leader')
    .addHelpText(
      'after',
      '\nExamples:\n  meseta sim --agents 1000 --racks 20 --zones 3\n  meseta sim --cluster cluster.yaml --port 5051',
    )
    .action(async (options: SimCommandOptions) => {
      const sim = await startFromOptions(options);
      process.stderr.write(
        `meseta sim: Mesos master ${sim.master.id} on ${sim.url} with ${[...sim.master.listAgents()].length} agents\n`,
      );
      for (const url of sim.urls.slice(1)) process.stderr.write(`meseta sim: standby on ${url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.stop();
    });
}
