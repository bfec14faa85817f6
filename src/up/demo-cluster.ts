/**
 * The simulated cluster `meseta up` starts: five agents over three racks and two zones, shaped
 * so that every example in `manifests/` can be placed and converge:
 *
 * - `db-1.example.com` exists and offers port 5432 (postgres: `hostname IS db-1.example.com`,
 *   `hostPort: 5432`);
 * - three racks (web: `rack GROUP_BY 3` places on a value already used only once three
 *   values exist) and at least three hosts (`hostname MAX_PER 2` over six instances);
 * - the others carry an `instance_type` of `c5.*` or `c6i.*`, in both zones (thumbnailer:
 *   `instance_type LIKE c(5|6i)\..*`, `@zone GROUP_BY`);
 * - together they have room for all of it twice over, so a rolling upgrade fits too.
 *
 * Agents past the fifth (`--agents N`) are more compute agents, round-robin over the racks and
 * zones.
 */
import type { AgentSpec, ClusterSpec } from '../sim/cluster.ts';
import { defaultAgentResources } from '../sim/cluster.ts';
import type { Interval } from '../mesos/ranges.ts';
import type { Pool } from '../sim/resources.ts';

export const DEFAULT_UP_AGENTS = 5;
const RACKS = 3;
const ZONES = 2;

const text = (name: string, value: string) => ({ name, type: 'TEXT' as const, text: { value } });

function pool(ports: Interval[]): Pool {
  return {
    scalars: {
      cpus: defaultAgentResources.cpus,
      mem: defaultAgentResources.mem,
      disk: defaultAgentResources.disk,
    },
    ranges: { ports },
    sets: {},
  };
}

function agent(
  index: number,
  hostname: string,
  instanceType: string,
  ports: Interval[],
): AgentSpec {
  return {
    hostname,
    port: 5051,
    resources: pool(ports),
    attributes: [text('rack', `rack-${(index % RACKS) + 1}`), text('instance_type', instanceType)],
    domain: { region: 'region-1', zone: `zone-${(index % ZONES) + 1}` },
  };
}

/** `agents` agents (at least 1); the first is always the database host. */
export function demoCluster(agents = DEFAULT_UP_AGENTS): ClusterSpec {
  const specs: AgentSpec[] = [
    agent(0, 'db-1.example.com', 'm5.2xlarge', [
      [5432, 5432],
      [31000, 32000],
    ]),
  ];
  for (let i = 1; i < agents; i++) {
    const type = i % 2 === 1 ? 'c5.2xlarge' : 'c6i.2xlarge';
    specs.push(agent(i, `agent-${i + 1}.example.com`, type, [[31000, 32000]]));
  }
  return { agents: specs };
}
