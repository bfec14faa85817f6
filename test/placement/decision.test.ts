import { describe, expect, it } from 'vitest';
import type { Constraint } from '../../src/api/app-types.ts';
import { decide, type Candidate } from '../../src/placement/decision.ts';
import type { AgentFacts } from '../../src/placement/fields.ts';
import { OfferedResources, type TaskNeeds } from '../../src/placement/resources.ts';
import type { Attribute, Resource } from '../../src/mesos/types.ts';

const roomy: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 8 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 8192 } },
  { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '31000', end: '31010' }] } },
];
const small: TaskNeeds = { cpus: 1, mem: 128, disk: 0, gpus: 0, ports: [] };

const text = (name: string, value: string): Attribute => ({ name, type: 'TEXT', text: { value } });

function agent(
  hostname: string,
  attributes: Attribute[] = [],
  domain: { region?: string; zone?: string } = {},
  offered: Resource[] = roomy,
): Candidate {
  return { hostname, attributes, ...domain, offered: OfferedResources.from(offered) };
}

const c = (field: string, operator: Constraint['operator'], value?: string): Constraint =>
  value === undefined ? { field, operator } : { field, operator, value };

function verdict(
  constraints: Constraint[],
  candidate: Candidate,
  placed: AgentFacts[] = [],
  cluster?: AgentFacts[],
): string {
  const decision = decide({ constraints, needs: small }, candidate, placed, cluster);
  return decision.accepted ? 'accept' : decision.reasons.join('; ');
}

const rackA1 = agent('a1', [text('rack', 'a')]);
const rackA2 = agent('a2', [text('rack', 'a')]);
const rackB1 = agent('b1', [text('rack', 'b')]);
const rackC1 = agent('c1', [text('rack', 'c')]);
const bare = agent('x1');

interface Row {
  name: string;
  constraints: Constraint[];
  agent: Candidate;
  placed?: AgentFacts[];
  cluster?: AgentFacts[];
  expect: string | RegExp;
}

