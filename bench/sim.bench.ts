/**
 * The simulator at scale: 10,000 agents and 100,000 running tasks in one process. One framework
 * subscribes, takes the first offer cycle (one offer per agent), launches ten tasks per agent
 * through ACCEPT calls, and acknowledges every update until all 100,000 tasks run. Measured:
 * wall time of the launch (ACCEPTs to all RUNNING), one allocation pass over 10,000 agents, the
 * Mesos JSON of a 10,000-offer OFFERS event and of GET_STATE with 100,000 tasks, and RSS.
 * Time inside the simulation runs on a VirtualClock, so only real work is timed.
 */
import type { BenchRow } from './run.ts';
import { VirtualClock } from '../src/clock.ts';
import { encodeEvent, encodeMasterResponse } from '../src/mesos/codec.ts';
import type { Event } from '../src/mesos/scheduler-types.ts';
import type { Offer, TaskInfo } from '../src/mesos/types.ts';
import { generateCluster } from '../src/sim/cluster.ts';
import { Master } from '../src/sim/master.ts';
import type { Subscriber } from '../src/sim/state.ts';
import { getState } from '../src/sim/views.ts';

const agents = Number(process.env.SIM_AGENTS ?? 10_000);
const tasksPerAgent = 10;

export async function run(): Promise<BenchRow[]> {
  const clock = new VirtualClock(1_700_000_000_000);
  const master = new Master({ clock, seed: 1, allocationIntervalMs: 1000 });
  for (const spec of generateCluster({ agents, racks: 200, zones: 3, cpus: 16, mem: 65536 })
    .agents) {
    master.addAgent(spec);
  }
  master.start();

  let offers: Offer[] = [];
  const pending: Event[] = [];
  const subscriber: Subscriber = {
    streamId: 'bench',
    send: (event) => {
      if (event.type === 'OFFERS') offers.push(...event.offers!.offers!);
      else if (event.type === 'UPDATE') pending.push(event);
    },
    close: () => {},
  };
  master.subscribe({ framework_info: { user: 'bench', name: 'bench' } }, subscriber);
  const framework = [...master.listFrameworks()][0]!;
  const fid = { value: framework.id };

  clock.advance(0);
  const firstOffers = offers;
  offers = [];
  const offersEvent: Event = { type: 'OFFERS', offers: { offers: firstOffers } };
  const encodeStart = performance.now();
  const offersJson = encodeEvent(offersEvent, 'json');
  const encodeOffersMs = performance.now() - encodeStart;

  const launchStart = performance.now();
  for (const offer of firstOffers) {
    const tasks: TaskInfo[] = [];
    for (let i = 0; i < tasksPerAgent; i++) {
      const port = String(31000 + i);
      tasks.push({
        name: 'app',
        task_id: { value: `app.${offer.agent_id.value}.${i}` },
        agent_id: offer.agent_id,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
          { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } },
          { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: port, end: port }] } },
        ],
        command: { value: 'serve' },
      });
    }
    master.handle(framework, {
      type: 'ACCEPT',
      framework_id: fid,
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
        filters: { refuse_seconds: 3600 },
      },
    });
  }
  const acceptMs = performance.now() - launchStart;
  let running = 0;
  while (running < agents * tasksPerAgent) {
    clock.advance(50);
    for (const event of pending.splice(0)) {
      const status = event.update!.status;
      if (status.state === 'TASK_RUNNING') running++;
      master.handle(framework, {
        type: 'ACKNOWLEDGE',
        framework_id: fid,
        acknowledge: { agent_id: status.agent_id!, task_id: status.task_id, uuid: status.uuid! },
      });
    }
  }
  const launchMs = performance.now() - launchStart;

  // One allocation pass over every agent: revive clears the filters, so each is offered again.
  master.handle(framework, { type: 'REVIVE', framework_id: fid });
  const allocateStart = performance.now();
  master.allocate();
  const allocateMs = performance.now() - allocateStart;
  const reoffered = offers.length;

  const rss = process.memoryUsage().rss / 2 ** 20;
  const viewStart = performance.now();
  const state = getState(master);
  const viewMs = performance.now() - viewStart;
  const stateStart = performance.now();
  const stateJson = encodeMasterResponse({ type: 'GET_STATE', get_state: state }, 'json');
  const stateMs = performance.now() - stateStart;
  master.stop();

  return [
    { name: 'tasks running', value: running, unit: 'tasks', note: `${agents} agents` },
    {
      name: 'launch: ACCEPTs to all RUNNING',
      value: launchMs / 1000,
      unit: 's',
      note: 'target < 30 s',
    },
    { name: 'launch: ACCEPT calls alone', value: acceptMs / 1000, unit: 's' },
    {
      name: 'offer cycle (allocation pass)',
      value: allocateMs,
      unit: 'ms',
      note: `${reoffered} offers`,
    },
    {
      name: 'OFFERS event as JSON',
      value: encodeOffersMs,
      unit: 'ms',
      note: `${(offersJson.length / 2 ** 20).toFixed(1)} MiB, ${firstOffers.length} offers`,
    },
    { name: 'GET_STATE: build the view', value: viewMs, unit: 'ms' },
    {
      name: 'GET_STATE: Mesos JSON',
      value: stateMs,
      unit: 'ms',
      note: `${(stateJson.length / 2 ** 20).toFixed(1)} MiB`,
    },
    { name: 'RSS with all tasks running', value: rss, unit: 'MiB', note: 'target < 1536 MiB' },
  ];
}
