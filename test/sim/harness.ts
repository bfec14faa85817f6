/** In-process helpers for driving the master core on a VirtualClock. */
import { VirtualClock } from '../../src/clock.ts';
import type { Call, Event } from '../../src/mesos/scheduler-types.ts';
import type { FrameworkInfo, Offer, TaskInfo, TaskStatus } from '../../src/mesos/types.ts';
import { generateCluster } from '../../src/sim/cluster.ts';
import { Master, type MasterOptions } from '../../src/sim/master.ts';
import type { FrameworkRecord, Subscriber } from '../../src/sim/state.ts';

export class RecordingSubscriber implements Subscriber {
  readonly events: Event[] = [];
  closed = false;
  constructor(readonly streamId = 'stream') {}
  send(event: Event): void {
    if (this.closed) throw new Error('send after close');
    this.events.push(event);
  }
  close(): void {
    this.closed = true;
  }
  ofType(type: Event['type']): Event[] {
    return this.events.filter((e) => e.type === type);
  }
  offers(): Offer[] {
    return this.ofType('OFFERS').flatMap((e) => e.offers?.offers ?? []);
  }
  updates(taskId?: string): TaskStatus[] {
    return this.ofType('UPDATE')
      .map((e) => e.update!.status)
      .filter((s) => taskId === undefined || s.task_id.value === taskId);
  }
  clear(): void {
    this.events.length = 0;
  }
}

export function startMaster(
  agents = 2,
  options: Partial<MasterOptions> = {},
): { master: Master; clock: VirtualClock } {
  const clock = (options.clock as VirtualClock | undefined) ?? new VirtualClock(1_700_000_000_000);
  const master = new Master({ seed: 7, ...options, clock });
  for (const spec of generateCluster({ agents, racks: 2, zones: 2, cpus: 4, mem: 4096 }).agents) {
    master.addAgent(spec);
  }
  master.start();
  return { master, clock };
}

export const frameworkInfo = (extra: Partial<FrameworkInfo> = {}): FrameworkInfo => ({
  user: 'root',
  name: 'test',
  ...extra,
});

export function subscribe(
  master: Master,
  info: FrameworkInfo = frameworkInfo(),
  suppressed: string[] = [],
): { framework: FrameworkRecord; stream: RecordingSubscriber } {
  const stream = new RecordingSubscriber();
  master.subscribe({ framework_info: info, suppressed_roles: suppressed }, stream);
  const id = stream.events[0]?.subscribed?.framework_id.value;
  if (!id) throw new Error(`not subscribed: ${JSON.stringify(stream.events[0])}`);
  return { framework: master.framework(id)!, stream };
}

export function task(offer: Offer, id: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
    ],
    command: { value: 'sleep 1000' },
    ...extra,
  };
}

export function launch(
  master: Master,
  framework: FrameworkRecord,
  offers: Offer[],
  tasks: TaskInfo[],
  refuse?: number,
): void {
  const call: Call = {
    type: 'ACCEPT',
    framework_id: { value: framework.id },
    accept: {
      offer_ids: offers.map((o) => o.id),
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      ...(refuse !== undefined ? { filters: { refuse_seconds: refuse } } : {}),
    },
  };
  master.handle(framework, call);
}

export function ack(master: Master, framework: FrameworkRecord, status: TaskStatus): void {
  master.handle(framework, {
    type: 'ACKNOWLEDGE',
    framework_id: { value: framework.id },
    acknowledge: { agent_id: status.agent_id!, task_id: status.task_id, uuid: status.uuid! },
  });
}

/** Acknowledges every update with a uuid not acknowledged yet (a well-behaved scheduler). */
export function ackAll(
  master: Master,
  framework: FrameworkRecord,
  stream: RecordingSubscriber,
  acked = new Set<string>(),
): Set<string> {
  for (const status of stream.updates()) {
    if (status.uuid && !acked.has(status.uuid)) {
      acked.add(status.uuid);
      ack(master, framework, status);
    }
  }
  return acked;
}

/** Advances the clock in steps, acknowledging as it goes. */
export function runFor(
  clock: VirtualClock,
  ms: number,
  master: Master,
  framework: FrameworkRecord,
  stream: RecordingSubscriber,
  stepMs = 100,
): void {
  const acked = new Set<string>();
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(stepMs);
    ackAll(master, framework, stream, acked);
  }
}