const rows: Row[] = [
  // UNIQUE
  {
    name: 'UNIQUE hostname: free host',
    constraints: [c('hostname', 'UNIQUE')],
    agent: rackA1,
    placed: [rackB1],
    expect: 'accept',
  },
  {
    name: 'UNIQUE hostname: host taken',
    constraints: [c('hostname', 'UNIQUE')],
    agent: rackA1,
    placed: [rackA1],
    expect: 'UNIQUE hostname: 1 agent already runs an instance',
  },
  {
    name: 'UNIQUE @hostname is hostname',
    constraints: [c('@hostname', 'UNIQUE')],
    agent: rackA1,
    placed: [rackA1],
    expect: /^UNIQUE @hostname: /,
  },
  {
    name: 'UNIQUE attribute: value taken on another host',
    constraints: [c('rack', 'UNIQUE')],
    agent: rackA2,
    placed: [rackA1],
    expect: 'UNIQUE rack: 1 agent is in a rack that already has an instance',
  },
  {
    name: 'UNIQUE attribute: new value',
    constraints: [c('rack', 'UNIQUE')],
    agent: rackB1,
    placed: [rackA1],
    expect: 'accept',
  },
  {
    name: 'UNIQUE attribute: missing',
    constraints: [c('rack', 'UNIQUE')],
    agent: bare,
    expect: 'UNIQUE rack: 1 agent lacks rack',
  },
  // CLUSTER
  {
    name: 'CLUSTER value: match',
    constraints: [c('rack', 'CLUSTER', 'a')],
    agent: rackA1,
    expect: 'accept',
  },
  {
    name: 'CLUSTER value: mismatch',
    constraints: [c('rack', 'CLUSTER', 'a')],
    agent: rackB1,
    expect: 'CLUSTER rack "a": 1 agent has another rack',
  },
  {
    name: 'CLUSTER without value: first instance anywhere',
    constraints: [c('rack', 'CLUSTER')],
    agent: rackB1,
    expect: 'accept',
  },
  {
    name: 'CLUSTER without value: follows the first',
    constraints: [c('rack', 'CLUSTER')],
    agent: rackA2,
    placed: [rackA1],
    expect: 'accept',
  },
  {
    name: 'CLUSTER without value: other value',
    constraints: [c('rack', 'CLUSTER')],
    agent: rackB1,
    placed: [rackA1],
    expect: 'CLUSTER rack: 1 agent differs from a, where instances run',
  },
  {
    name: 'CLUSTER hostname',
    constraints: [c('hostname', 'CLUSTER', 'a1')],
    agent: rackA2,
    expect: /^CLUSTER hostname "a1": 1 agent has another hostname$/,
  },
  {
    name: 'CLUSTER missing',
    constraints: [c('rack', 'CLUSTER')],
    agent: bare,
    expect: 'CLUSTER rack: 1 agent lacks rack',
  },
  {
    name: 'CLUSTER: an instance on an agent without the value blocks all',
    constraints: [c('rack', 'CLUSTER')],
    agent: rackA1,
    placed: [bare],
    expect: /differs/,
  },
  // GROUP_BY
  {
    name: 'GROUP_BY: empty value first',
    constraints: [c('rack', 'GROUP_BY')],
    agent: rackB1,
    placed: [rackA1],
    cluster: [rackA1, rackB1],
    expect: 'accept',
  },
  {
    name: 'GROUP_BY: used value while another is empty',
    constraints: [c('rack', 'GROUP_BY')],
    agent: rackA2,
    placed: [rackA1],
    cluster: [rackA1, rackB1],
    expect: 'GROUP_BY rack: 1 agent is in a rack with more instances than another',
  },
  {
    name: 'GROUP_BY: values the cluster has but no offer showed yet count',
    constraints: [c('rack', 'GROUP_BY')],
    agent: rackA2,
    placed: [rackA1, rackB1],
    cluster: [rackA1, rackB1, rackC1],
    expect: /more instances/,
  },
  {
    name: 'GROUP_BY: balanced, any value',
    constraints: [c('rack', 'GROUP_BY')],
    agent: rackA2,
    placed: [rackA1, rackB1],
    cluster: [rackA1, rackB1],
    expect: 'accept',
  },
  {
    name: 'GROUP_BY count: fewer values than asked, used value refused',
    constraints: [c('rack', 'GROUP_BY', '3')],
    agent: rackA2,
    placed: [rackA1, rackB1],
    cluster: [rackA1, rackB1],
    expect: /fewer than 3 values of rack/,
  },
  {
    name: 'GROUP_BY count: fewer values than asked, unused value accepted',
    constraints: [c('rack', 'GROUP_BY', '3')],
    agent: rackB1,
    placed: [rackA1],
    cluster: [rackA1, rackB1],
    expect: 'accept',
  },
  {
    name: 'GROUP_BY count: enough values',
    constraints: [c('rack', 'GROUP_BY', '2')],
    agent: rackA2,
    placed: [rackA1, rackB1],
    cluster: [rackA1, rackB1],
    expect: 'accept',
  },
  {
    name: 'GROUP_BY missing',
    constraints: [c('rack', 'GROUP_BY')],
    agent: bare,
    expect: 'GROUP_BY rack: 1 agent lacks rack',
  },
  {
    name: 'GROUP_BY zone',
    constraints: [c('@zone', 'GROUP_BY')],
    agent: agent('z', [], { zone: 'z1' }),
    placed: [agent('y', [], { zone: 'z1' })],
    cluster: [agent('q', [], { zone: 'z2' })],
    expect: /more instances/,
  },
  // MAX_PER
  {
    name: 'MAX_PER below the limit',
    constraints: [c('rack', 'MAX_PER', '2')],
    agent: rackA2,
    placed: [rackA1],
    expect: 'accept',
  },
  {
    name: 'MAX_PER at the limit',
    constraints: [c('rack', 'MAX_PER', '2')],
    agent: rackA2,
    placed: [rackA1, rackA1],
    expect: 'MAX_PER rack:2: 1 agent is in a rack with 2 instances already',
  },
  {
    name: 'MAX_PER hostname 1',
    constraints: [c('hostname', 'MAX_PER', '1')],
    agent: rackA1,
    placed: [rackA1],
    expect: /MAX_PER hostname:1/,
  },
  {
    name: 'MAX_PER missing',
    constraints: [c('rack', 'MAX_PER', '2')],
    agent: bare,
    expect: /lacks rack/,
  },
  {
    name: 'MAX_PER without a number rejects all',
    constraints: [c('rack', 'MAX_PER', 'x')],
    agent: rackA1,
    expect: /needs a whole number/,
  },
  // LIKE
  {
    name: 'LIKE matches the whole value',
    constraints: [c('rack', 'LIKE', 'a|b')],
    agent: rackA1,
    expect: 'accept',
  },
  {
    name: 'LIKE is anchored',
    constraints: [c('hostname', 'LIKE', 'a')],
    agent: rackA1,
    expect: 'LIKE hostname "a": 1 agent does not match',
  },
  {
    name: 'LIKE on a set attribute',
    constraints: [c('disks', 'LIKE', '\\{.*ssd.*\\}')],
    agent: agent('s', [{ name: 'disks', type: 'SET', set: { item: ['ssd', 'hdd'] } }]),
    expect: 'accept',
  },
  {
    name: 'LIKE on a scalar attribute',
    constraints: [c('cores', 'LIKE', '1[0-9]')],
    agent: agent('s', [{ name: 'cores', type: 'SCALAR', scalar: { value: 16 } }]),
    expect: 'accept',
  },
  {
    name: 'LIKE on ranges',
    constraints: [c('p', 'LIKE', '\\[1-5,7-9\\]')],
    agent: agent('s', [
      {
        name: 'p',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: '7', end: '9' },
            { begin: '1', end: '5' },
          ],
        },
      },
    ]),
    expect: 'accept',
  },
  {
    name: 'LIKE missing',
    constraints: [c('rack', 'LIKE', '.*')],
    agent: bare,
    expect: 'LIKE rack ".*": 1 agent lacks rack',
  },
  {
    name: 'LIKE @region',
    constraints: [c('@region', 'LIKE', 'eu-.*')],
    agent: agent('r', [], { region: 'eu-west' }),
    expect: 'accept',
  },
  {
    name: 'LIKE @region without a domain',
    constraints: [c('@region', 'LIKE', '.*')],
    agent: bare,
    expect: /lacks @region/,
  },
  // UNLIKE
  {
    name: 'UNLIKE no match',
    constraints: [c('rack', 'UNLIKE', 'b')],
    agent: rackA1,
    expect: 'accept',
  },
  {
    name: 'UNLIKE match',
    constraints: [c('rack', 'UNLIKE', 'a')],
    agent: rackA1,
    expect: 'UNLIKE rack "a": 1 agent matches',
  },
  {
    name: 'UNLIKE is anchored',
    constraints: [c('hostname', 'UNLIKE', 'a')],
    agent: rackA1,
    expect: 'accept',
  },
  {
    name: 'UNLIKE accepts a missing attribute',
    constraints: [c('rack', 'UNLIKE', 'a')],
    agent: bare,
    expect: 'accept',
  },
  {
    name: 'UNLIKE accepts a missing zone',
    constraints: [c('@zone', 'UNLIKE', 'z1')],
    agent: bare,
    expect: 'accept',
  },
  // IS
  { name: 'IS equal', constraints: [c('rack', 'IS', 'a')], agent: rackA1, expect: 'accept' },
  {
    name: 'IS literal, not a regex',
    constraints: [c('rack', 'IS', '.')],
    agent: rackA1,
    expect: 'IS rack ".": 1 agent has another rack',
  },
  {
    name: 'IS on a scalar as rendered',
    constraints: [c('gen', 'IS', '3')],
    agent: agent('s', [{ name: 'gen', type: 'SCALAR', scalar: { value: 3.0 } }]),
    expect: 'accept',
  },
  { name: 'IS missing', constraints: [c('rack', 'IS', 'a')], agent: bare, expect: /lacks rack/ },
  {
    name: 'IS hostname',
    constraints: [c('@hostname', 'IS', 'a1')],
    agent: rackA1,
    expect: 'accept',
  },
  // AND
  {
    name: 'all constraints must hold',
    constraints: [c('rack', 'IS', 'a'), c('hostname', 'UNIQUE')],
    agent: rackA1,
    placed: [rackA1],
    expect: 'UNIQUE hostname: 1 agent already runs an instance',
  },
  {
    name: 'every failing constraint is named',
    constraints: [c('rack', 'IS', 'b'), c('hostname', 'UNIQUE')],
    agent: rackA1,
    placed: [rackA1],
    expect:
      'IS rack "b": 1 agent has another rack; UNIQUE hostname: 1 agent already runs an instance',
  },
  { name: 'no constraints', constraints: [], agent: bare, expect: 'accept' },
];

