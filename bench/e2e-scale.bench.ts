/**
 * meseta end to end at scale: 1,000 Apps × 10 instances on 1,000 simulated agents, every
 * controller (the same Manager and registry as `meseta controller`) in this process, against
 * the embedded store (through its in-process path, as `meseta up` runs) and against a real
 * etcd. Measured from the moment the Apps are written (100 per transaction, as `apply` writes):
 * the time until the store shows all 10,000 instances TASK_RUNNING; per instance, the time
 * from its creation to the store showing TASK_RUNNING (p50, p99); the process's RSS once all
 * run; and its CPU over 10 s of idling afterwards. When all instances were created (the apps
 * controller), bound (placement), launched (the bridge's ACCEPT) and running (the bridge's
 * status writes) says which stage a slow run waited for.
 *
 * The simulator runs as its own process (`meseta sim`), as Mesos would: RSS and CPU are of the
 * controllers (and, for the embedded run, the store) alone, and the simulator's CPU is a row of
 * its own. `E2E_SIM=inline` runs it in this process instead. An informer over instances
 * observes the store for the figures.
 * `E2E_APPS`, `E2E_INSTANCES`, `E2E_AGENTS` scale it down; `E2E_BACKENDS=embedded` runs one;
 * `E2E_LAUNCH_QUEUE=N` sets the apps controller's launch queue limit (0: none);
 * `E2E_PER_OFFER=N` placement's instances per offer (0: no limit).
 *
 * Before each measurement the run warms up, as a meseta that has been running a while is warm:
 * `E2E_WARMUP` Apps (default 100, of `E2E_INSTANCES` instances each) in a namespace of their
 * own run until all their instances do, then are deleted and waited for until gone. Every path
 * of a burst (creation, placement, launch, status, kill, teardown) has then been through V8's
 * compilers; a cold process spends the first seconds of its first burst interpreting them.
 * `E2E_WARMUP=0` measures a cold start instead.
 *
 * A third run, embedded, writes the same Apps at a steady `E2E_PACED_RATE` instances per second
 * (default 500, about half of what this machine converges per second; 0 skips it) instead of
 * all at once: the instance start latency of a load within the system's throughput, as
 * Kubernetes measures its pod startup SLO, next to the latency of the burst, which is mostly
 * time spent queued.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Instance } from '../src/api/instance.ts';
import { agentResource, appResource, instanceResource } from '../src/api/resources.ts';
import { Manager } from '../src/controllers/manager.ts';
import { selectControllers } from '../src/controllers/registry.ts';
import { Informer } from '../src/runtime/informer.ts';
import { generateCluster } from '../src/sim/cluster.ts';
import { startSimulator } from '../src/sim/simulator.ts';
import { startEmbeddedEtcd } from '../src/store/embedded/server.ts';
import { openEtcdKv } from '../src/store/etcd-kv.ts';
import type { Kv } from '../src/store/kv.ts';
import type { BatchOp, ObjectStore } from '../src/store/object-store.ts';
import { openStore } from '../src/store/store.ts';
import { app } from '../test/controllers/apps/fixtures.ts';
import { startEtcd } from '../test/support/etcd.ts';
import type { BenchRow } from './run.ts';

const APPS = Number(process.env.E2E_APPS ?? 1_000);
const INSTANCES = Number(process.env.E2E_INSTANCES ?? 10);
const AGENTS = Number(process.env.E2E_AGENTS ?? 1_000);
const BACKENDS = (process.env.E2E_BACKENDS ?? 'embedded,etcd').split(',');
const SIM_INLINE = process.env.E2E_SIM === 'inline';
const PACED_RATE = Number(process.env.E2E_PACED_RATE ?? 500);
const PER_OFFER = process.env.E2E_PER_OFFER ? Number(process.env.E2E_PER_OFFER) : undefined;
const LAUNCH_QUEUE = process.env.E2E_LAUNCH_QUEUE
  ? Number(process.env.E2E_LAUNCH_QUEUE)
  : undefined;
const WARMUP_APPS = Number(process.env.E2E_WARMUP ?? 100);
const WARMUP_NAMESPACE = 'warmup';
const CLUSTER = { agents: AGENTS, racks: 20, zones: 3, cpus: 16, mem: 65536 };
const DEADLINE_MS = 300_000;
/** Whose work each stage waits for. */
const STAGE_OWNER = {
  created: 'apps controller',
  bound: 'placement',
  launched: 'bridge: status CAS + ACCEPT',
  running: 'bridge: status writes',
};
const IDLE_MS = 10_000;

