import { describe, expect, it } from 'vitest';
import type { Agent } from '../../src/api/agent.ts';
import type { AppTemplate } from '../../src/api/app-revision.ts';
import type { Constraint } from '../../src/api/app-types.ts';
import type { Instance } from '../../src/api/instance.ts';
import { placeRound, type RoundInput, type RoundResult } from '../../src/placement/round.ts';
import {
  agentObject,
  instanceObject,
  pendingInstances,
  randomSource,
  templateOf,
} from './cluster-fixtures.ts';

const now = Date.parse('2026-01-01T00:10:00.000Z');

function round(
  agents: Agent[],
  instances: Instance[],
  templates: Record<string, AppTemplate>,
  over: Partial<RoundInput> = {},
): RoundResult {
  return placeRound({
    agents,
    instances,
    template: (_ns, app, revision) => templates[`${app}-${revision}`] ?? templates[app],
    now,
    ...over,
  });
}

function placedOn(result: RoundResult): Record<string, string> {
  return Object.fromEntries(result.bindings.map((b) => [b.instance.metadata.name, b.agentId]));
}

function perAgent(result: RoundResult): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of result.bindings) counts.set(b.agentId, (counts.get(b.agentId) ?? 0) + 1);
  return counts;
}

describe('placeRound', () => {
  it('places pending instances within what each agent offers', () => {
    const agents = [agentObject('A', { cpus: 2 }), agentObject('B', { cpus: 1 })];
    const result = round(agents, pendingInstances('web', 4), { web: templateOf({ cpus: 1 }) });
    expect(result.bindings).toHaveLength(3);
    expect(perAgent(result)).toEqual(
      new Map([
        ['A', 2],
        ['B', 1],
      ]),
    );
    expect(result.apps.get('default/web')).toMatchObject({ placed: 3, unplaced: 1 });
    expect(result.apps.get('default/web')!.message).toBe(
      'no agent can take an instance (2 agents): cpus: need 1, largest offer 0 (2 agents)',
    );
  });

  it('never gives one port to two instances', () => {
    const agents = [agentObject('A', { cpus: 10, ports: [31000, 31004] })];
    const template = templateOf({
      cpus: 0.1,
      portDefinitions: [
        { name: 'a', port: 0, protocol: 'tcp' },
        { name: 'b', port: 0, protocol: 'tcp' },
      ],
    });
    const result = round(agents, pendingInstances('web', 3), { web: template });
    const ports = result.bindings.flatMap((b) => b.ports);
    expect(ports).toEqual([31000, 31001, 31002, 31003]);
    expect(result.apps.get('default/web')!.message).toMatch(/ports: need 2, largest offer 1/);
  });

  it('counts instances bound and awaiting launch against the offer', () => {
    const agents = [agentObject('A', { cpus: 2, offeredAt: '2026-01-01T00:05:00.000Z' })];
    const instances = [
      // Bound a moment ago, not launched: holds 1 cpu the offer still shows.
      instanceObject('web-1-0', { agentId: 'A', boundAt: '2026-01-01T00:09:59.000Z' }),
      // Running since before the offer: the offer already excludes it.
      instanceObject('web-1-1', {
        agentId: 'A',
        status: {
          taskId: 't1',
          state: 'TASK_RUNNING',
          agentId: 'A',
          stagedAt: '2026-01-01T00:01:00.000Z',
          observedGeneration: 1,
        },
      }),
      instanceObject('web-1-2'),
      instanceObject('web-1-3'),
    ];
    const result = round(agents, instances, { web: templateOf({ cpus: 1 }) });
    expect(placedOn(result)).toEqual({ 'web-1-2': 'A' });
    expect(result.apps.get('default/web')!.message).toMatch(/cpus: need 1, largest offer 0/);
  });

  it('gives nothing on an agent whose offer a launch used, until Mesos offers the rest again', () => {
    const staged = (at: string): Partial<Instance['status']> => ({
      taskId: 't1',
      state: 'TASK_STAGING',
      agentId: 'A',
      stagedAt: at,
      observedGeneration: 1,
    });
    const agents = [agentObject('A', { cpus: 8, offeredAt: '2026-01-01T00:05:00.000Z' })];
    const launched = instanceObject('web-1-0', {
      agentId: 'A',
      status: staged('2026-01-01T00:06:00.000Z'),
    });
    const waiting = [launched, instanceObject('web-1-1')];
    const result = round(agents, waiting, { web: templateOf({ cpus: 1 }) });
    expect(result.bindings).toHaveLength(0);
    expect(result.apps.get('default/web')!.message).toBe(
      'no agent can take an instance (1 agent): 1 agent whose offer a launch just used',
    );
    // The next offer (read after that launch) is free again.
    const reoffered = [agentObject('A', { cpus: 7, offeredAt: '2026-01-01T00:07:00.000Z' })];
    expect(placedOn(round(reoffered, waiting, { web: templateOf({ cpus: 1 }) }))).toEqual({
      'web-1-1': 'A',
    });
  });

  it('places again a binding whose agent has no offer left to launch it with', () => {
    // web-1-0 launched on A after A's offer: a round that had not seen it yet bound web-1-1
    // there too. B holds no offer at all. Only C can launch anything now.
    const agents = [
      agentObject('A', { offeredAt: '2026-01-01T00:05:00.000Z' }),
      agentObject('B', { offered: [] }),
      agentObject('C'),
    ];
    const boundAt = '2026-01-01T00:09:59.000Z';
    const instances = [
      instanceObject('web-1-0', {
        agentId: 'A',
        status: {
          taskId: 't0',
          state: 'TASK_STAGING',
          agentId: 'A',
          stagedAt: '2026-01-01T00:06:00.000Z',
          observedGeneration: 1,
        },
      }),
      instanceObject('web-1-1', { agentId: 'A', boundAt }),
      instanceObject('web-1-2', { agentId: 'B', boundAt }),
      instanceObject('web-1-3', { agentId: 'C', boundAt }),
    ];
    expect(placedOn(round(agents, instances, { web: templateOf() }))).toEqual({
      'web-1-1': 'C',
      'web-1-2': 'C',
    });
  });

  it('keeps off an agent whose offer the bridge declines within the margin', () => {
    // Now is 00:10:00; the margin is 2 s.
    const agents = [
      agentObject('A', { offeredUntil: '2026-01-01T00:10:01.500Z' }),
      agentObject('B', { offeredUntil: '2026-01-01T00:10:02.500Z' }),
    ];
    expect(placedOn(round(agents, pendingInstances('web', 1), { web: templateOf() }))).toEqual({
      'web-1-0': 'B',
    });
    const result = round(agents.slice(0, 1), pendingInstances('web', 1), { web: templateOf() });
    expect(result.apps.get('default/web')!.message).toBe(
      'no agent can take an instance (1 agent): 1 agent whose offer is about to be declined',
    );
  });

  it('binds at most maxInstancesPerOffer instances to one offer, counting earlier bindings', () => {
    const agents = [agentObject('A', { cpus: 100 }), agentObject('B', { cpus: 100 })];
    const earlier = [0, 1].map((i) =>
      instanceObject(`web-1-${i}`, { agentId: 'A', boundAt: '2026-01-01T00:09:59.000Z' }),
    );
    const pending = pendingInstances('web', 12).slice(2);
    const result = round(agents, [...earlier, ...pending], { web: templateOf() });
    expect(perAgent(result)).toEqual(
      new Map([
        ['A', 3],
        ['B', 5],
      ]),
    );
    expect(result.apps.get('default/web')!.message).toBe(
      'no agent can take an instance (2 agents): 2 agents with 5 instances awaiting launch already',
    );
    const unlimited = round(agents, pending, { web: templateOf() }, { maxInstancesPerOffer: 8 });
    expect(unlimited.bindings).toHaveLength(10);
  });

  it('packs a burst of many Apps into few offers, each App still spread over agents', () => {
    const agents = Array.from({ length: 40 }, (_, i) => agentObject(`S${i}`, { cpus: 16 }));
    const apps = Array.from({ length: 20 }, (_, i) => `app${i}`);
    const templates = Object.fromEntries(apps.map((app) => [app, templateOf({ cpus: 0.1 })]));
    const result = round(
      agents,
      apps.flatMap((app) => pendingInstances(app, 3)),
      templates,
    );
    expect(result.bindings).toHaveLength(60);
    // 60 instances fill 12 offers of 5 rather than using one slot of each of 40 agents.
    expect(perAgent(result).size).toBe(12);
    for (const app of apps) {
      const mine = result.bindings.filter((b) => b.instance.spec.app === app);
      expect(new Set(mine.map((b) => b.agentId)).size, app).toBe(3);
    }
  });

  it('places a binding again once it has waited too long, or its agent went away', () => {
    const agents = [agentObject('A'), agentObject('B', { unschedulable: true })];
    const instances = [
      instanceObject('web-1-0', { agentId: 'A', boundAt: '2026-01-01T00:09:00.000Z' }),
      instanceObject('web-1-1', { agentId: 'A', boundAt: '2026-01-01T00:09:50.000Z' }),
      instanceObject('web-1-2', { agentId: 'B', boundAt: '2026-01-01T00:09:50.000Z' }),
      instanceObject('web-1-3', { agentId: 'gone', boundAt: '2026-01-01T00:09:50.000Z' }),
    ];
    const result = round(agents, instances, { web: templateOf() });
    expect(placedOn(result)).toEqual({ 'web-1-0': 'A', 'web-1-2': 'A', 'web-1-3': 'A' });
  });

  it('places an instance whose launched binding ended (same generation), not one with a live task', () => {
    const agents = [agentObject('A')];
    const instances = [
      instanceObject('web-1-0', {
        agentId: 'A',
        generation: 2,
        status: { taskId: 't', state: 'TASK_FAILED', observedGeneration: 2, agentId: 'A' },
      }),
      instanceObject('web-1-1', {
        agentId: 'A',
        generation: 2,
        status: { taskId: 't', state: 'TASK_RUNNING', observedGeneration: 2, agentId: 'A' },
      }),
      instanceObject('web-1-2', { goal: 'stopped' }),
    ];
    expect(placedOn(round(agents, instances, { web: templateOf() }))).toEqual({ 'web-1-0': 'A' });
  });

  it('gives nothing to cordoned or removed agents, and says so', () => {
    const agents = [agentObject('A', { unschedulable: true }), agentObject('B', { removed: true })];
    const result = round(agents, pendingInstances('web', 1), { web: templateOf() });
    expect(result.bindings).toEqual([]);
    expect(result.apps.get('default/web')!.message).toBe(
      'no agent can take an instance (1 agent): 1 agent cordoned (spec.unschedulable)',
    );
  });

  it('keeps GPU agents for GPU apps and GPU apps on GPU agents', () => {
    const agents = [agentObject('G', { gpus: 2 }), agentObject('C')];
    const result = round(agents, [...pendingInstances('cpu', 2), ...pendingInstances('gpu', 3)], {
      cpu: templateOf(),
      gpu: templateOf({ gpus: 1 }),
    });
    const on = placedOn(result);
    expect(on['cpu-1-0']).toBe('C');
    expect(on['cpu-1-1']).toBe('C');
    expect(on['gpu-1-0']).toBe('G');
    expect(on['gpu-1-1']).toBe('G');
    expect(result.apps.get('default/gpu')!.message).toBe(
      'no agent can take an instance (2 agents): gpus: need 1, 1 agent without GPUs; gpus: need 1, largest offer 0 (1 agent)',
    );
  });

  it('counts only the instances of the same revision', () => {
    const agents = [agentObject('A'), agentObject('B')];
    const unique: Constraint[] = [{ field: 'hostname', operator: 'UNIQUE' }];
    const instances = [
      instanceObject('web-1-0', {
        revision: 1,
        agentId: 'A',
        status: { taskId: 't', state: 'TASK_RUNNING', agentId: 'A', observedGeneration: 1 },
      }),
      ...pendingInstances('web', 2, 2),
    ];
    const result = round(agents, instances, {
      'web-1': templateOf({ constraints: unique }),
      'web-2': templateOf({ constraints: unique }),
    });
    expect(Object.values(placedOn(result)).sort()).toEqual(['A', 'B']);
  });

  it('explains UNIQUE as the issue words it', () => {
    const agents = ['A', 'B', 'C', 'D', 'E'].map((id) => agentObject(id));
    const result = round(agents, pendingInstances('web', 6), {
      web: templateOf({ constraints: [{ field: 'hostname', operator: 'UNIQUE' }] }),
    });
    expect(result.bindings).toHaveLength(5);
    expect(result.apps.get('default/web')).toMatchObject({
      placed: 5,
      unplaced: 1,
      message:
        'no agent can take an instance (5 agents): UNIQUE hostname: all 5 agents already run an instance',
    });
  });

  it('spreads GROUP_BY over every value the cluster has, even without offers from it', () => {
    const agents = [
      agentObject('A1', { attributes: { rack: 'a' } }),
      agentObject('A2', { attributes: { rack: 'a' } }),
      agentObject('B1', { attributes: { rack: 'b' } }),
      agentObject('C1', { attributes: { rack: 'c' }, offered: [] }),
    ];
    const result = round(agents, pendingInstances('web', 4), {
      web: templateOf({ constraints: [{ field: 'rack', operator: 'GROUP_BY' }] }),
    });
    // Rack c has no offer now: a and b get one each, then the round waits for c.
    expect(result.bindings).toHaveLength(2);
    expect(new Set(result.bindings.map((b) => b.agentId.slice(0, 1)))).toEqual(new Set(['A', 'B']));
    expect(result.apps.get('default/web')!.message).toMatch(
      /GROUP_BY rack: 3 agents are in a rack with more instances than another; 1 agent with no offer held/,
    );
  });

  it('is fair between Apps: a big App does not starve a small one', () => {
    const agents = [agentObject('A', { cpus: 10 })];
    const result = round(
      agents,
      [...pendingInstances('big', 100), ...pendingInstances('small', 3)],
      {
        big: templateOf(),
        small: templateOf(),
      },
      { maxInstancesPerOffer: Infinity },
    );
    expect(result.apps.get('default/small')).toMatchObject({ placed: 3, unplaced: 0 });
    expect(result.apps.get('default/big')).toMatchObject({ placed: 7, unplaced: 93 });
  });

  it('reports an unknown revision', () => {
    const result = round([agentObject('A')], pendingInstances('web', 2), {});
    expect(result.apps.get('default/web')).toMatchObject({
      unplaced: 2,
      message: 'revision 1 of the App is not known',
    });
  });

  it('with CLUSTER and no value, puts every instance with the first', () => {
    const agents = [
      agentObject('A1', { attributes: { rack: 'a' }, cpus: 1 }),
      agentObject('A2', { attributes: { rack: 'a' }, cpus: 1 }),
      agentObject('B1', { attributes: { rack: 'b' }, cpus: 8 }),
    ];
    const result = round(agents, pendingInstances('web', 4), {
      web: templateOf({ constraints: [{ field: 'rack', operator: 'CLUSTER' }] }),
    });
    const racks = new Set(result.bindings.map((b) => b.agentId.slice(0, 1)));
    expect(racks.size).toBe(1);
  });
});

