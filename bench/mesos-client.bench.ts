/**
 * The scheduler client's speed: UPDATE events decoded per second from a recorded RecordIO
 * stream (the client's stream parser and decoder, no network), the same over loopback HTTP from
 * the scripted test master, ACCEPT calls per second against it and the simulator, and a whole
 * launch against the simulator in this one process (ACCEPTs of real offers, every
 * TASK_STARTING and TASK_RUNNING update received and acknowledged): updates per second and the
 * process's CPU time per update, which is what the wire path costs the e2e-scale benchmark.
 * Target: at least 50,000 UPDATE events per second in protobuf.
 */
import { EventStreamDecoder } from '../src/mesos/client/event-stream.ts';
import { fromMesosEvent } from '../src/mesos/client/events.ts';
import { SchedulerClient } from '../src/mesos/client/scheduler-client.ts';
import { encodeEvent, type Format } from '../src/mesos/codec.ts';
import { encodeRecord } from '../src/mesos/recordio.ts';
import type { Event } from '../src/mesos/scheduler-types.ts';
import type { TaskStatus } from '../src/mesos/types.ts';
import { generateCluster } from '../src/sim/cluster.ts';
import { startSimulator } from '../src/sim/simulator.ts';
import { ScriptedMaster } from '../test/mesos/client/scripted-master.ts';
import type { BenchRow } from './run.ts';

const formats: Format[] = ['protobuf', 'json'];

/** A TASK_RUNNING update from the command executor, as Mesos sends it. */
function update(i: number): Event {
  const status: TaskStatus = {
    task_id: { value: `web.${i.toString(16).padStart(8, '0')}` },
    state: 'TASK_RUNNING',
    source: 'SOURCE_EXECUTOR',
    agent_id: { value: '0b9c2e1a-7b4f-4c1e-9d7a-6f3b2a1c0d9e-S42' },
    executor_id: { value: `web.${i}` },
    timestamp: 1700000000.123 + i,
    uuid: Buffer.from(Array.from({ length: 16 }, (_, k) => (i + k) & 0xff)).toString('base64'),
    container_status: {
      container_id: { value: 'f3a1c2d4-1111-2222-3333-444455556666' },
      network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '10.0.3.17' }] }],
      executor_pid: 4242,
    },
  };
  return { type: 'UPDATE', update: { status } };
}

function recordedStream(format: Format, count: number): Buffer[] {
  const records = Array.from({ length: count }, (_, i) =>
    encodeRecord(encodeEvent(update(i), format)),
  );
  const all = Buffer.concat(records);
  // 64 KiB chunks, as a socket delivers them: records split across chunk boundaries.
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += 65536) chunks.push(all.subarray(i, i + 65536));
  return chunks;
}

function decodeInMemory(format: Format, count: number): BenchRow {
  const chunks = recordedStream(format, count);
  const pass = () => {
    const decoder = new EventStreamDecoder(format);
    let n = 0;
    for (const chunk of chunks)
      for (const event of decoder.push(chunk)) if (fromMesosEvent(event)) n++;
    decoder.end();
    return n;
  };
  pass(); // warm up
  const started = performance.now();
  const n = pass();
  const seconds = (performance.now() - started) / 1000;
  return {
    name: `UPDATE events decoded/s, ${format}, in memory`,
    value: Math.round(n / seconds),
    unit: 'events/s',
    note: format === 'protobuf' ? 'target >= 50000' : `${count} events`,
  };
}

async function decodeOverLoopback(format: Format, count: number): Promise<BenchRow> {
  const master = await ScriptedMaster.start('bench');
  const client = new SchedulerClient({
    masters: [master.url],
    encoding: format,
    framework: { name: 'bench', user: 'root', roles: ['apps'] },
  });
  try {
    let received = 0;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    let resolveSubscribed: () => void = () => {};
    const subscribed = new Promise<void>((resolve) => (resolveSubscribed = resolve));
    client.on('subscribed', () => resolveSubscribed());
    client.on('update', () => {
      if (++received === count) resolveDone();
    });
    client.start();
    await subscribed;
    const chunks = recordedStream(format, count);
    const started = performance.now();
    for (const chunk of chunks) master.stream!.writeRaw(chunk);
    await done;
    const seconds = (performance.now() - started) / 1000;
    return {
      name: `UPDATE events received/s, ${format}, loopback HTTP`,
      value: Math.round(count / seconds),
      unit: 'events/s',
      note: `${count} events`,
    };
  } finally {
    await client.stop();
    await master.close();
  }
}

interface Target {
  name: string;
  url: string;
  close(): Promise<void>;
}

async function scriptedTarget(): Promise<Target> {
  const master = await ScriptedMaster.start('bench');
  return { name: 'scripted master', url: master.url, close: () => master.close() };
}

async function simulatorTarget(): Promise<Target> {
  const sim = await startSimulator({
    cluster: generateCluster({ agents: 10 }),
    port: 0,
    seed: 1,
  });
  return { name: 'simulator', url: sim.url, close: () => sim.stop() };
}

/**
 * Calls with `concurrency` in flight: ACCEPTs of one LAUNCH each, or ACKNOWLEDGEs. The offer
 * ids are not live offers and the acknowledged tasks do not exist, so the simulator only
 * validates them and answers 202 (an ACCEPT's task is dropped, a TASK_DROPPED update): what is
 * measured is the call path, encoding to 202, not the allocator. CPU is the whole process's.
 */
