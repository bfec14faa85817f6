/**
 * What `meseta up` does once its flags are read: start everything (`startUp`), print where it
 * is, show the apps converging, and stop cleanly on Ctrl-C. Loaded only when the verb runs
 * (see `up.ts`).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { APP_RESOURCE } from '../api/crd.ts';
import { UsageError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { defaultManifests, startUp, UP_CONTEXT } from '../up/up.ts';
import { configPath } from './config-file.ts';
import type { GlobalOptions } from './connection.ts';
import { listFlag, portFlag, stopOnSignals } from './process-flags.ts';

export interface UpFlags extends GlobalOptions {
  dataDir: string;
  port: string;
  simPort: string;
  probePort: string;
  agents: string;
  apply: boolean;
  manifests?: string;
  only?: string[];
}

export async function runUp(flags: UpFlags): Promise<void> {
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
}