describe('decide: operators and fields', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_, row) => {
    const result = verdict(row.constraints, row.agent, row.placed, row.cluster);
    if (typeof row.expect === 'string') expect(result).toBe(row.expect);
    else expect(result).toMatch(row.expect);
  });
});

describe('decide: resources and GPUs', () => {
  it('names what is short', () => {
    const tiny = agent('t', [], {}, [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }]);
    const decision = decide({ constraints: [], needs: small }, tiny, []);
    expect(decision).toEqual({
      accepted: false,
      reasons: ['cpus: need 1, offered 0.5', 'mem: need 128, offered 0'],
    });
  });

  it('returns the resources to launch with when accepted', () => {
    const decision = decide({ constraints: [], needs: { ...small, ports: [0] } }, rackA1, []);
    expect(decision.accepted && decision.fit.ports).toEqual([31000]);
  });

  it('keeps GPU agents for apps that need GPUs', () => {
    const gpuAgent = { ...rackA1, gpus: true };
    expect(decide({ constraints: [], needs: small }, gpuAgent, [])).toEqual({
      accepted: false,
      reasons: ['the agent has GPUs, kept for apps that need GPUs'],
    });
  });

  it('puts GPU apps only on GPU agents', () => {
    const needs = { ...small, gpus: 1 };
    expect(decide({ constraints: [], needs }, rackA1, [])).toMatchObject({
      accepted: false,
      reasons: ['gpus: need 1, the agent has none', 'gpus: need 1, offered 0'],
    });
    const gpuAgent = agent('g', [], {}, [
      ...roomy,
      { name: 'gpus', type: 'SCALAR', scalar: { value: 2 } },
    ]);
    expect(decide({ constraints: [], needs }, { ...gpuAgent, gpus: true }, []).accepted).toBe(true);
  });

  it('refuses a cordoned agent', () => {
    expect(
      decide({ constraints: [], needs: small }, { ...rackA1, unschedulable: true }, []),
    ).toEqual({
      accepted: false,
      reasons: ['the agent is cordoned (spec.unschedulable)'],
    });
  });

  it('uses resources reserved to its role only', () => {
    const reserved = agent('r', [], {}, [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, reservations: [{ role: 'web' }] },
      { name: 'mem', type: 'SCALAR', scalar: { value: 512 } },
    ]);
    expect(decide({ constraints: [], needs: small, role: 'web' }, reserved, []).accepted).toBe(
      true,
    );
    expect(decide({ constraints: [], needs: small, role: 'db' }, reserved, []).accepted).toBe(
      false,
    );
  });
});
