/**
 * End-to-end harness: a real etcd (one per test file), and per test a fresh key prefix and a
 * fresh Mesos simulator over real HTTP. Controllers run either as `meseta controller` child
 * processes (tests about processes: crashes, replicas) or in this process through the same
 * Manager and registry (faster, for behaviour). Checks read the store and the simulator's
 * master directly; every wait is on a condition with a deadline.
 */
import { randomUUID } from 'node:crypto';
import type { AppSpec } from '../../src/api/app-types.ts';
import type { Instance } from '../../src/api/instance.ts';
import { appResource, instanceResource, type StoredApp } from '../../src/api/resources.ts';
import { Manager } from '../../src/controllers/manager.ts';
import { selectControllers } from '../../src/controllers/registry.ts';
import { openEtcdKv } from '../../src/store/etcd-kv.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { isTerminal } from '../../src/mesos/task-states.ts';
import { demoCluster } from '../../src/up/demo-cluster.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import type { TaskRecord } from '../../src/sim/state.ts';
import { app as appFixture } from '../controllers/apps/fixtures.ts';
import { startEtcd, type EtcdServer } from '../support/etcd.ts';
import { until } from '../support/until.ts';
import { spawnMeseta, type MesetaProcess } from './meseta-process.ts';

/** Short leases so that a killed leader is replaced in seconds, not 15. */
export const FAST_ELECTION = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250 };
const FAST_ELECTION_FLAGS = [
  '--lease-duration',
  '3',
  '--renew-deadline',
  '2',
  '--retry-period',
  '0.25',
];

export class E2eEtcd {
  private constructor(readonly server: EtcdServer) {}

  static async start(): Promise<E2eEtcd> {
    return new E2eEtcd(await startEtcd());
  }

  /** A fresh installation: its own prefix and its own simulated Mesos cluster. */
  async installation(agents = 5): Promise<Installation> {
    const sim = await startSimulator({ cluster: demoCluster(agents), port: 0 });
    return new Installation(this.server.endpoint, `/e2e-${randomUUID().slice(0, 8)}`, sim);
  }

  async close(): Promise<void> {
    await this.server.remove();
  }
}

export class Installation {
  readonly store: Store;
  private readonly processes: MesetaProcess[] = [];
  private readonly managers: { stop: AbortController; done: Promise<void> }[] = [];

  constructor(
    readonly endpoint: string,
    readonly prefix: string,
    readonly sim: Simulator,
  ) {
    this.store = openStore({ kv: openEtcdKv({ endpoints: [endpoint] }), prefix });
  }

  get settings() {
    return { mesos: [this.sim.url], prefix: this.prefix };
  }

  /** `meseta controller` as a child process; resolves once it serves its probes. */
  async controllerProcess(identity: string, only?: string[]): Promise<ControllerProcess> {
    const process = spawnMeseta([
      'controller',
      '--etcd',
      this.endpoint,
      '--prefix',
      this.prefix,
      '--mesos',
      this.sim.url,
      '--probe-port',
      '0',
      '--identity',
      identity,
      ...(only ? ['--only', only.join(',')] : []),
      ...FAST_ELECTION_FLAGS,
    ]);
    this.processes.push(process);
    const [, probes] = await process.waitFor(/probes on (http:\/\/\S+)/);
    return { process, probes: probes!, identity };
  }

  /** Every registered controller in this process (the same Manager as `meseta controller`). */
  startControllers(identity = 'in-process'): Manager {
    const manager = new Manager({
      store: this.store,
      controllers: selectControllers(undefined, this.settings),
      settings: this.settings,
      identity,
      election: FAST_ELECTION,
    });
    const stop = new AbortController();
    this.managers.push({ stop, done: manager.run(stop.signal) });
    return manager;
  }

  async createApp(name: string, spec: Partial<AppSpec>, namespace = 'default'): Promise<StoredApp> {
    return this.store.objects.create(appResource, appFixture(name, spec, namespace));
  }

  async scale(name: string, instances: number, namespace = 'default'): Promise<void> {
    for (;;) {
      const app = (await this.store.objects.get(appResource, { namespace, name }))!;
      try {
        await this.store.objects.update(appResource, { ...app, spec: { ...app.spec, instances } });
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'Conflict') throw error;
      }
    }
  }

  async app(name: string, namespace = 'default'): Promise<StoredApp | undefined> {
    return this.store.objects.get(appResource, { namespace, name });
  }

  async instances(app: string, namespace = 'default'): Promise<Instance[]> {
    const { items } = await this.store.objects.list(instanceResource, { namespace });
    return items.filter((i) => i.spec.app === app);
  }

  /** Tasks the simulated master holds that have not ended, of every framework. */
  liveTasks(): TaskRecord[] {
    const tasks: TaskRecord[] = [];
    for (const framework of this.sim.master.listFrameworks()) {
      for (const task of framework.tasks.values()) if (!isTerminal(task.state)) tasks.push(task);
      for (const task of framework.unreachableTasks.values()) tasks.push(task);
    }
    return tasks;
  }

  /**
   * Waits until `app` has exactly `n` instances, each with a TASK_RUNNING task the simulator
   * also runs, no other live task of it exists anywhere, and the App's status says so.
   */
  async untilRunning(
    app: string,
    n: number,
    within = 20_000,
    namespace = 'default',
  ): Promise<void> {
    let last = '';
    try {
      await until(
        async () => {
          const instances = await this.instances(app, namespace);
          const running = instances.filter((i) => i.status?.state === 'TASK_RUNNING');
          const tasks = this.liveTasks().filter((t) =>
            t.info.task_id.value.startsWith(`${namespace}.${app}-`),
          );
          const status = (await this.app(app, namespace))?.status;
          last = `${instances.length} instances, ${running.length} running, ${tasks.length} live tasks, status ${JSON.stringify(status && { running: status.running, instances: status.instances })}`;
          const taskIds = new Set(tasks.map((t) => t.info.task_id.value));
          return (
            instances.length === n &&
            running.length === n &&
            tasks.length === n &&
            running.every((i) => taskIds.has(i.status!.taskId!)) &&
            status?.running === n &&
            status.instances === n
          );
        },
        { within, every: 50, what: `${n} running instances of ${app}` },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message} (last seen: ${last})`, { cause: error });
    }
  }

  async close(): Promise<void> {
    for (const { stop } of this.managers) stop.abort();
    await Promise.all(this.managers.map((m) => m.done));
    await Promise.all(this.processes.map((p) => p.kill()));
    await this.sim.stop();
    await this.store.close();
  }
}

export interface ControllerProcess {
  process: MesetaProcess;
  probes: string;
  identity: string;
}

/** The value of one sample of a metric in a Prometheus text page, 0 when absent. */
export function metricValue(page: string, sample: string): number {
  const line = page.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

export async function scrape(probes: string): Promise<string> {
  return (await fetch(`${probes}/metrics`)).text();
}
