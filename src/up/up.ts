/**
 * `meseta up` in one call: a whole meseta on one machine. It starts the embedded
 * etcd-compatible store on loopback (persisted under the data directory), or uses a real etcd
 * when given one; the Mesos simulator with the demo cluster; every controller in this process,
 * through the store in process (no gRPC) and each under its own leader election, so separate
 * `meseta controller` processes can join through the store's endpoint; periodic compaction of
 * the embedded store. It records the store as the CLI's current context, applies the example
 * manifests, and shows the Apps converging. `stop()` undoes all of it in reverse order.
 *
 * Run again on the same data directory, it picks up where it stopped: the store keeps every
 * App, revision and instance; the simulator comes back with the same agent ids (its seed is
 * kept in the data directory) and the bridge reconciles the tasks it no longer has.
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyApps, type ApplyOutcome } from '../apply/apply-objects.ts';
import { readManifestSet } from '../apply/manifest-set.ts';
import { recordContext } from '../cli/config-file.ts';
import { Manager, type ElectionTimings } from '../controllers/manager.ts';
import { selectControllers } from '../controllers/registry.ts';
import type { MesetaError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ProbeServer } from '../runtime/probe-server.ts';
import { startEmbeddedEtcd, type EmbeddedEtcd } from '../store/embedded/server.ts';
import { openEtcdKv } from '../store/etcd-kv.ts';
import { DEFAULT_PREFIX } from '../store/keys.ts';
import type { Kv } from '../store/kv.ts';
import { openStore, type Store } from '../store/store.ts';
import { startSimulator, type Simulator } from '../sim/simulator.ts';
import { Compactor } from './compactor.ts';
import { UP_CONTEXT } from './context-name.ts';
import { ConvergenceView, type ViewOutput } from './convergence-view.ts';
import { demoCluster, DEFAULT_UP_AGENTS } from './demo-cluster.ts';

/** The context `meseta up` records in the CLI's config file. */
export { UP_CONTEXT };

export interface UpOptions {
  dataDir: string;
  /** A real etcd to use instead of the embedded store. */
  etcd?: string[];
  /** Port of the embedded store (0: any free one). Default 2379. */
  port?: number;
  /** Port of the Mesos simulator (0: any free one). Default 5050. */
  simPort?: number;
  /** Port of /healthz, /readyz, /metrics (0: any free one). Default 0. */
  probePort?: number;
  agents?: number;
  /** Apply these manifests (a file or directory); absent: apply nothing. */
  manifests?: string;
  /** Run only these controllers (default: all). */
  only?: string[];
  prefix?: string;
  /** The CLI config file to record the context in; absent: record nothing. */
  configPath?: string;
  logger: Logger;
  election?: ElectionTimings;
  compaction?: { keepRevisions?: number; keepMs?: number; intervalMs?: number };
}

export interface Up {
  /** The store's endpoint, for the CLI and other controller processes. */
  endpoint: string;
  /** The simulated Mesos master. */
  simUrl: string;
  probesUrl: string;
  store: Store;
  manager: Manager;
  /** Starts showing the Apps converging on `out`, until `stop()`. */
  show(out: ViewOutput): ConvergenceView;
  /** What applying the manifests did (empty with no manifests). */
  applied: ApplyOutcome[];
  /** Problems that kept manifest files from being applied. */
  problems: MesetaError[];
  stop(): Promise<void>;
}

/** The manifests shipped with meseta: `./manifests` if the working directory has it, else ours. */
export function defaultManifests(cwd = process.cwd()): string {
  const local = join(cwd, 'manifests');
  if (existsSync(local)) return local;
  return fileURLToPath(new URL('../../manifests', import.meta.url));
}

interface UpState {
  /** The simulator's seed: the same one on every run keeps agent ids stable. */
  seed: number;
}

async function upState(dataDir: string): Promise<UpState> {
  const file = join(dataDir, 'up.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as UpState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const state = { seed: randomInt(1, 2 ** 31) };
    await writeFile(file, JSON.stringify(state) + '\n');
    return state;
  }
}

export async function startUp(options: UpOptions): Promise<Up> {
  const log = options.logger;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  await mkdir(options.dataDir, { recursive: true });
  const state = await upState(options.dataDir);
  const cleanup: (() => Promise<void>)[] = [];
  const undo = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step().catch((error: unknown) => log.warn('stopping failed', { error }));
    }
  };
  try {
    let server: EmbeddedEtcd | undefined;
    let kv: Kv;
    let endpoint: string;
    if (options.etcd?.length) {
      kv = openEtcdKv({ endpoints: options.etcd });
      endpoint = options.etcd[0]!;
    } else {
      const started = await startEmbeddedEtcd({
        dataDir: join(options.dataDir, 'store'),
        port: options.port ?? 2379,
        log: log.child({ component: 'store' }),
      });
      server = started;
      cleanup.push(() => started.close());
      // The controllers here use the store in process: same engine, no gRPC on the hot path.
      kv = started.inProcessKv();
      endpoint = started.endpoint;
    }
    const store = openStore({ kv, prefix, logger: log });
    cleanup.push(() => store.close());

    const sim: Simulator = await startSimulator({
      cluster: demoCluster(options.agents ?? DEFAULT_UP_AGENTS),
      port: options.simPort ?? 5050,
      seed: state.seed,
      log: log.child({ component: 'sim' }),
    });
    cleanup.push(() => sim.stop());

    const settings = { mesos: [sim.url], prefix };
    const manager = new Manager({
      store,
      controllers: selectControllers(options.only, settings),
      settings,
      logger: log,
      ...(options.election ? { election: options.election } : {}),
    });
    const probes: ProbeServer = await manager.startProbes({ port: options.probePort ?? 0 });
    cleanup.push(() => probes.close());

    if (options.configPath) {
      await recordContext(options.configPath, UP_CONTEXT, { endpoints: [endpoint], prefix });
    }

    const stop = new AbortController();
    const background: Promise<void>[] = [];
    cleanup.push(async () => {
      stop.abort();
      await Promise.all(background);
    });
    background.push(manager.run(stop.signal));
    if (server) {
      const compactor = new Compactor({ kv, logger: log, ...options.compaction });
      background.push(compactor.run(stop.signal));
    }

    let applied: ApplyOutcome[] = [];
    let problems: MesetaError[] = [];
    if (options.manifests) {
      const set = await readManifestSet([options.manifests], { namespace: 'default' });
      problems = set.problems;
      applied = await applyApps(store.objects, set.apps);
      for (const outcome of applied) {
        if (outcome.error) problems.push(outcome.error);
      }
    }

    return {
      endpoint,
      simUrl: sim.url,
      probesUrl: probes.url,
      store,
      manager,
      show(out) {
        const view = new ConvergenceView(out);
        background.push(
          view.follow(store.objects, stop.signal).catch((error: unknown) => {
            log.error('the live view stopped', { error });
          }),
        );
        return view;
      },
      applied,
      problems,
      stop: undo,
    };
  } catch (error) {
    await undo();
    throw error;
  }
}