describe('placeRound: operators in the round', () => {
  const racks = (spec: Record<string, string>) =>
    Object.entries(spec).map(([id, rack]) => agentObject(id, { attributes: { rack } }));

  it('GROUP_BY with a count larger than the values the cluster has uses each value once', () => {
    const result = round(racks({ A1: 'a', A2: 'a', B1: 'b' }), pendingInstances('web', 3), {
      web: templateOf({ constraints: [{ field: 'rack', operator: 'GROUP_BY', value: '3' }] }),
    });
    expect(result.bindings).toHaveLength(2);
    expect(result.apps.get('default/web')!.message).toMatch(
      /GROUP_BY rack:3: the cluster has fewer than 3 values of rack, and all 3 agents are in one already used/,
    );
  });

  it('MAX_PER on an attribute caps each value', () => {
    const result = round(
      racks({ A1: 'a', A2: 'a', A3: 'a', B1: 'b' }),
      pendingInstances('web', 5),
      {
        web: templateOf({ constraints: [{ field: 'rack', operator: 'MAX_PER', value: '2' }] }),
      },
    );
    const perRack = new Map<string, number>();
    for (const b of result.bindings) {
      const rack = b.agentId.startsWith('A') ? 'a' : 'b';
      perRack.set(rack, (perRack.get(rack) ?? 0) + 1);
    }
    expect(perRack).toEqual(
      new Map([
        ['a', 2],
        ['b', 2],
      ]),
    );
    expect(result.apps.get('default/web')!.message).toBe(
      'no agent can take an instance (4 agents): MAX_PER rack:2: all 4 agents are in a rack with 2 instances already',
    );
  });

  it('filters with LIKE, UNLIKE (missing allowed) and IS, and says how many each refused', () => {
    const agents = [
      agentObject('A1', { attributes: { rack: 'a' } }),
      agentObject('B1', { attributes: { rack: 'b' } }),
      agentObject('N1'),
    ];
    const only = (constraints: Constraint[]) =>
      round(agents, pendingInstances('web', 3), { web: templateOf({ cpus: 4, constraints }) });
    expect(
      only([{ field: 'rack', operator: 'UNLIKE', value: 'a' }])
        .bindings.map((b) => b.agentId)
        .sort(),
    ).toEqual(['B1', 'N1']);
    expect(
      only([{ field: 'rack', operator: 'IS', value: 'a' }]).bindings.map((b) => b.agentId),
    ).toEqual(['A1']);
    expect(
      only([{ field: 'rack', operator: 'LIKE', value: '[ab]' }]).apps.get('default/web')!.message,
    ).toBe(
      'no agent can take an instance (3 agents): cpus: need 4, largest offer 0 (2 agents); LIKE rack "[ab]": 1 agent lacks rack',
    );
  });

  it('an invalid constraint refuses every agent and says why', () => {
    const result = round([agentObject('A')], pendingInstances('web', 1), {
      web: templateOf({ constraints: [{ field: 'rack', operator: 'LIKE', value: '(' }] }),
    });
    expect(result.bindings).toEqual([]);
    expect(result.apps.get('default/web')!.message).toMatch(
      /^no agent can take an instance \(1 agent\): LIKE rack "\(": /,
    );
  });

  it('balances two GROUP_BY fields at once when the cluster allows', () => {
    const agents: Agent[] = [];
    for (const rack of ['a', 'b']) {
      for (const zone of ['z1', 'z2'])
        agents.push(agentObject(`${rack}${zone}`, { attributes: { rack }, zone, cpus: 8 }));
    }
    const result = round(agents, pendingInstances('web', 8), {
      web: templateOf({
        constraints: [
          { field: 'rack', operator: 'GROUP_BY' },
          { field: '@zone', operator: 'GROUP_BY' },
        ],
      }),
    });
    expect(perAgent(result)).toEqual(new Map(agents.map((a) => [a.status!.agentId, 2])));
  });

  it('places a GPU app with fixed ports only where they are offered', () => {
    const agents = [
      agentObject('G1', { gpus: 1, ports: [9000, 9000] }),
      agentObject('G2', { gpus: 1, ports: [31000, 31010] }),
    ];
    const result = round(agents, pendingInstances('ml', 2), {
      ml: templateOf({
        gpus: 1,
        requirePorts: true,
        portDefinitions: [{ name: 'p', port: 9000, protocol: 'tcp' }],
      }),
    });
    expect(placedOn(result)).toEqual({ 'ml-1-0': 'G1' });
    expect(result.bindings[0]!.ports).toEqual([9000]);
    expect(result.apps.get('default/ml')!.message).toMatch(
      /gpus: need 1, largest offer 0 \(1 agent\); ports: 9000 not offered \(1 agent\)|ports: 9000 not offered \(1 agent\); gpus: need 1, largest offer 0 \(1 agent\)/,
    );
  });
});