interface Backend {
  kv: Kv;
  close(): Promise<void>;
}

async function embedded(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'meseta-e2e-bench-'));
  const server = await startEmbeddedEtcd({ dataDir: dir });
  return {
    kv: server.inProcessKv(),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function etcd(): Promise<Backend> {
  const server = await startEtcd();
  const kv = openEtcdKv({ endpoints: [server.endpoint] });
  return {
    kv,
    // The scenario closes the kv (through its store).
    close: () => server.remove(),
  };
}

interface Mesos {
  url: string;
  /** CPU seconds the simulator has used so far (0 when it runs in this process). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

async function inlineSimulator(): Promise<Mesos> {
  const sim = await startSimulator({ cluster: generateCluster(CLUSTER), port: 0 });
  return { url: sim.url, cpuSeconds: () => 0, stop: () => sim.stop() };
}

/** `meseta sim` as a child process; resolves once it listens. */
async function simulatorProcess(): Promise<Mesos> {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'meseta.js');
  const args = [
    'sim',
    '--port',
    '0',
    ...Object.entries(CLUSTER).flatMap(([k, v]) => [`--${k}`, String(v)]),
  ];
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Keep reading for the process's whole life: a full pipe would block its writes.
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4096);
      const found = /Mesos master \S+ on (http:\/\/\S+) with/.exec(output);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`meseta sim exited (${code}): ${output}`)));
  });
  const ticks = 100; // USER_HZ, as on every Linux this runs on
  return {
    url,
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticks;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, within: number) {
  const deadline = Date.now() + within;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs the warm-up Apps until all their instances run, then deletes them and waits until gone. */
async function warmUp(
  store: ObjectStore,
  instances: { readonly running: number; readonly present: number },
): Promise<void> {
  const names = Array.from({ length: WARMUP_APPS }, (_, i) => `warm-${i}`);
  for (let first = 0; first < names.length; first += 100) {
    await store.batch(
      names.slice(first, first + 100).map((name) => ({
        op: 'create' as const,
        type: appResource,
        object: app(name, { instances: INSTANCES, cpus: 0.1, mem: 64 }, WARMUP_NAMESPACE),
      })),
    );
  }
  const all = WARMUP_APPS * INSTANCES;
  await waitFor(() => instances.running >= all, `${all} warm-up instances running`, DEADLINE_MS);
  for (let first = 0; first < names.length; first += 100) {
    await store.batch(
      names.slice(first, first + 100).map((name) => ({
        op: 'delete' as const,
        type: appResource,
        ref: { namespace: WARMUP_NAMESPACE, name },
      })),
    );
  }
  await waitFor(
    async () =>
      instances.present === 0 &&
      (await store.list(appResource, { namespace: WARMUP_NAMESPACE })).items.length === 0,
    'the warm-up Apps to be gone',
    DEADLINE_MS,
  );
}

/** Apps per write; with `rate` (instances/s), writes spaced to keep that rate. */
async function writeApps(store: ObjectStore, rate: number | undefined): Promise<void> {
  const perWrite = rate ? Math.max(1, Math.round(rate / INSTANCES / 10)) : 100;
  const started = performance.now();
  for (let first = 0; first < APPS; first += perWrite) {
    const ops: BatchOp[] = [];
    for (let i = first; i < Math.min(APPS, first + perWrite); i++) {
      ops.push({
        op: 'create',
        type: appResource,
        object: app(`app-${i}`, { instances: INSTANCES, cpus: 0.1, mem: 64 }),
      });
    }
    await store.batch(ops);
    if (!rate) continue;
    const due = started + (((first + perWrite) * INSTANCES) / rate) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
}

async function scenario(label: string, backend: Backend, rate?: number): Promise<BenchRow[]> {
  const total = APPS * INSTANCES;
  const sim = SIM_INLINE ? await inlineSimulator() : await simulatorProcess();
  const prefix = '/bench';
  const store = openStore({ kv: backend.kv, prefix });
  const settings = {
    mesos: [sim.url],
    prefix,
    ...(LAUNCH_QUEUE !== undefined ? { apps: { launchQueueLimit: LAUNCH_QUEUE || Infinity } } : {}),
    ...(PER_OFFER !== undefined
      ? { placement: { maxInstancesPerOffer: PER_OFFER || Infinity } }
      : {}),
  };
  const manager = new Manager({
    store,
    controllers: selectControllers(undefined, settings),
    settings,
    identity: 'bench',
  });
  const stop = new AbortController();
  const managed = manager.run(stop.signal);

  // The observer: when did the store first show each instance created, bound by placement,
  // launched by the bridge (a task id), and running? The stages say which controller a slow
  // run waited for.
  const STAGES = ['created', 'bound', 'launched', 'running'] as const;
  type Stage = (typeof STAGES)[number];
  const times = new Map<string, Partial<Record<Stage, number>>>();
  const reached: Record<Stage, number> = { created: 0, bound: 0, launched: 0, running: 0 };
  const stageDone: Partial<Record<Stage, number>> = {};
  let started = 0;
  const mark = (at: Partial<Record<Stage, number>>, stage: Stage, when: number) => {
    if (at[stage] !== undefined) return;
    at[stage] = when;
    if (++reached[stage] === total) stageDone[stage] = performance.now() - started;
  };
  // The warm-up's instances: how many run, and how many are left once it is deleted.
  const warmRunning = new Set<string>();
  const warmPresent = new Set<string>();
  const warm = {
    get running() {
      return warmRunning.size;
    },
    get present() {
      return warmPresent.size;
    },
  };
  const observeWarm = (instance: Instance, gone = false) => {
    const name = instance.metadata.name;
    if (gone) warmPresent.delete(name);
    else warmPresent.add(name);
    if (instance.status?.state === 'TASK_RUNNING') warmRunning.add(name);
  };
  const observe = (instance: Instance) => {
    if (instance.metadata.namespace === WARMUP_NAMESPACE) return observeWarm(instance);
    const key = instance.metadata.namespace + '/' + instance.metadata.name;
    let at = times.get(key);
    if (!at) times.set(key, (at = {}));
    const now = Date.now();
    mark(at, 'created', Date.parse(instance.metadata.creationTimestamp!));
    if (instance.spec.agentId) mark(at, 'bound', now);
    if (instance.status?.taskId) mark(at, 'launched', now);
    if (instance.status?.state === 'TASK_RUNNING') mark(at, 'running', now);
  };
  const segment = (from: Stage, to: Stage) =>
    [...times.values()]
      .filter((at) => at[from] !== undefined && at[to] !== undefined)
      .map((at) => at[to]! - at[from]!)
      .sort((a, b) => a - b);
  const instances = new Informer(store.objects, instanceResource);
  instances.addHandlers({
    added: observe,
    modified: (_old, now) => observe(now),
    deleted: (instance) => {
      if (instance.metadata.namespace === WARMUP_NAMESPACE) observeWarm(instance, true);
    },
  });
  const watching = instances.run(stop.signal).catch(() => {});
  // Only to know when every agent is published: stopped then, so that the run does not pay for
  // the Agent writes a second time in this process.
  const agents = new Informer(store.objects, agentResource);
  const agentsSeen = new AbortController();
  stop.signal.addEventListener('abort', () => agentsSeen.abort(), { once: true });
  const watchingAgents = agents.run(agentsSeen.signal).catch(() => {});

  const rows: BenchRow[] = [];
  try {
    await waitFor(
      () => manager.controllers().every((c) => c.leading) && agents.size >= AGENTS,
      'every controller to lead and every agent to be published',
      120_000,
    );
    agentsSeen.abort();
    if (WARMUP_APPS > 0) await warmUp(store.objects, warm);
    started = performance.now();
    const cpuStart = process.cpuUsage();
    const simCpuStart = sim.cpuSeconds();
    await writeApps(store.objects, rate);
    const written = performance.now() - started;
    let finished = true;
    try {
      await waitFor(() => reached.running >= total, `${total} instances running`, DEADLINE_MS);
    } catch {
      finished = false;
    }
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const simCpu = sim.cpuSeconds() - simCpuStart;
    const rss = process.memoryUsage().rss;
    const idleStart = process.cpuUsage();
    const idleAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idle = process.cpuUsage(idleStart);
    const idleShare = (idle.user + idle.system) / 1000 / (performance.now() - idleAt);
    const latencies = segment('created', 'running');
    const target = rate ? 'paced: no target' : `target ≤ ${label === 'embedded' ? 15 : 45} s`;
    rows.push(
      {
        name: `warm-up first: instances run, then deleted (${label})`,
        value: WARMUP_APPS * INSTANCES,
        unit: '',
        note: WARMUP_APPS > 0 ? '' : 'cold: the first burst of a new process',
      },
      {
        name: `Apps written, ${APPS} ${rate ? `at ${rate} instances/s` : 'in txns of 100'} (${label})`,
        value: written / 1000,
        unit: 's',
      },
      {
        name: `apply → ${reached.running}/${total} RUNNING (${label})`,
        value: elapsed / 1000,
        unit: 's',
        note: `${finished ? '' : 'NOT ALL RUNNING; '}${target}`,
      },
      ...STAGES.map((stage) => ({
        name: `  all ${stage} at (${label})`,
        value: (stageDone[stage] ?? NaN) / 1000,
        unit: 's',
        note: STAGE_OWNER[stage],
      })),
      {
        name: `instance created → RUNNING p50 (${label})`,
        value: percentile(latencies, 50),
        unit: 'ms',
      },
      {
        name: `instance created → RUNNING p99 (${label})`,
        value: percentile(latencies, 99),
        unit: 'ms',
        note: label === 'embedded' ? 'target < 1000 ms' : rate ? 'a load within throughput' : '',
      },
      ...(
        [
          ['created', 'bound'],
          ['bound', 'launched'],
          ['launched', 'running'],
        ] as const
      ).flatMap(([from, to]) => {
        const spans = segment(from, to);
        return [50, 99].map((p) => ({
          name: `  ${from} → ${to} p${p} (${label})`,
          value: percentile(spans, p),
          unit: 'ms',
        }));
      }),
      {
        name: `CPU while converging (${label})`,
        value: (cpu.user + cpu.system) / 1000 / elapsed,
        unit: 'cores',
      },
      {
        name: `CPU time until all running (${label})`,
        value: (cpu.user + cpu.system) / 1e6,
        unit: 's',
        note: 'controllers and store',
      },
      ...(SIM_INLINE
        ? []
        : [{ name: `  simulator CPU time meanwhile (${label})`, value: simCpu, unit: 's' }]),
      { name: `RSS, all running (${label})`, value: Math.round(rss / 2 ** 20), unit: 'MiB' },
      { name: `CPU idle afterwards, 10 s (${label})`, value: idleShare * 100, unit: '% of a core' },
    );
  } finally {
    stop.abort();
    await managed;
    await Promise.all([watching, watchingAgents]);
    await sim.stop();
    await store.close();
    await backend.close();
  }
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (BACKENDS.includes('embedded')) rows.push(...(await scenario('embedded', await embedded())));
  if (BACKENDS.includes('etcd')) rows.push(...(await scenario('etcd', await etcd())));
  if (BACKENDS.includes('embedded') && PACED_RATE > 0) {
    const label = `embedded, ${PACED_RATE}/s`;
    rows.push(...(await scenario(label, await embedded(), PACED_RATE)));
  }
  return rows;
}
