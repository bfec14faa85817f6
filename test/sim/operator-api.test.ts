import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContentTypes,
  decodeMasterEvent,
  decodeMasterResponse,
  encodeMasterCall,
  type Format,
} from '../../src/mesos/codec.ts';
import type { MasterCall, MasterEvent, MasterResponse } from '../../src/mesos/master-types.ts';
import { generateCluster } from '../../src/sim/cluster.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { EventStream, RecordStream, post, postCall } from './http-client.ts';

let sim: Simulator;
let stream: EventStream;

async function operator(call: MasterCall, format: Format = 'json'): Promise<MasterResponse> {
  const reply = await post(`${sim.url}/api/v1`, encodeMasterCall(call, format), {
    'Content-Type': ContentTypes[format],
    Accept: ContentTypes[format],
  });
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toBe(ContentTypes[format]);
  return decodeMasterResponse(reply.body, format);
}

beforeAll(async () => {
  sim = await startSimulator({
    cluster: generateCluster({ agents: 2, racks: 2, zones: 2, cpus: 4, mem: 4096 }),
    port: 0,
    seed: 3,
    allocationIntervalMs: 50,
    timings: { startingDelayMs: 5, runningDelayMs: 5 },
  });
  stream = new EventStream(sim.url, {
    type: 'SUBSCRIBE',
    subscribe: {
      framework_info: {
        user: 'alice',
        name: 'ops',
        capabilities: [{ type: 'MULTI_ROLE' }],
        roles: ['web'],
      },
    },
  });
  const offer = (await stream.next('OFFERS')).offers!.offers![0]!;
  await postCall(
    sim.url,
    {
      type: 'ACCEPT',
      framework_id: { value: stream.frameworkId },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH',
            launch: {
              task_infos: [
                {
                  name: 'web',
                  task_id: { value: 'web-1' },
                  agent_id: offer.agent_id,
                  resources: [
                    { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
                    {
                      name: 'ports',
                      type: 'RANGES',
                      ranges: { range: [{ begin: '31000', end: '31001' }] },
                    },
                  ],
                  command: { value: 'serve' },
                  labels: { labels: [{ key: 'app', value: 'web' }] },
                },
              ],
            },
          },
        ],
      },
    },
    stream.streamId,
  );
  await stream.next('UPDATE');
});

afterAll(async () => {
  stream.close();
  await sim.stop();
});

describe('operator API', () => {
  it('GET_HEALTH, GET_VERSION and GET_MASTER', async () => {
    expect(await operator({ type: 'GET_HEALTH' })).toEqual({
      type: 'GET_HEALTH',
      get_health: { healthy: true },
    });
    const version = await operator({ type: 'GET_VERSION' }, 'protobuf');
    expect(version.get_version!.version_info.version).toBe('1.11.0');
    const master = await operator({ type: 'GET_MASTER' });
    expect(master.get_master!.master_info!.id).toBe(sim.master.id);
  });

  it('GET_TASKS lists the task with its resources, statuses and labels, in both encodings', async () => {
    for (const format of ['json', 'protobuf'] as const) {
      const reply = await operator({ type: 'GET_TASKS' }, format);
      const [task] = reply.get_tasks!.tasks!;
      expect(task).toMatchObject({
        name: 'web',
        task_id: { value: 'web-1' },
        framework_id: { value: stream.frameworkId },
        state: 'TASK_STARTING',
        user: 'alice',
        labels: { labels: [{ key: 'app', value: 'web' }] },
        status_update_state: 'TASK_STARTING',
      });
      expect(task!.resources![0]).toEqual({
        name: 'cpus',
        type: 'SCALAR',
        scalar: { value: 1 },
        role: '*',
        allocation_info: { role: 'web' },
      });
      expect(task!.statuses![0]!.state).toBe('TASK_STARTING');
    }
  });

  it('GET_AGENTS and GET_FRAMEWORKS report resources and offers', async () => {
    const agents = (await operator({ type: 'GET_AGENTS' })).get_agents!.agents!;
    expect(agents).toHaveLength(2);
    expect(agents[0]).toMatchObject({
      active: true,
      version: '1.11.0',
      agent_info: { hostname: 'agent-1', domain: { fault_domain: { zone: { name: 'zone-1' } } } },
    });
    const frameworks = (await operator({ type: 'GET_FRAMEWORKS' })).get_frameworks!.frameworks!;
    expect(frameworks[0]).toMatchObject({
      framework_info: { name: 'ops', id: { value: stream.frameworkId } },
      active: true,
      connected: true,
      recovered: false,
    });
  });

  it('GET_STATE composes tasks, frameworks and agents', async () => {
    const state = (await operator({ type: 'GET_STATE' }, 'protobuf')).get_state!;
    expect(state.get_tasks!.tasks).toHaveLength(1);
    expect(state.get_frameworks!.frameworks).toHaveLength(1);
    expect(state.get_agents!.agents).toHaveLength(2);
  });

  it('GET_ROLES lists the subscribed roles with their frameworks; GET_OPERATIONS is empty', async () => {
    const [role] = (await operator({ type: 'GET_ROLES' })).get_roles!.roles!;
    expect(role).toMatchObject({
      name: 'web',
      weight: 1,
      frameworks: [{ value: stream.frameworkId }],
    });
    expect(role!.resources!.find((r) => r.name === 'cpus')!.allocation_info).toEqual({
      role: 'web',
    });
    expect(await operator({ type: 'GET_OPERATIONS' })).toEqual({
      type: 'GET_OPERATIONS',
      get_operations: {},
    });
  });

  it('answers 501 for calls it does not implement and 400 for bad input', async () => {
    const unsupported = await post(`${sim.url}/api/v1`, '{"type":"GET_QUOTA"}', {
      'Content-Type': ContentTypes.json,
    });
    expect(unsupported.status).toBe(501);
    const bad = await post(`${sim.url}/api/v1`, '{"type":"TEARDOWN"}', {
      'Content-Type': ContentTypes.json,
    });
    expect([bad.status, bad.text]).toEqual([
      400,
      "Failed to validate master::Call: Expecting 'teardown' to be present",
    ]);
  });
});

