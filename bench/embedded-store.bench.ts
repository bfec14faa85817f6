/**
 * Write throughput of the embedded store: in process (memory only, and with a data directory
 * where every write is fsync'd before it is acknowledged, batched by group commit), over gRPC
 * through npm `etcd3` against `meseta store serve` in its own process, and the same gRPC load
 * against a real etcd (Debian's /usr/bin/etcd) on this machine, for the ratio. Targets: in
 * process >= 100,000 writes/s; gRPC >= real etcd. The two servers run alternately, ROUNDS times
 * each, under the same load; each round gives one ratio, and the median ratio is reported with
 * the lowest and highest, because other work on a shared machine skews single runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { openInProcessKv } from '../src/store/embedded/in-process-kv.ts';
import type { BenchRow } from './run.ts';

const MESETA_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'meseta.js');
const VALUE = JSON.stringify({ spec: { instances: 3, cmd: 'sleep 1000' } }); // ~45 bytes

interface Measured {
  writesPerSecond: number;
  /** CPU time of this process (all threads) per write, in microseconds. */
  cpuMicrosPerWrite: number;
}

/** Runs `write(i)` for i in [0, total) with `inFlight` outstanding at a time. */
async function measure(
  total: number,
  inFlight: number,
  write: (i: number) => Promise<unknown>,
): Promise<Measured> {
  let next = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (next < total) await write(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return {
    writesPerSecond: Math.round(total / seconds),
    cpuMicrosPerWrite: Math.round(((used.user + used.system) / total) * 100) / 100,
  };
}

async function throughput(
  total: number,
  inFlight: number,
  write: (i: number) => Promise<unknown>,
): Promise<number> {
  return (await measure(total, inFlight, write)).writesPerSecond;
}

const key = (i: number) => `/meseta/registry/meseta.io/instances/default/app-${i % 100_000}`;

async function inProcess(dataDir?: string): Promise<Measured> {
  const kv = await openInProcessKv(dataDir ? { dataDir } : {});
  try {
    await throughput(20_000, 1000, (i) => kv.put(key(i), VALUE)); // warm-up
    return await measure(300_000, 2000, (i) => kv.put(key(i), VALUE));
  } finally {
    await kv.close();
  }
}

interface ServerRun {
  writesPerSecond: number;
  /** CPU the server process used during the measured writes (Linux /proc), NaN elsewhere. */
  serverCpuSeconds: number;
}

const GRPC_WRITES = 30_000;
const GRPC_WARMUP = 2_000;
/** Alternating runs of each server. */
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** User + system CPU seconds of a process so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function overGrpc(endpoint: string): Promise<number> {
  const client = new Etcd3({ hosts: endpoint });
  try {
    await throughput(GRPC_WARMUP, 64, (i) => client.put(key(i)).value(VALUE).exec()); // warm-up
    return await throughput(GRPC_WRITES, 64, (i) => client.put(key(i)).value(VALUE).exec());
  } finally {
    client.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}

/** Runs a server process, waits until it answers Status, uses it, and stops it. */
async function withServer(
  command: string,
  args: (clientPort: number, peerPort: number) => string[],
  use: (endpoint: string) => Promise<number>,
): Promise<ServerRun> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const child: ChildProcess = spawn(command, args(clientPort, peerPort), { stdio: 'ignore' });
  try {
    const probe = new Etcd3({ hosts: endpoint });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await probe.maintenance.status();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    probe.close();
    const before = cpuSeconds(child.pid!);
    const total = await use(endpoint);
    const after = cpuSeconds(child.pid!);
    return { writesPerSecond: total, serverCpuSeconds: after - before };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function realEtcd(dir: string): Promise<ServerRun> {
  return withServer(
    '/usr/bin/etcd',
    (clientPort, peerPort) => [
      '--data-dir',
      dir,
      '--listen-client-urls',
      `http://127.0.0.1:${clientPort}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${clientPort}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-cluster',
      `default=http://127.0.0.1:${peerPort}`,
    ],
    overGrpc,
  );
}

function embeddedEtcd(dir: string): Promise<ServerRun> {
  return withServer(
    process.execPath,
    (clientPort) => [
      MESETA_BIN,
      'store',
      'serve',
      '--data-dir',
      dir,
      '--listen',
      `127.0.0.1:${clientPort}`,
    ],
    overGrpc,
  );
}

export async function run(): Promise<BenchRow[]> {
  const dirs: string[] = [];
  const tempDir = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `meseta-bench-${name}-`));
    dirs.push(dir);
    return dir;
  };
  try {
    const memory = await inProcess();
    const durable = await inProcess(tempDir('inproc'));
    const rounds: { embedded: ServerRun; real: ServerRun }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const embedded = await embeddedEtcd(tempDir('embedded'));
      const real = await realEtcd(tempDir('etcd'));
      rounds.push({ embedded, real });
    }
    const ratios = rounds.map((r) => r.embedded.writesPerSecond / r.real.writesPerSecond);
    const embedded = median(rounds.map((r) => r.embedded.writesPerSecond));
    const real = median(rounds.map((r) => r.real.writesPerSecond));
    const micros = (run: ServerRun) => (run.serverCpuSeconds / (GRPC_WARMUP + GRPC_WRITES)) * 1e6;
    const round1 = (n: number) => Math.round(n * 10) / 10;
    const round2 = (n: number) => Math.round(n * 100) / 100;
    const spread = (values: number[], digits: (n: number) => number) =>
      `${ROUNDS} runs, ${digits(Math.min(...values))}–${digits(Math.max(...values))}`;
    return [
      {
        name: 'in-process puts, memory only',
        value: memory.writesPerSecond,
        unit: 'writes/s',
        note: '2000 in flight',
      },
      {
        name: 'in-process puts, data dir (fsync, group commit)',
        value: durable.writesPerSecond,
        unit: 'writes/s',
        note: 'target >= 100000; 2000 in flight',
      },
      {
        name: 'in-process puts, memory only: CPU per write',
        value: memory.cpuMicrosPerWrite,
        unit: 'µs',
        note: 'all threads; 1e6 / this = writes/s one core sustains',
      },
      {
        name: 'in-process puts, data dir: CPU per write',
        value: durable.cpuMicrosPerWrite,
        unit: 'µs',
        note: 'target <= 10 (100000 writes/s on one core)',
      },
      {
        name: 'meseta store serve via etcd3 (gRPC)',
        value: embedded,
        unit: 'writes/s',
        note: `median; 64 in flight, separate process; ${spread(
          rounds.map((r) => r.embedded.writesPerSecond),
          Math.round,
        )}`,
      },
      {
        name: 'real etcd 3.4.23 via etcd3 (gRPC)',
        value: real,
        unit: 'writes/s',
        note: `median; same load; ${spread(
          rounds.map((r) => r.real.writesPerSecond),
          Math.round,
        )}`,
      },
      {
        name: 'meseta store serve: server CPU per write',
        value: round1(median(rounds.map((r) => micros(r.embedded)))),
        unit: 'µs',
        note: `median, from /proc; ${spread(
          rounds.map((r) => micros(r.embedded)),
          round1,
        )}`,
      },
      {
        name: 'real etcd 3.4.23: server CPU per write',
        value: round1(median(rounds.map((r) => micros(r.real)))),
        unit: 'µs',
        note: `median, from /proc; ${spread(
          rounds.map((r) => micros(r.real)),
          round1,
        )}`,
      },
      {
        name: 'embedded / real etcd',
        value: round2(median(ratios)),
        unit: 'x',
        note: `median of per-round ratios, target >= 1; ${spread(ratios, round2)}`,
      },
    ];
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
