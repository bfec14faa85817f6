import { until } from '../support/until.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCluster } from '../../src/sim/cluster.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { EventStream, post, postCall } from './http-client.ts';

let sim: Simulator;
let stream: EventStream;
const control = (path: string, body?: unknown, method = 'POST') =>
  post(`${sim.url}/sim/v1/${path}`, body === undefined ? '' : JSON.stringify(body), {}, method);

beforeEach(async () => {
  sim = await startSimulator({
    cluster: generateCluster({ agents: 2 }),
    port: 0,
    seed: 11,
    allocationIntervalMs: 20,
    agentUnreachableTimeoutMs: 100,
    timings: { startingDelayMs: 5, runningDelayMs: 5 },
  });
  stream = new EventStream(sim.url, {
    type: 'SUBSCRIBE',
    subscribe: {
      framework_info: {
        user: 'root',
        name: 'ctl',
        failover_timeout: 60,
        capabilities: [{ type: 'PARTITION_AWARE' }],
      },
    },
  });
  await stream.next('OFFERS');
});

afterEach(async () => {
  stream.close();
  await sim.stop();
});

async function launchOn(agentIndex = 0) {
  const offer = stream.ofType('OFFERS').flatMap((e) => e.offers!.offers!)[agentIndex]!;
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
                  name: 't',
                  task_id: { value: 't' },
                  agent_id: offer.agent_id,
                  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
                  command: { value: 'x' },
                },
              ],
            },
          },
        ],
      },
    },
    stream.streamId,
  );
  return offer.agent_id.value;
}

describe('control API', () => {
  it('lists and adds agents', async () => {
    const before = JSON.parse((await control('agents', undefined, 'GET')).text);
    expect(before.map((a: { status: string }) => a.status)).toEqual(['active', 'active']);
    const added = JSON.parse((await control('agents', { count: 2 })).text).added;
    expect(added).toHaveLength(2);
    const fromFile = await control('agents', {
      agents: [{ hostname: 'custom', resources: { cpus: 1 } }],
    });
    expect(fromFile.status).toBe(200);
    const bad = await control('agents', { agents: [{ resources: { cpus: -1 } }] });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('agents[0].hostname: is required');
    expect(JSON.parse((await control('agents', undefined, 'GET')).text)).toHaveLength(5);
  });

  it('partitions an agent until it is unreachable, then heals it', async () => {
    const agentId = await launchOn();
    expect((await control(`agents/${agentId}/partition`)).status).toBe(200);
    const unreachable = await until(
      () => stream.ofType('UPDATE').find((e) => e.update!.status.state === 'TASK_UNREACHABLE'),
      { what: 'TASK_UNREACHABLE' },
    );
    expect(unreachable.update!.status.reason).toBe('REASON_AGENT_REMOVED');
    await stream.next('FAILURE');
    expect((await control(`agents/${agentId}/heal`)).status).toBe(200);
    await until(() => sim.master.agent(agentId)!.status === 'active', { what: 'agent back' });
  });

  it('marks agents unreachable or gone at once, and 404s unknown agents', async () => {
    const [a, b] = [...sim.master.listAgents()].map((agent) => agent.id);
    expect((await control(`agents/${a}/unreachable`)).status).toBe(200);
    expect((await control(`agents/${b}/gone`)).status).toBe(200);
    expect(sim.master.agent(a!)!.status).toBe('unreachable');
    expect(sim.master.agent(b!)!.status).toBe('gone');
    const missing = await control('agents/nope/gone');
    expect([missing.status, missing.text]).toEqual([404, 'Unknown agent nope']);
    expect((await control('nothing')).status).toBe(404);
  });

  it('fails the master over: streams end, the API answers 503 while it recovers', async () => {
    const reply = await control('master/failover', { recovery_ms: 1000, agent_reregister_ms: 50 });
    expect(JSON.parse(reply.text).master_id).toBe(sim.master.id);
    await until(() => stream.ended, { what: 'stream end' });
    const during = await postCall(
      sim.url,
      { type: 'REVIVE', framework_id: { value: stream.frameworkId } },
      stream.streamId,
    );
    expect([during.status, during.text]).toEqual([503, 'Master has not finished recovery']);
    await until(() => !sim.master.recovering, { what: 'recovery' });
    const again = new EventStream(sim.url, {
      type: 'SUBSCRIBE',
      framework_id: { value: stream.frameworkId },
      subscribe: {
        framework_info: {
          user: 'root',
          name: 'ctl',
          id: { value: stream.frameworkId },
          failover_timeout: 60,
        },
      },
    });
    try {
      await again.next('OFFERS');
      expect(again.frameworkId).toBe(stream.frameworkId);
    } finally {
      again.close();
    }
  });

  it('injects and clears status update faults, and rejects bad ones', async () => {
    expect((await control('faults/updates', { kind: 'lose', count: 5 })).status).toBe(200);
    await launchOn();
    await until(() => sim.master.updates.affected.lose >= 1, { what: 'an update lost' });
    expect(stream.ofType('UPDATE')).toHaveLength(0);
    expect((await control('faults/updates', undefined, 'DELETE')).status).toBe(200);
    expect(sim.master.updates.pending).toHaveLength(0);
    const bad = await control('faults/updates', { kind: 'explode' });
    expect([bad.status, bad.text]).toEqual([
      400,
      "'kind' must be one of lose, duplicate, delay, reorder",
    ]);
  });

  it('slows the API down on request', async () => {
    expect((await control('faults/api', { delay_ms: 200 })).status).toBe(200);
    const started = Date.now();
    await postCall(
      sim.url,
      { type: 'REVIVE', framework_id: { value: stream.frameworkId } },
      stream.streamId,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await control('faults/api', { delay_ms: 0 })).status).toBe(200);
    expect((await control('faults/api', {})).status).toBe(400);
  });
});