describe('legacy /master/state', () => {
  it('describes slaves, frameworks and tasks in the old vocabulary', async () => {
    const reply = await post(`${sim.url}/master/state`, '', {}, 'GET');
    expect(reply.status).toBe(200);
    const state = JSON.parse(reply.text);
    expect(state).toMatchObject({ id: sim.master.id, activated_slaves: 2, version: '1.11.0' });
    expect(state.slaves[0]).toMatchObject({
      hostname: 'agent-1',
      attributes: { rack: 'rack-1' },
      resources: { cpus: 4, mem: 4096, gpus: 0, ports: '[31000-32000]' },
      active: true,
    });
    const framework = state.frameworks[0];
    expect(framework).toMatchObject({ name: 'ops', user: 'alice', roles: ['web'], active: true });
    expect(framework.tasks[0]).toMatchObject({
      id: 'web-1',
      slave_id: framework.tasks[0].slave_id,
      executor_id: '',
      role: 'web',
      resources: { cpus: 1, mem: 0, disk: 0, gpus: 0, ports: '[31000-31001]' },
      labels: [{ key: 'app', value: 'web' }],
    });
    expect((await post(`${sim.url}/state`, '', {}, 'GET')).status).toBe(200);
  });
});

describe('operator SUBSCRIBE', () => {
  it('streams the state, then every change, as RecordIO', async () => {
    const events = new RecordStream<MasterEvent>(
      sim.url,
      '/api/v1',
      Buffer.from('{"type":"SUBSCRIBE"}'),
      'json',
      decodeMasterEvent,
    );
    try {
      const subscribed = await events.next('SUBSCRIBED');
      expect(events.headers['content-type']).toBe('application/json');
      expect(subscribed.subscribed!.get_state!.get_tasks!.tasks![0]!.task_id.value).toBe('web-1');

      const [added] = sim.faults.addAgents(
        generateCluster({ agents: 1 }).agents.map((a) => ({ ...a, hostname: 'late' })),
      );
      expect((await events.next('AGENT_ADDED')).agent_added!.agent.agent_info.hostname).toBe(
        'late',
      );
      sim.faults.removeAgent(added!.id);
      expect((await events.next('AGENT_REMOVED')).agent_removed!.agent_id.value).toBe(added!.id);

      const starting = stream.ofType('UPDATE')[0]!.update!.status;
      await postCall(
        sim.url,
        {
          type: 'ACKNOWLEDGE',
          framework_id: { value: stream.frameworkId },
          acknowledge: {
            agent_id: starting.agent_id!,
            task_id: starting.task_id,
            uuid: starting.uuid!,
          },
        },
        stream.streamId,
      );
      const updated = await events.next('TASK_UPDATED');
      expect(updated.task_updated).toMatchObject({
        state: 'TASK_RUNNING',
        status: { state: 'TASK_RUNNING' },
      });

      const other = new EventStream(sim.url, {
        type: 'SUBSCRIBE',
        subscribe: { framework_info: { user: 'bob', name: 'second' } },
      });
      try {
        const framework = await events.next('FRAMEWORK_ADDED');
        expect(framework.framework_added!.framework.framework_info.name).toBe('second');
      } finally {
        other.close();
      }
      expect((await events.next('FRAMEWORK_REMOVED')).framework_removed!.framework_info.name).toBe(
        'second',
      );
    } finally {
      events.close();
    }
  });
});