describe('placeRound: properties over random clusters', () => {
  const operators: Constraint['operator'][] = [
    'UNIQUE',
    'CLUSTER',
    'GROUP_BY',
    'MAX_PER',
    'LIKE',
    'UNLIKE',
    'IS',
  ];

  function randomConstraint(random: () => number): Constraint {
    const field = ['hostname', 'rack', 'zone', '@zone'][Math.floor(random() * 4)]!;
    const operator = operators[Math.floor(random() * operators.length)]!;
    switch (operator) {
      case 'MAX_PER':
        return { field, operator, value: String(1 + Math.floor(random() * 3)) };
      case 'LIKE':
      case 'UNLIKE':
        return { field, operator, value: random() < 0.5 ? '.*1' : '(r|z)[0-2]' };
      case 'IS':
        return { field, operator, value: random() < 0.5 ? 'r1' : 'z2' };
      case 'CLUSTER':
        return random() < 0.5 ? { field, operator } : { field, operator, value: 'r2' };
      case 'GROUP_BY':
        return random() < 0.7 ? { field, operator } : { field, operator, value: '2' };
      default:
        return { field, operator };
    }
  }

  function valueOf(agent: Agent, field: string): string | undefined {
    if (field === 'hostname' || field === '@hostname') return agent.status!.hostname;
    if (field === '@zone') return agent.status!.domain?.zone;
    const attribute = agent.status!.attributes?.find((a) => a.name === field);
    return attribute?.text?.value;
  }

  it('never violates a constraint or over-commits an agent (200 random clusters)', () => {
    let placed = 0;
    let refused = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const random = randomSource(seed);
      const agentCount = 1 + Math.floor(random() * 25);
      const agents = Array.from({ length: agentCount }, (_, i) =>
        agentObject(`S${i}`, {
          cpus: Math.round(random() * 40) / 10,
          mem: 512 + Math.floor(random() * 2048),
          ports: [31000, 31000 + Math.floor(random() * 4)],
          ...(random() < 0.8 ? { attributes: { rack: `r${Math.floor(random() * 4)}` } } : {}),
          ...(random() < 0.7 ? { zone: `z${Math.floor(random() * 3)}` } : {}),
          ...(random() < 0.1 ? { unschedulable: true } : {}),
        }),
      );
      const templates: Record<string, AppTemplate> = {};
      const instances: Instance[] = [];
      const appCount = 1 + Math.floor(random() * 4);
      for (let a = 0; a < appCount; a++) {
        const constraints = Array.from({ length: Math.floor(random() * 3) }, () =>
          randomConstraint(random),
        );
        templates[`app${a}`] = templateOf({
          cpus: 0.1 + Math.round(random() * 10) / 10,
          mem: 64,
          constraints,
          portDefinitions: random() < 0.5 ? [{ name: 'p', port: 0, protocol: 'tcp' }] : [],
        });
        instances.push(...pendingInstances(`app${a}`, 1 + Math.floor(random() * 12)));
      }
      const result = round(agents, instances, templates);
      const byId = new Map(agents.map((a) => [a.status!.agentId, a]));
      placed += result.bindings.length;
      refused += instances.length - result.bindings.length;

      // No agent is over-committed, and no port is handed out twice on one agent.
      const used = new Map<string, { cpus: number; mem: number; ports: Set<number> }>();
      for (const b of result.bindings) {
        const t = templates[b.instance.spec.app]!;
        const u = used.get(b.agentId) ?? { cpus: 0, mem: 0, ports: new Set<number>() };
        u.cpus += t.cpus;
        u.mem += t.mem;
        for (const p of b.ports) {
          expect(u.ports.has(p), `seed ${seed}: port ${p} twice on ${b.agentId}`).toBe(false);
          u.ports.add(p);
        }
        used.set(b.agentId, u);
        expect(byId.get(b.agentId)!.spec?.unschedulable, `seed ${seed}`).not.toBe(true);
      }
      for (const [id, u] of used) {
        const offered = byId.get(id)!.status!.offered!;
        const cpus = offered.find((r) => r.name === 'cpus')!.scalar!.value;
        expect(u.cpus, `seed ${seed}: cpus on ${id}`).toBeLessThanOrEqual(cpus + 1e-9);
      }

      // Every constraint holds for each app's placement, replayed in binding order.
      for (const [app, template] of Object.entries(templates)) {
        const mine = result.bindings.filter((b) => b.instance.spec.app === app);
        for (const c of template.constraints ?? []) {
          const values = mine.map((b) => valueOf(byId.get(b.agentId)!, c.field));
          const where = `seed ${seed}: ${app} ${c.field} ${c.operator} ${c.value ?? ''}: ${values.join(',')}`;
          if (c.operator !== 'UNLIKE')
            expect(
              values.every((v) => v !== undefined),
              where,
            ).toBe(true);
          const counts = new Map<string | undefined, number>();
          for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
          switch (c.operator) {
            case 'UNIQUE':
              expect(
                [...counts.values()].every((n) => n === 1),
                where,
              ).toBe(true);
              break;
            case 'MAX_PER':
              expect(
                [...counts.values()].every((n) => n <= Number(c.value)),
                where,
              ).toBe(true);
              break;
            case 'CLUSTER':
              expect(counts.size, where).toBeLessThanOrEqual(1);
              if (c.value !== undefined && values.length > 0)
                expect(values[0], where).toBe(c.value);
              break;
            case 'LIKE':
              expect(
                values.every((v) => new RegExp(`^(?:${c.value})$`).test(v!)),
                where,
              ).toBe(true);
              break;
            case 'UNLIKE':
              expect(
                values.every((v) => v === undefined || !new RegExp(`^(?:${c.value})$`).test(v)),
                where,
              ).toBe(true);
              break;
            case 'IS':
              expect(
                values.every((v) => v === c.value),
                where,
              ).toBe(true);
              break;
            default:
              break;
          }
        }
      }
    }
    // The clusters are mixed enough that both outcomes occur often.
    expect(placed).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it('keeps GROUP_BY groups within one of each other when agents suffice', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = randomSource(seed * 7919);
      const racks = 2 + Math.floor(random() * 5);
      const agents = Array.from({ length: racks * (1 + Math.floor(random() * 4)) }, (_, i) =>
        agentObject(`S${i}`, { cpus: 64, mem: 65536, attributes: { rack: `r${i % racks}` } }),
      );
      const count = 1 + Math.floor(random() * 60);
      const result = round(
        agents,
        pendingInstances('web', count),
        {
          web: templateOf({ cpus: 0.5, constraints: [{ field: 'rack', operator: 'GROUP_BY' }] }),
        },
        { maxInstancesPerOffer: Infinity },
      );
      expect(result.bindings).toHaveLength(count);
      const perRack = new Map<string, number>();
      for (let r = 0; r < racks; r++) perRack.set(`r${r}`, 0);
      for (const b of result.bindings) {
        const rack = `r${Number(b.agentId.slice(1)) % racks}`;
        perRack.set(rack, perRack.get(rack)! + 1);
      }
      const counts = [...perRack.values()];
      expect(Math.max(...counts) - Math.min(...counts), `seed ${seed}`).toBeLessThanOrEqual(1);
    }
  });
});
