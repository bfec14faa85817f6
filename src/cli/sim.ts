/**
 * `meseta sim`: runs the Mesos simulator as a server until interrupted — a master with
 * simulated agents speaking Mesos's HTTP API on `--port` (default 5050), its agents from a
 * cluster file or the generator. The simulator loads (sim-start.ts) only when the command runs.
 */
import type { Command } from 'commander';
import type { SimCommandOptions } from './sim-start.ts';

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
      const { startFromOptions } = await import('./sim-start.ts');
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
