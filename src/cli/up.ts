/**
 * `meseta up [--data-dir DIR] [--etcd URL] [--port N] [--agents N] [--no-apply]`: a whole
 * meseta on this machine (see src/up/up.ts) in the foreground — store, Mesos simulator, every
 * controller — recorded as the CLI's current context, with the example manifests applied and
 * their convergence shown live. Ctrl-C stops it cleanly; running it again resumes from the
 * data directory.
 */
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { APP_RESOURCE } from '../api/index.ts';
import { UsageError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { defaultManifests, startUp, UP_CONTEXT } from '../up/up.ts';
import { configPath } from './config-file.ts';
import type { GlobalOptions } from './connection.ts';
import { listFlag, portFlag, stopOnSignals } from './controller.ts';

export const DEFAULT_UP_DIR = join(homedir(), '.meseta', 'up');

interface UpFlags extends GlobalOptions {
  dataDir: string;
  port: string;
  simPort: string;
  probePort: string;
  agents: string;
  apply: boolean;
  manifests?: string;
  only?: string[];
}

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
      const flags = command.optsWithGlobals<UpFlags>();
      const agents = Number(flags.agents);
      if (!Number.isInteger(agents) || agents < 1) {
        throw new UsageError(`--agents must be a whole number >= 1 (got "${flags.agents}")`);
      }
      const etcd = listFlag(flags.etcd ? [flags.etcd] : undefined);
      const dataDir = resolve(flags.dataDir);
      await mkdir(dataDir, { recursive: true });
      const logFile = join(dataDir, 'up.log');
      const logStream = createWriteStream(logFile, { flags: 'a' });
      const logger = createLogger({ sink: (line) => logStream.write(line + '\n') });
      const out = process.stdout;
      const { signal, dispose } = stopOnSignals();
      try {
        const up = await startUp({
          dataDir,
          ...(etcd?.length ? { etcd } : {}),
          port: portFlag(flags.port, '--port'),
          simPort: portFlag(flags.simPort, '--sim-port'),
          probePort: portFlag(flags.probePort, '--probe-port'),
          agents,
          ...(flags.apply ? { manifests: flags.manifests ?? defaultManifests() } : {}),
          ...(flags.only ? { only: listFlag(flags.only)! } : {}),
          ...(flags.prefix ? { prefix: flags.prefix } : {}),
          configPath: configPath(flags.config),
          logger,
        });
        out.write(
          `meseta up: store ${up.endpoint}${etcd?.length ? '' : ` (data in ${dataDir})`}\n` +
            `meseta up: Mesos simulator ${up.simUrl} (${agents} agents); probes ${up.probesUrl}\n` +
            `meseta up: context "${UP_CONTEXT}" is current: try \`meseta get apps -A\`; logs in ${logFile}\n`,
        );
        for (const outcome of up.applied) {
          if (outcome.action)
            out.write(`${APP_RESOURCE}/${outcome.input.app.metadata.name} ${outcome.action}\n`);
        }
        for (const problem of up.problems) process.stderr.write(`error: ${problem.format()}\n`);
        // Ctrl-C may already have come while starting.
        if (!signal.aborted) up.show(out);
        await new Promise<void>((done) => {
          if (signal.aborted) return done();
          signal.addEventListener('abort', () => done(), { once: true });
        });
        out.write('meseta up: stopping (Ctrl-C again to quit at once)\n');
        await up.stop();
        out.write('meseta up: stopped\n');
      } finally {
        dispose();
        await new Promise<void>((done) => logStream.end(done));
      }
    });
}
