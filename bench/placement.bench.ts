/**
 * Placement at scale, in process (no store): 10,000 Agents (200 racks, 3 zones, 16 cpus, 64 GiB,
 * ports 31000–32000 each). Measured:
 * - decisions/s for 100 pending instances of 100 Apps, three constraints each (GROUP_BY rack,
 *   UNIQUE hostname, LIKE @zone), each App with 20 instances already running;
 * - the decision for one pending instance against 10,000 agents (target < 5 ms), and reading and
 *   indexing the cluster (10,000 Agents, the constraints' fields) that a round does first;
 * - one round placing 100,000 instances of 100 Apps over the 10,000 agents;
 * - end to end through the in-process store: the PlacementController binding 100,000 Instances
 *   (created beforehand) to the 10,000 Agents, from start until every binding is stored.
 */
import type { Agent } from '../src/api/agent.ts';
import type { AppTemplate } from '../src/api/app-revision.ts';
import type { Constraint } from '../src/api/app-types.ts';
import type { Instance } from '../src/api/instance.ts';
import { placeRound, prepareRound } from '../src/placement/round.ts';
import { appRevisionResource, agentResource, instanceResource } from '../src/api/resources.ts';
import { PlacementController } from '../src/controllers/placement/placement-controller.ts';
import { openInProcessKv } from '../src/store/embedded/in-process-kv.ts';
import { ObjectStore, type BatchOp } from '../src/store/object-store.ts';
import type { BenchRow } from './run.ts';

const AGENTS = Number(process.env.PLACEMENT_AGENTS ?? 10_000);
const now = Date.parse('2026-01-01T01:00:00.000Z');

function agents(count: number): Agent[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'meseta.io/v1',
    kind: 'Agent',
    metadata: { name: `bench-s${i}` },
    spec: {},
    status: {
      agentId: `bench-S${i}`,
      hostname: `agent-${i}`,
      state: 'Active',
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: `rack-${i % 200}` } }],
      domain: { region: 'eu', zone: `z${i % 3}` },
      offered: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 16 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 65536 } },
        { name: 'disk', type: 'SCALAR', scalar: { value: 100000 } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '31000', end: '32000' }] } },
      ],
      offeredAt: '2026-01-01T00:00:00.000Z',
    },
  }));
}

function instance(app: string, i: number, bound?: string): Instance {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: { name: `${app}-1-${i}`, namespace: 'bench', generation: 1 },
    spec: { app, revision: 1, goal: 'running', ...(bound ? { agentId: bound } : {}) },
    ...(bound
      ? {
          status: {
            taskId: `${app}-${i}`,
            state: 'TASK_RUNNING' as const,
            agentId: bound,
            observedGeneration: 1,
            stagedAt: '2025-12-31T00:00:00.000Z',
          },
        }
      : {}),
  };
}

const threeConstraints: Constraint[] = [
  { field: 'rack', operator: 'GROUP_BY' },
  { field: 'hostname', operator: 'UNIQUE' },
  { field: '@zone', operator: 'LIKE', value: 'z[01]' },
];

