import { until } from '../support/until.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { generateCluster } from '../../src/sim/cluster.ts';
import { SimServer } from '../../src/sim/http/server.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { EventStream, post } from './http-client.ts';

let sim: Simulator | undefined;
afterEach(async () => sim?.stop());

const subscribe = '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}}';

describe('standby masters', () => {
  it('redirect API clients to the leader with a protocol-relative Location', async () => {
    sim = await startSimulator({ cluster: generateCluster({ agents: 1 }), port: 0, standbys: 1 });
    const [leader, standby] = sim.urls;
    const reply = await post(`${standby}/api/v1/scheduler`, subscribe, {
      'Content-Type': 'application/json',
    });
    expect(reply.status).toBe(307);
    expect(reply.headers.location).toBe(`//127.0.0.1:${new URL(leader!).port}/api/v1/scheduler`);
    const operator = await post(`${standby}/master/api/v1`, '{"type":"GET_HEALTH"}', {
      'Content-Type': 'application/json',
    });
    expect(operator.headers.location).toBe(`//127.0.0.1:${new URL(leader!).port}/master/api/v1`);
  });

  it('take over on a failover to standby: the old leader then redirects to the new one', async () => {
    sim = await startSimulator({
      cluster: generateCluster({ agents: 1 }),
      port: 0,
      standbys: 1,
      allocationIntervalMs: 20,
    });
    const [first, second] = sim.urls;
    const stream = new EventStream(first!, {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'u', name: 'n', failover_timeout: 60 } },
    });
    try {
      await stream.next('SUBSCRIBED');
      const reply = await post(
        `${first}/sim/v1/master/failover`,
        '{"to_standby":true,"agent_reregister_ms":10}',
      );
      expect(JSON.parse(reply.text).leader).toBe(`127.0.0.1:${new URL(second!).port}`);
      await until(() => stream.ended, { what: 'old stream end' });
      expect(sim.url).toBe(second);
      const old = await post(`${first}/api/v1/scheduler`, subscribe, {
        'Content-Type': 'application/json',
      });
      expect([old.status, old.headers.location]).toEqual([
        307,
        `//127.0.0.1:${new URL(second!).port}/api/v1/scheduler`,
      ]);
      const again = new EventStream(second!, {
        type: 'SUBSCRIBE',
        framework_id: { value: stream.frameworkId },
        subscribe: {
          framework_info: {
            user: 'u',
            name: 'n',
            id: { value: stream.frameworkId },
            failover_timeout: 60,
          },
        },
      });
      try {
        const subscribed = await again.next('SUBSCRIBED');
        expect(subscribed.subscribed!.master_info!.port).toBe(Number(new URL(second!).port));
        await again.next('OFFERS');
      } finally {
        again.close();
      }
    } finally {
      stream.close();
    }
  });

  it('answer 503 when no leader is known, and a simulator without standbys refuses to fail over to one', async () => {
    const lonely = new SimServer();
    const port = await lonely.listen(0);
    try {
      const reply = await post(`http://127.0.0.1:${port}/api/v1/scheduler`, subscribe, {
        'Content-Type': 'application/json',
      });
      expect([reply.status, reply.text]).toEqual([503, 'No leader elected']);
    } finally {
      await lonely.close();
    }
    sim = await startSimulator({ cluster: generateCluster({ agents: 1 }), port: 0 });
    expect(() => sim!.faults.failoverMaster({ toStandby: true })).toThrow(
      'the simulator has no standby master to fail over to',
    );
    const viaHttp = await post(`${sim.url}/sim/v1/master/failover`, '{"to_standby":true}');
    expect(viaHttp.status).toBe(400);
  });
});
