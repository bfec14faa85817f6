/**
 * `npm run bench cli`: the command line against a real etcd, timed end to end through `main`
 * (parsing, reading manifests, validation, merge, writes, output): `apply -f` of a directory
 * of 1,000 App files (creating them, then again with nothing to change), and `get apps` of a
 * namespace holding 10,000 Apps, as a table and as names, and `get agents` of 10,000 Agents.
 * Targets (issue 8): apply ≤ 10 s, get ≤ 2 s. Also the start of a fresh `meseta version` and
 * `meseta --help` process (median of 5), which verbs that load their work lazily keep short.
 * Uses `MESETA_BENCH_ETCD=<endpoint>` when set, else starts Debian's etcd.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { agentObjectName, type Agent } from '../src/api/agent.ts';
import { agentResource, appResource } from '../src/api/resources.ts';
import { main } from '../src/cli/main.ts';
import { openEtcdKv } from '../src/store/etcd-kv.ts';
import { ObjectStore, type BatchOp } from '../src/store/object-store.ts';
import { startEtcd } from '../test/support/etcd.ts';
import type { BenchRow } from './run.ts';

function manifest(name: string, namespace: string) {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'App',
    metadata: { name, namespace, labels: { tier: 'web', team: `t${name.length % 7}` } },
    spec: {
      cmd: `./serve --name ${name}`,
      instances: 3,
      cpus: 0.5,
      mem: 256,
      portDefinitions: [{ name: 'http' }, { name: 'admin' }],
      constraints: [{ field: 'hostname', operator: 'UNIQUE' }],
      healthChecks: [{ protocol: 'MESOS_HTTP', path: '/health', portIndex: 0 }],
      env: { MODE: 'production' },
    },
  };
}

/** Runs the CLI with stdout and stderr swallowed; returns the exit code and the seconds. */
async function timed(args: string[]): Promise<{ code: number; seconds: number; lines: number }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let lines = 0;
  let errors = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines += chunk.toString().split('\n').length - 1;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    errors += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  const start = performance.now();
  try {
    const code = await main(args);
    if (code !== 0) throw new Error(`meseta ${args.join(' ')} exited ${code}: ${errors}`);
    return { code, seconds: (performance.now() - start) / 1000, lines };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

function agent(i: number): Agent {
  const agentId = `5d2b7c1e-0f3a-4b8e-9c6d-1a2b3c4d5e6f-S${i}`;
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Agent',
    metadata: { name: agentObjectName(agentId) },
    status: {
      agentId,
      hostname: `agent-${i}.example`,
      state: 'Active',
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: `r${i % 40}` } }],
      domain: { region: 'eu', zone: `eu-${i % 3}` },
      offered: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 8 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 32768 } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '31000', end: '32000' }] } },
      ],
    },
  };
}

/** Median wall time of a fresh `meseta ARGS` process, in seconds. */
function processStart(args: string[], runs = 5): number {
  const bin = fileURLToPath(new URL('../bin/meseta.js', import.meta.url));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const child = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`meseta ${args.join(' ')}: ${child.stderr}`);
    times.push((performance.now() - start) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export async function run(): Promise<BenchRow[]> {
  const external = process.env.MESETA_BENCH_ETCD;
  const etcd = external ? undefined : await startEtcd();
  const endpoint = external ?? etcd!.endpoint;
  const prefix = `/bench-cli-${Date.now()}`;
  const flags = ['--etcd', endpoint, '--prefix', prefix, '--config', '/nonexistent/meseta-bench'];
  const dir = mkdtempSync(join(tmpdir(), 'meseta-bench-cli-'));
  const kv = openEtcdKv({ endpoints: [endpoint] });
  const rows: BenchRow[] = [];
  try {
    for (let i = 0; i < 1000; i++) {
      writeFileSync(join(dir, `app-${i}.yaml`), stringify(manifest(`app-${i}`, 'apply')));
    }
    const created = await timed(['apply', '-f', dir, ...flags]);
    rows.push({
      name: 'apply -f DIR, 1,000 Apps created',
      value: created.seconds,
      unit: 's',
      note: 'target <= 10 s',
    });
    const unchanged = await timed(['apply', '-f', dir, ...flags]);
    rows.push({ name: 'apply -f DIR, 1,000 Apps unchanged', value: unchanged.seconds, unit: 's' });

    // 10,000 Apps in one namespace, written in batches (not what is measured).
    const objects = new ObjectStore({ kv, prefix });
    for (let start = 0; start < 10_000; start += 1000) {
      const ops: BatchOp[] = [];
      for (let i = start; i < start + 1000; i++) {
        ops.push({ op: 'create', type: appResource, object: manifest(`app-${i}`, 'big') as never });
      }
      await objects.batch(ops);
    }
    const table = await timed(['get', 'apps', '-n', 'big', ...flags]);
    if (table.lines !== 10_001) throw new Error(`get printed ${table.lines} lines, not 10,001`);
    rows.push({
      name: 'get apps, 10,000 Apps (table)',
      value: table.seconds,
      unit: 's',
      note: 'target <= 2 s',
    });
    const names = await timed(['get', 'apps', '-n', 'big', '-o', 'name', ...flags]);
    rows.push({ name: 'get apps -o name, 10,000 Apps', value: names.seconds, unit: 's' });

    // 10,000 Agents as the bridge publishes them: created, then their status (not measured).
    for (let start = 0; start < 10_000; start += 1000) {
      const agents = Array.from({ length: 1000 }, (_, i) => agent(start + i));
      const created = await objects.batch(
        agents.map((a) => ({ op: 'create', type: agentResource, object: a }) as BatchOp),
      );
      await objects.batch(
        created.map(
          ({ object }, i) =>
            ({
              op: 'updateStatus',
              type: agentResource,
              object: { ...object, status: agents[i]!.status },
            }) as BatchOp,
        ),
      );
    }
    const agentTable = await timed(['get', 'agents', ...flags]);
    if (agentTable.lines !== 10_001) {
      throw new Error(`get agents printed ${agentTable.lines} lines, not 10,001`);
    }
    rows.push({
      name: 'get agents, 10,000 Agents (table)',
      value: agentTable.seconds,
      unit: 's',
      note: 'target <= 2 s',
    });
    rows.push({
      name: 'meseta version, fresh process (median of 5)',
      value: processStart(['version']),
      unit: 's',
    });
    rows.push({
      name: 'meseta --help, fresh process (median of 5)',
      value: processStart(['--help']),
      unit: 's',
    });
    return rows;
  } finally {
    await kv.close();
    rmSync(dir, { recursive: true, force: true });
    await etcd?.remove();
  }
}
