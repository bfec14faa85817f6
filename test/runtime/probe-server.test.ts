import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../../src/runtime/metrics.ts';
import { startProbeServer, type ProbeServer } from '../../src/runtime/probe-server.ts';

let server: ProbeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('probe server', () => {
  it('serves metrics, liveness and readiness, naming the check that fails', async () => {
    const metrics = new Registry();
    metrics.counter('meseta_mesos_events_total', 'Mesos events').inc({ type: 'OFFERS' });
    let storeReachable = false;
    server = await startProbeServer({
      metrics,
      liveness: { process: () => true },
      readiness: {
        store: () => storeReachable,
        mesos: () => {
          throw new Error('not subscribed yet');
        },
      },
    });

    const scraped = await fetch(`${server.url}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('meseta_mesos_events_total{type="OFFERS"} 1');

    const live = await fetch(`${server.url}/healthz`);
    expect([live.status, await live.text()]).toEqual([200, '[+] process ok\nok\n']);

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe(
      '[-] store failed\n[-] mesos failed: not subscribed yet\nnot ok\n',
    );
    storeReachable = true;
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});
