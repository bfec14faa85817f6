/** The demo cluster has what the examples' constraints ask for (their convergence: test/e2e/up.test.ts). */
import { describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../src/sim/cluster.ts';
import { demoCluster } from '../../src/up/demo-cluster.ts';

const attribute = (agent: AgentSpec, name: string) =>
  agent.attributes.find((a) => a.name === name)?.text?.value;

describe('demoCluster', () => {
  it('has the database host with port 5432, three racks, and compute types in both zones', () => {
    const { agents } = demoCluster();
    expect(agents).toHaveLength(5);
    const db = agents.find((a) => a.hostname === 'db-1.example.com')!;
    expect(db.resources.ranges.ports).toContainEqual([5432, 5432]);
    expect(new Set(agents.map((a) => attribute(a, 'rack')))).toEqual(
      new Set(['rack-1', 'rack-2', 'rack-3']),
    );
    const compute = agents.filter((a) => /^c(5|6i)\..*$/.test(attribute(a, 'instance_type') ?? ''));
    expect(new Set(compute.map((a) => a.domain!.zone))).toEqual(new Set(['zone-1', 'zone-2']));
    expect(compute.reduce((cpus, a) => cpus + a.resources.scalars.cpus!, 0)).toBeGreaterThanOrEqual(
      2 * 4 * 2,
    );
  });

  it('adds more uniquely named agents on request', () => {
    const hostnames = demoCluster(12).agents.map((a) => a.hostname);
    expect(new Set(hostnames).size).toBe(12);
    expect(hostnames[0]).toBe('db-1.example.com');
  });
});