function template(constraints: Constraint[], cpus = 0.5): AppTemplate {
  return {
    cpus,
    mem: 256,
    disk: 0,
    gpus: 0,
    requirePorts: false,
    cmd: 'sleep 1000',
    portDefinitions: [{ name: 'http', port: 0, protocol: 'tcp' }],
    constraints,
  } as AppTemplate;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** 100 Apps, 20 running instances each on agents spread over the cluster, 1 pending each. */
function hundredPending(cluster: Agent[]): Instance[] {
  const instances: Instance[] = [];
  for (let a = 0; a < 100; a++) {
    for (let i = 0; i < 20; i++) {
      const agent = cluster[(a * 97 + i * 503) % cluster.length]!;
      instances.push(instance(`app${a}`, i, agent.status!.agentId));
    }
    instances.push(instance(`app${a}`, 20));
  }
  return instances;
}

export async function run(): Promise<BenchRow[]> {
  const cluster = agents(AGENTS);
  const rows: BenchRow[] = [];
  const templateFor = () => template(threeConstraints);

  // 100 pending instances, three constraints each.
  const many = hundredPending(cluster);
  const decideTimes: number[] = [];
  const prepareTimes: number[] = [];
  for (let run = 0; run < 7; run++) {
    const t0 = performance.now();
    const prepared = prepareRound({ agents: cluster, instances: many, template: templateFor, now });
    const t1 = performance.now();
    const result = prepared.place();
    const t2 = performance.now();
    if (result.bindings.length !== 100) throw new Error(`placed ${result.bindings.length} of 100`);
    prepareTimes.push(t1 - t0);
    decideTimes.push(t2 - t1);
  }
  rows.push({
    name: `decisions/s, ${AGENTS} agents × 100 pending, 3 constraints`,
    value: Math.round(100 / (median(decideTimes) / 1000)),
    unit: 'decisions/s',
    note: `median ${median(decideTimes).toFixed(1)} ms for 100 decisions`,
  });
  rows.push({
    name: `read and index the cluster (${AGENTS} agents, 2,100 instances)`,
    value: median(prepareTimes),
    unit: 'ms',
  });

  // One pending instance.
  const one = [...many.filter((i) => i.spec.app === 'app0')];
  const oneTimes: number[] = [];
  const onePrepare: number[] = [];
  for (let run = 0; run < 21; run++) {
    const t0 = performance.now();
    const prepared = prepareRound({ agents: cluster, instances: one, template: templateFor, now });
    const t1 = performance.now();
    const result = prepared.place();
    oneTimes.push(performance.now() - t1);
    onePrepare.push(t1 - t0);
    if (result.bindings.length !== 1) throw new Error('the one instance was not placed');
  }
  rows.push({
    name: `one decision against ${AGENTS} agents (3 constraints)`,
    value: median(oneTimes),
    unit: 'ms',
    note: `target < 5 ms; reading and indexing first: ${median(onePrepare).toFixed(1)} ms`,
  });

  // 100,000 instances of 100 Apps in one round.
  const big: Instance[] = [];
  for (let a = 0; a < 100; a++) for (let i = 0; i < 1000; i++) big.push(instance(`big${a}`, i));
  const bigTemplate = (_ns: string, app: string): AppTemplate => {
    const n = Number(app.slice(3));
    if (n % 3 === 0) return template([{ field: 'rack', operator: 'GROUP_BY' }], 0.1);
    if (n % 3 === 1) return template([{ field: 'hostname', operator: 'MAX_PER', value: '1' }], 0.1);
    return template([], 0.1);
  };
  const t0 = performance.now();
  const result = placeRound({ agents: cluster, instances: big, template: bigTemplate, now });
  const bigMs = performance.now() - t0;
  const placed = result.bindings.length;
  rows.push({
    name: `place 100,000 instances over ${AGENTS} agents (one round)`,
    value: bigMs,
    unit: 'ms',
    note: `${placed} placed, ${Math.round(placed / (bigMs / 1000))} instances/s, ${result.scanned} agents looked at`,
  });
  rows.push(await endToEnd(cluster));
  rows.push({
    name: 'rss after',
    value: Math.round(process.memoryUsage().rss / 2 ** 20),
    unit: 'MiB',
  });
  return rows;
}

/** The controller against the in-process store: 100,000 Instances of 100 Apps, 10,000 Agents. */
async function endToEnd(cluster: Agent[]): Promise<BenchRow> {
  const kv = await openInProcessKv();
  const store = new ObjectStore({ kv, prefix: '/bench' });
  const write = async (ops: BatchOp[]) => {
    for (let i = 0; i < ops.length; i += 120) await store.batch(ops.slice(i, i + 120));
  };
  await write(cluster.map((agent) => ({ op: 'create', type: agentResource, object: agent })));
  const apps = 100;
  const perApp = 1000;
  await write(
    Array.from({ length: apps }, (_, a) => ({
      op: 'create' as const,
      type: appRevisionResource,
      object: {
        apiVersion: 'meseta.io/v1' as const,
        kind: 'AppRevision' as const,
        metadata: { name: `e2e${a}-1`, namespace: 'bench' },
        spec: {
          app: `e2e${a}`,
          revision: 1,
          templateHash: '0000000000000000',
          template: template(a % 2 === 0 ? [{ field: 'rack', operator: 'GROUP_BY' }] : [], 0.1),
        },
      },
    })),
  );
  const instances: BatchOp[] = [];
  for (let a = 0; a < apps; a++) {
    for (let i = 0; i < perApp; i++) {
      const { generation: _g, ...metadata } = instance(`e2e${a}`, i).metadata;
      instances.push({
        op: 'create',
        type: instanceResource,
        object: { ...instance(`e2e${a}`, i), metadata },
      });
    }
  }
  await write(instances);
  const controller = new PlacementController({ store });
  const stop = new AbortController();
  const t0 = performance.now();
  const running = controller.run(stop.signal);
  const total = apps * perApp;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bound = controller.instances.list().filter((i) => i.spec.agentId).length;
    if (bound === total) break;
    if (performance.now() - t0 > 300_000) throw new Error(`only ${bound} of ${total} bound`);
  }
  const ms = performance.now() - t0;
  stop.abort();
  await running;
  await kv.close();
  return {
    name: `controller end to end: bind 100,000 instances to ${cluster.length} agents`,
    value: ms / 1000,
    unit: 's',
    note: `in-process store; from start (list and watch) to every binding seen; ${Math.round(total / (ms / 1000))} bindings/s`,
  };
}
