/**
 * A bridge under test: a real etcd (one per test file, a fresh key prefix per test), the Mesos
 * simulator over real HTTP, and builders for the objects the bridge reads (AppRevisions and
 * Instances, bound by hand: there is no placement here).
 */
import type { AppSpec } from '../../../src/api/app-types.ts';
import { defaultApp } from '../../../src/api/app.ts';
import { appTemplate, templateHash, type AppRevision } from '../../../src/api/app-revision.ts';
import type { Agent } from '../../../src/api/agent.ts';
import type { Instance, InstanceGoal } from '../../../src/api/instance.ts';
import {
  agentResource,
  appRevisionResource,
  instanceResource,
} from '../../../src/api/resources.ts';
import {
  BridgeController,
  type BridgeControllerOptions,
} from '../../../src/controllers/bridge/bridge-controller.ts';
import { createLogger, silentLogger, type Logger } from '../../../src/log.ts';
import { Registry } from '../../../src/runtime/metrics.ts';
import { generateCluster } from '../../../src/sim/cluster.ts';
import {
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../../src/sim/simulator.ts';
import type { TaskRecord } from '../../../src/sim/state.ts';
import { ConflictError } from '../../../src/store/errors.ts';
import { openEtcdKv } from '../../../src/store/etcd-kv.ts';
import { InternalRecords } from '../../../src/store/internal-records.ts';
import type { Kv } from '../../../src/store/kv.ts';
import { ObjectStore } from '../../../src/store/object-store.ts';
import type { EtcdServer } from '../../support/etcd.ts';
import { uniquePrefix } from '../../support/kv-backend.ts';

export const fastSim: Partial<SimulatorOptions> = {
  port: 0,
  seed: 3,
  heartbeatIntervalMs: 500,
  allocationIntervalMs: 50,
  timings: { startingDelayMs: 10, runningDelayMs: 10, killDelayMs: 10 },
};

/** Timings that make a test's minutes into milliseconds; each test overrides what it checks. */
export const fastBridge: Partial<BridgeControllerOptions> = {
  tickMs: 50,
  publishIntervalMs: 50,
  offerHoldMs: 500,
  reconcileRetryMs: 200,
  killRetryMs: 500,
};

const logger: Logger = process.env.MESETA_TEST_LOG
  ? createLogger({ level: 'debug' })
  : silentLogger;

export class Harness {
  readonly prefix = uniquePrefix();
  readonly kv: Kv;
  readonly store: ObjectStore;
  readonly records: InternalRecords;
  private readonly running: { stop: AbortController; done: Promise<void> }[] = [];

  constructor(
    readonly etcd: EtcdServer,
    readonly sim: Simulator,
  ) {
    this.kv = openEtcdKv({ endpoints: [etcd.endpoint] });
    this.store = new ObjectStore({ kv: this.kv, prefix: this.prefix });
    this.records = new InternalRecords(this.kv, { prefix: this.prefix });
  }

  static async start(
    etcd: EtcdServer,
    options: { agents?: number; sim?: Partial<SimulatorOptions> } = {},
  ): Promise<Harness> {
    const sim = await startSimulator({
      ...fastSim,
      ...options.sim,
      cluster: generateCluster({ agents: options.agents ?? 2, racks: 2, cpus: 4, mem: 4096 }),
    });
    return new Harness(etcd, sim);
  }

  /** Starts a bridge (a "leader") against this store and simulator. */
  bridge(options: Partial<BridgeControllerOptions> = {}): {
    bridge: BridgeController;
    done: Promise<void>;
    stop: () => Promise<void>;
    metrics: Registry;
  } {
    const metrics = new Registry();
    const bridge = new BridgeController({
      store: this.store,
      records: this.records,
      mesos: {
        masters: [this.sim.url],
        encoding: 'json',
        framework: { name: 'meseta-test', user: 'root', roles: ['apps'] },
        backoff: { initialMs: 20, maxMs: 200 },
      },
      logger,
      metrics,
      ...fastBridge,
      ...options,
    });
    const stop = new AbortController();
    const done = bridge.run(stop.signal);
    const entry = { stop, done };
    this.running.push(entry);
    return {
      bridge,
      done,
      metrics,
      stop: async () => {
        stop.abort();
        await done.catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    for (const { stop, done } of this.running) {
      stop.abort();
      await done.catch(() => {});
    }
    await this.sim.stop();
    await this.kv.close();
  }

  async revision(app: string, revision: number, spec: Partial<AppSpec> = {}): Promise<AppRevision> {
    const full = defaultApp({
      apiVersion: 'meseta.io/v1',
      kind: 'App',
      metadata: { name: app, namespace: 'default' },
      spec: { cmd: 'sleep 1000', cpus: 0.1, mem: 32, ...spec },
    });
    const template = appTemplate(full.spec);
    return this.store.create(appRevisionResource, {
      apiVersion: 'meseta.io/v1',
      kind: 'AppRevision',
      metadata: { name: `${app}-${revision}`, namespace: 'default' },
      spec: { app, revision, templateHash: templateHash(template), template },
    });
  }

  async instance(
    name: string,
    options: { app?: string; revision?: number; goal?: InstanceGoal; agentId?: string } = {},
  ): Promise<Instance> {
    return this.store.create(instanceResource, {
      apiVersion: 'meseta.io/v1',
      kind: 'Instance',
      metadata: { name, namespace: 'default' },
      spec: {
        app: options.app ?? 'web',
        revision: options.revision ?? 1,
        goal: options.goal ?? 'running',
        ...(options.agentId ? { agentId: options.agentId, boundAt: new Date().toISOString() } : {}),
      },
    });
  }

  /** Many bound instances at once (128 creates per transaction). */
  async bound(names: string[], agentOf: (i: number) => string): Promise<void> {
    const boundAt = new Date().toISOString();
    await this.store.batch(
      names.map((name, i) => ({
        op: 'create' as const,
        type: instanceResource,
        object: {
          apiVersion: 'meseta.io/v1',
          kind: 'Instance',
          metadata: { name, namespace: 'default' },
          spec: { app: 'web', revision: 1, goal: 'running', agentId: agentOf(i), boundAt },
        },
      })),
    );
  }

  async list(): Promise<Instance[]> {
    return (await this.store.list(instanceResource)).items;
  }

  async get(name: string): Promise<Instance | undefined> {
    return this.store.get(instanceResource, { namespace: 'default', name });
  }

  /** Changes an instance's spec (compare-and-swap on a fresh read, retried on conflict). */
  async change(name: string, change: (spec: Instance['spec']) => Instance['spec']): Promise<void> {
    for (;;) {
      const current = (await this.get(name))!;
      try {
        await this.store.update(instanceResource, { ...current, spec: change(current.spec) });
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  async agents(): Promise<Agent[]> {
    return (await this.store.list(agentResource)).items;
  }

  /** The simulator's agent ids, in cluster order. */
  agentIds(): string[] {
    return [...this.sim.master.listAgents()].map((a) => a.id);
  }

  /** The tasks the simulated master knows for `frameworkId` (live, and completed). */
  tasks(frameworkId: string): { live: TaskRecord[]; completed: TaskRecord[] } {
    const framework = this.sim.master.framework(frameworkId);
    return {
      live: framework ? [...framework.tasks.values()] : [],
      completed: framework ? [...framework.completedTasks] : [],
    };
  }
}