async function callRate(
  target: Target,
  kind: 'ACCEPT' | 'ACKNOWLEDGE',
  format: Format,
  count: number,
  concurrency: number,
): Promise<BenchRow[]> {
  const client = new SchedulerClient({
    masters: [target.url],
    encoding: format,
    framework: { name: 'bench', user: 'root', roles: ['apps'] },
    maxCallConnections: concurrency,
  });
  try {
    const subscribed = new Promise<void>((resolve) => client.on('subscribed', () => resolve()));
    client.start();
    await subscribed;
    const status = update(0).update!.status;
    const task = {
      name: 'web',
      task_id: status.task_id,
      agent_id: status.agent_id!,
      resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } }],
      command: { value: 'sleep 1000' },
    };
    const uuid = (i: number) => {
      const bytes = Buffer.alloc(16);
      bytes.writeUInt32BE(i, 0);
      bytes[6] = 0x40; // version 4
      return bytes.toString('base64');
    };
    const call =
      kind === 'ACCEPT'
        ? (i: number) => client.launch([{ value: `bench-O${i}` }], [task])
        : (i: number) => client.acknowledge({ ...status, uuid: uuid(i) });
    let next = 0;
    const worker = async () => {
      while (next < count) await call(next++);
    };
    await Promise.all(Array.from({ length: concurrency }, worker).slice(0, 4)); // warm up
    next = 0;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return [
      {
        name: `${kind} calls/s, ${format}, ${target.name}`,
        value: Math.round(count / seconds),
        unit: 'calls/s',
        note: `${concurrency} in flight`,
      },
      {
        name: `CPU per ${kind}, ${format}, ${target.name}`,
        value: Math.round((cpu.user + cpu.system) / count),
        unit: 'µs',
        note: 'client + master in one process',
      },
    ];
  } finally {
    await client.stop();
    await target.close();
  }
}

/**
 * `agents` × `tasksPerAgent` tasks launched on the simulator (no start delays), one ACCEPT per
 * offer, every update acknowledged as it arrives; measured from the first ACCEPT to the last
 * acknowledgement answered. CPU is the whole process's (client and simulator alike).
 */
async function launchEndToEnd(
  format: Format,
  agents: number,
  tasksPerAgent: number,
): Promise<BenchRow[]> {
  const sim = await startSimulator({
    cluster: generateCluster({ agents, cpus: 16, mem: 65536 }),
    port: 0,
    seed: 1,
    timings: { startingDelayMs: 0, runningDelayMs: 0 },
  });
  const client = new SchedulerClient({
    masters: [sim.url],
    encoding: format,
    framework: { name: 'bench', user: 'root', roles: ['apps'] },
  });
  const total = agents * tasksPerAgent;
  try {
    let updates = 0;
    let acksInFlight = 0;
    let started = 0;
    let cpuStart = process.cpuUsage();
    // Distinct tasks seen RUNNING: an update acknowledged late may be sent again by its agent.
    const running = new Set<string>();
    let resolveDone: () => void = () => {};
    let rejectDone: (error: unknown) => void = () => {};
    const done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    let launched = false;
    client.on('offers', (event) => {
      if (launched) return;
      launched = true;
      started = performance.now();
      cpuStart = process.cpuUsage();
      for (const offer of event.offers) {
        const tasks = Array.from({ length: tasksPerAgent }, (_, i) => ({
          name: 'web',
          task_id: { value: `web.${offer.agent_id.value}.${i}` },
          agent_id: offer.agent_id,
          resources: [
            { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } },
            { name: 'mem', type: 'SCALAR' as const, scalar: { value: 64 } },
          ],
          command: { value: 'sleep 1000' },
        }));
        client.launch([offer.id], tasks).catch(rejectDone);
      }
    });
    client.on('update', (event) => {
      updates++;
      if (event.status.state === 'TASK_RUNNING') running.add(event.status.task_id.value);
      acksInFlight++;
      client
        .acknowledge(event.status)
        .then(() => {
          if (--acksInFlight === 0 && running.size === total) resolveDone();
        })
        .catch(rejectDone);
    });
    client.start();
    await done;
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMicros = cpu.user + cpu.system;
    const note = `${agents} agents × ${tasksPerAgent} tasks, ${updates} updates`;
    return [
      {
        name: `launch to all RUNNING + acked, ${format}, simulator`,
        value: Math.round(updates / seconds),
        unit: 'updates/s',
        note,
      },
      {
        name: `CPU per update end to end, ${format}, simulator`,
        value: Math.round(cpuMicros / updates),
        unit: 'µs',
        note: 'client + simulator, incl. the ACCEPT share',
      },
    ];
  } finally {
    await client.stop();
    await sim.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Quick figures for A/B runs: the end-to-end launch alone, or ACKNOWLEDGE calls alone.
  if (process.env.MESOS_BENCH_ONLY === 'e2e') {
    rows.push(...(await launchEndToEnd('protobuf', 200, 10)));
    rows.push(...(await launchEndToEnd('protobuf', 1000, 10)));
    return rows;
  }
  if (process.env.MESOS_BENCH_ONLY === 'ack') {
    const target = await simulatorTarget();
    return callRate(target, 'ACKNOWLEDGE', 'protobuf', 30_000, 16);
  }
  for (const format of formats) rows.push(decodeInMemory(format, 200_000));
  for (const format of formats) rows.push(await decodeOverLoopback(format, 100_000));
  for (const format of formats) {
    rows.push(...(await callRate(await scriptedTarget(), 'ACCEPT', format, 5_000, 16)));
  }
  for (const format of formats) {
    rows.push(...(await callRate(await simulatorTarget(), 'ACCEPT', format, 5_000, 16)));
  }
  for (const format of formats) {
    rows.push(...(await callRate(await simulatorTarget(), 'ACKNOWLEDGE', format, 20_000, 16)));
  }
  rows.push(...(await launchEndToEnd('protobuf', 200, 10))); // warm up the whole path
  for (const format of formats) rows.push(...(await launchEndToEnd(format, 1000, 10)));
  return rows;
}
