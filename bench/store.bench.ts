/**
 * `npm run bench store`: the store's speed on each backend in `backends` — single put+get
 * latency, object creates and status updates per second one at a time and batched (128 per
 * transaction), how long a paged list of every object takes, and how long a change takes to
 * reach every one of several watchers. Target: batched writes at least 5× the unbatched rate. The real-etcd backend starts Debian's etcd on a loopback port
 * (or uses `MESETA_BENCH_ETCD=<endpoint>` when set).
 */
import { openEtcdKv } from '../src/store/etcd-kv.ts';
import type { Kv } from '../src/store/kv.ts';
import { ObjectStore, type BatchOp } from '../src/store/object-store.ts';
import type { ResourceType, StoredObject } from '../src/store/object.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInProcessKv } from '../src/store/embedded/in-process-kv.ts';
import { startEmbeddedEtcd } from '../src/store/embedded/server.ts';
import { startEtcd } from '../test/support/etcd.ts';
import type { BenchRow } from './run.ts';

export interface StoreBenchBackend {
  name: string;
  open(): Promise<{ kv: Kv; close(): Promise<void> }>;
}

/** Where the benchmark runs: a real etcd, meseta's embedded server over gRPC, and in process. */
export const backends: StoreBenchBackend[] = [
  {
    name: 'etcd',
    async open() {
      const external = process.env.MESETA_BENCH_ETCD;
      if (external) {
        const kv = openEtcdKv({ endpoints: [external] });
        return { kv, close: () => kv.close() };
      }
      const etcd = await startEtcd();
      const kv = openEtcdKv({ endpoints: [etcd.endpoint] });
      return {
        kv,
        async close() {
          await kv.close();
          await etcd.remove();
        },
      };
    },
  },
  {
    name: 'embedded (gRPC)',
    async open() {
      const dataDir = await mkdtemp(join(tmpdir(), 'meseta-bench-embedded-'));
      const server = await startEmbeddedEtcd({ dataDir });
      const kv = openEtcdKv({ endpoints: [server.endpoint] });
      return {
        kv,
        async close() {
          await kv.close();
          await server.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'in-process',
    async open() {
      const dataDir = await mkdtemp(join(tmpdir(), 'meseta-bench-inprocess-'));
      const kv = await openInProcessKv({ dataDir });
      return {
        kv,
        async close() {
          await kv.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

type Bench = StoredObject<{ n: number; payload: string }, { seen: number }>;
const benchType: ResourceType<Bench> = {
  group: 'bench.meseta.io',
  version: 'v1',
  kind: 'Bench',
  plural: 'benches',
  namespaced: true,
};
// Roughly the size of an Instance with its status.
const payload = 'x'.repeat(600);
const object = (name: string, n: number): Bench => ({
  apiVersion: 'bench.meseta.io/v1',
  kind: 'Bench',
  metadata: { namespace: 'bench', name },
  spec: { n, payload },
});

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    const { kv, close } = await backend.open();
    try {
      rows.push(...(await measure(backend.name, kv)));
    } finally {
      await close();
    }
  }
  return rows;
}

async function measure(name: string, kv: Kv): Promise<BenchRow[]> {
  const prefix = `/bench-${Date.now()}`;
  const store = new ObjectStore({ kv, prefix });
  const rows: BenchRow[] = [];

  // Warm the connection up.
  for (let i = 0; i < 20; i++) await kv.put(`${prefix}/warm`, String(i));

  const latencies: number[] = [];
  for (let i = 0; i < 500; i++) {
    const started = performance.now();
    await kv.put(`${prefix}/latency`, String(i));
    await kv.range({ key: `${prefix}/latency` });
    latencies.push(performance.now() - started);
  }
  rows.push(
    { name: `put+get latency p50 (${name})`, value: percentile(latencies, 50), unit: 'ms' },
    { name: `put+get latency p99 (${name})`, value: percentile(latencies, 99), unit: 'ms' },
  );

  const single = 600;
  let started = performance.now();
  for (let i = 0; i < single; i++) await store.create(benchType, object(`one-${i}`, i));
  const unbatched = single / ((performance.now() - started) / 1000);
  rows.push({
    name: `object creates/s, one at a time (${name})`,
    value: Math.round(unbatched),
    unit: 'writes/s',
  });

  const batched = 128 * 40;
  const ops: BatchOp[] = Array.from({ length: batched }, (_, i) => ({
    op: 'create',
    type: benchType,
    object: object(`many-${i}`, i),
  }));
  started = performance.now();
  await store.batch(ops);
  const batchedRate = batched / ((performance.now() - started) / 1000);
  rows.push(
    {
      name: `object creates/s, batched 128 per txn (${name})`,
      value: Math.round(batchedRate),
      unit: 'writes/s',
    },
    {
      name: `batched / one at a time (${name})`,
      value: Number((batchedRate / unbatched).toFixed(1)),
      unit: '×',
      note: 'target >= 5',
    },
  );

  // An informer's initial sync: every object of a type, paged.
  started = performance.now();
  const listed = (await store.list(benchType)).items;
  rows.push({
    name: `list ${listed.length} objects (${name})`,
    value: Number((performance.now() - started).toFixed(1)),
    unit: 'ms',
    note: `${Math.round(listed.length / ((performance.now() - started) / 1000))} objects/s`,
  });

  // Status writes, the hot path of the Mesos bridge: a read plus a compare-and-swap each.
  const few = listed.slice(0, single);
  started = performance.now();
  for (const item of few) await store.updateStatus(benchType, { ...item, status: { seen: 1 } });
  const statusOne = few.length / ((performance.now() - started) / 1000);
  const fresh = (await store.list(benchType)).items;
  started = performance.now();
  await store.batch(
    fresh.map((item) => ({
      op: 'updateStatus' as const,
      type: benchType,
      object: { ...item, status: { seen: 2 } },
    })),
  );
  const statusBatched = fresh.length / ((performance.now() - started) / 1000);
  rows.push(
    {
      name: `status updates/s, one at a time (${name})`,
      value: Math.round(statusOne),
      unit: 'writes/s',
    },
    {
      name: `status updates/s, batched 128 per txn (${name})`,
      value: Math.round(statusBatched),
      unit: 'writes/s',
      note: `${(statusBatched / statusOne).toFixed(1)}× one at a time`,
    },
  );

  rows.push(...(await fanOut(name, kv, prefix, 20, 200)));
  return rows;
}

/** Latency from a write until every one of `watchers` watches has delivered it. */
async function fanOut(
  name: string,
  kv: Kv,
  prefix: string,
  watchers: number,
  writes: number,
): Promise<BenchRow[]> {
  const key = `${prefix}/fanout`;
  const startRevision = String(BigInt((await kv.status()).revision) + 1n);
  const seenAt = new Map<string, number[]>();
  let waiting: { value: string; resolve: () => void } | undefined;
  const watches = Array.from({ length: watchers }, () =>
    kv.watch({ range: { key }, startRevision }),
  );
  const loops = watches.map(async (watch) => {
    for await (const batch of watch.batches) {
      for (const event of batch.events) {
        const times = seenAt.get(event.kv.value) ?? [];
        times.push(performance.now());
        seenAt.set(event.kv.value, times);
        if (waiting?.value === event.kv.value && times.length === watchers) waiting.resolve();
      }
    }
  });
  const latencies: number[] = [];
  for (let i = 0; i < writes; i++) {
    const value = String(i);
    const everyone = new Promise<void>((resolve) => (waiting = { value, resolve }));
    const started = performance.now();
    await kv.put(key, value);
    if ((seenAt.get(value)?.length ?? 0) < watchers) await everyone;
    latencies.push(Math.max(...seenAt.get(value)!) - started);
  }
  await Promise.all(watches.map((watch) => watch.close()));
  await Promise.all(loops);
  return [
    {
      name: `watch fan-out to ${watchers} p50 (${name})`,
      value: percentile(latencies, 50),
      unit: 'ms',
    },
    {
      name: `watch fan-out to ${watchers} p99 (${name})`,
      value: percentile(latencies, 99),
      unit: 'ms',
    },
  ];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number(sorted[Math.max(0, index)]!.toFixed(2));
}
