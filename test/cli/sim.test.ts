import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { clusterFrom, startFromOptions } from '../../src/cli/sim-start.ts';
import { post } from '../sim/http-client.ts';

describe('meseta sim', () => {
  it('starts a simulator from command-line options', async () => {
    const sim = await startFromOptions({
      port: '0',
      host: '127.0.0.1',
      agents: '4',
      racks: '2',
      zones: '2',
      cpus: '2',
      seed: '9',
      heartbeatInterval: '1',
      standbys: '1',
      startingDelay: '0.5',
      runningDelay: '2',
      agentUnreachableTimeout: '30',
    });
    try {
      const reply = await post(`${sim.url}/api/v1`, '{"type":"GET_AGENTS"}', {
        'Content-Type': 'application/json',
        Accept: 'application/json',
      });
      const agents = JSON.parse(reply.text).get_agents.agents;
      expect(agents).toHaveLength(4);
      expect(agents[1].agent_info.resources[0]).toMatchObject({
        name: 'cpus',
        scalar: { value: 2 },
      });
      expect(sim.master.heartbeatIntervalMs).toBe(1000);
      expect(sim.urls).toHaveLength(2);
      expect(sim.master.timings).toMatchObject({ startingDelayMs: 500, runningDelayMs: 2000 });
      expect(sim.master.agentUnreachableTimeoutMs).toBe(30_000);
    } finally {
      await sim.stop();
    }
  });

  it('reads agents from a cluster file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sim-cli-')), 'cluster.yaml');
    writeFileSync(file, 'agents:\n  - hostname: a\n    count: 3\n');
    expect(
      clusterFrom({ port: '0', host: 'x', cluster: file }).agents.map((a) => a.hostname),
    ).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('exits 2 with a clear message on bad flags', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['sim', '--port', 'abc'])).toBe(2);
      expect(await main(['sim', '--agents', '3', '--cluster', 'c.yaml'])).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([
        'error: --port must be a number >= 0 (got "abc")\n',
        'error: use either --cluster FILE or --agents N, not both\n',
      ]);
    } finally {
      stderr.mockRestore();
    }
  });
});
