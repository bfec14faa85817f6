/**
 * Placement end to end against meseta's Mesos simulator: a cluster with racks, zones and two
 * instance types (GPU and not) offers its resources; the offers become Agent objects the way the
 * bridge publishes them; a round places three Apps under their constraints; then each binding
 * is launched on the held offers with the exact resources `OfferedResources.fit` returns, and the
 * simulator (which checks every ACCEPT against the offers) runs them all.
 */
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../src/api/agent.ts';
import type { AppTemplate } from '../../src/api/app-revision.ts';
import { VirtualClock } from '../../src/clock.ts';
import type { Event } from '../../src/mesos/scheduler-types.ts';
import type { Offer, TaskInfo } from '../../src/mesos/types.ts';
import { placeRound } from '../../src/placement/round.ts';
import { needsOf, OfferedResources } from '../../src/placement/resources.ts';
import { generateCluster } from '../../src/sim/cluster.ts';
import { Master } from '../../src/sim/master.ts';
import type { Subscriber } from '../../src/sim/state.ts';
import { pendingInstances, templateOf } from './cluster-fixtures.ts';

function agentsFromOffers(offers: Offer[]): Agent[] {
  const byAgent = new Map<string, Offer[]>();
  for (const offer of offers) {
    const list = byAgent.get(offer.agent_id.value) ?? [];
    list.push(offer);
    byAgent.set(offer.agent_id.value, list);
  }
  return [...byAgent].map(([agentId, held]) => {
    const domain = held[0]!.domain?.fault_domain;
    return {
      apiVersion: 'meseta.io/v1',
      kind: 'Agent',
      metadata: { name: agentId.toLowerCase() },
      spec: {},
      status: {
        agentId,
        hostname: held[0]!.hostname,
        state: 'Active',
        attributes: held[0]!.attributes ?? [],
        ...(domain ? { domain: { region: domain.region.name, zone: domain.zone.name } } : {}),
        offered: held.flatMap((o) => o.resources ?? []),
        offeredAt: '2026-01-01T00:00:00.000Z',
      },
    };
  });
}

describe('placement against the simulator', () => {
  it('places under constraints, and the simulator accepts every launch built from the fits', () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const master = new Master({ clock, seed: 7, allocationIntervalMs: 1000 });
    const general = generateCluster({ agents: 9, racks: 3, zones: 3, cpus: 4, mem: 8192 }).agents;
    const gpu = generateCluster({
      agents: 3,
      racks: 3,
      zones: 3,
      cpus: 8,
      mem: 16384,
      gpus: 2,
    }).agents;
    general.forEach((spec) =>
      spec.attributes.push({ name: 'instance_type', type: 'TEXT', text: { value: 'm5.xlarge' } }),
    );
    gpu.forEach((spec, i) => {
      spec.hostname = `gpu-${i + 1}`;
      spec.attributes.push({
        name: 'instance_type',
        type: 'TEXT',
        text: { value: 'g4dn.2xlarge' },
      });
    });
    for (const spec of [...general, ...gpu]) master.addAgent(spec);
    master.start();

    const offers: Offer[] = [];
    const updates: Event[] = [];
    const subscriber: Subscriber = {
      streamId: 'placement-test',
      send: (event) => {
        if (event.type === 'OFFERS') offers.push(...event.offers!.offers!);
        if (event.type === 'UPDATE') updates.push(event);
      },
      close: () => {},
    };
    master.subscribe(
      {
        framework_info: { user: 'test', name: 'meseta', capabilities: [{ type: 'GPU_RESOURCES' }] },
      },
      subscriber,
    );
    const framework = [...master.listFrameworks()][0]!;
    clock.advance(0);
    expect(new Set(offers.map((o) => o.agent_id.value)).size).toBe(12);

    const agents = agentsFromOffers(offers);
    const templates: Record<string, AppTemplate> = {
      web: templateOf({
        cpus: 1,
        mem: 512,
        portDefinitions: [{ name: 'http', port: 0, protocol: 'tcp' }],
        constraints: [
          { field: '@zone', operator: 'GROUP_BY' },
          { field: 'hostname', operator: 'MAX_PER', value: '1' },
        ],
      }),
      ml: templateOf({
        cpus: 2,
        mem: 4096,
        gpus: 1,
        constraints: [{ field: 'instance_type', operator: 'LIKE', value: 'g4dn\\..*' }],
      }),
      batch: templateOf({
        cpus: 1,
        mem: 256,
        constraints: [{ field: 'rack', operator: 'CLUSTER', value: 'rack-2' }],
      }),
    };
    const instances = [
      ...pendingInstances('web', 9),
      ...pendingInstances('ml', 4),
      ...pendingInstances('batch', 8),
    ];
    const result = placeRound({
      agents,
      instances,
      template: (_ns, app) => templates[app],
      now: clock.now(),
    });
    const byId = new Map(agents.map((a) => [a.status!.agentId, a]));
    const where = (app: string) =>
      result.bindings.filter((b) => b.instance.spec.app === app).map((b) => byId.get(b.agentId)!);

    // web: one per host, three per zone, never on a GPU agent.
    const web = where('web');
    expect(web).toHaveLength(9);
    expect(new Set(web.map((a) => a.status!.hostname)).size).toBe(9);
    const zones = new Map<string, number>();
    for (const a of web)
      zones.set(a.status!.domain!.zone!, (zones.get(a.status!.domain!.zone!) ?? 0) + 1);
    expect([...zones.values()]).toEqual([3, 3, 3]);
    expect(web.every((a) => !a.status!.hostname.startsWith('gpu'))).toBe(true);
    // ml: on GPU agents only (two GPUs each, so all four fit).
    expect(where('ml').every((a) => a.status!.hostname.startsWith('gpu'))).toBe(true);
    expect(where('ml')).toHaveLength(4);
    // batch: only rack-2's general agents (3 of them, 4 cpus each, one taken by web): 8 fit.
    const batch = where('batch');
    expect(batch).toHaveLength(8);
    expect(batch.every((a) => a.status!.attributes!.some((x) => x.text?.value === 'rack-2'))).toBe(
      true,
    );

    // Launch every binding on its agent's held offers, with the fitted resources.
    const views = new Map(
      agents.map((a) => [a.status!.agentId, OfferedResources.from(a.status!.offered)]),
    );
    const tasks = new Map<string, TaskInfo[]>();
    for (const binding of result.bindings) {
      const view = views.get(binding.agentId)!;
      const fit = view.fitTask(needsOf(templates[binding.instance.spec.app]!), '*');
      if (!fit.ok) throw new Error(fit.shortages.map((s) => s.message).join('; '));
      view.take(fit);
      const list = tasks.get(binding.agentId) ?? [];
      list.push({
        name: binding.instance.metadata.name,
        task_id: { value: binding.instance.metadata.name },
        agent_id: { value: binding.agentId },
        resources: fit.resources,
        command: { value: 'serve' },
      });
      tasks.set(binding.agentId, list);
    }
    for (const [agentId, list] of tasks) {
      master.handle(framework, {
        type: 'ACCEPT',
        framework_id: { value: framework.id },
        accept: {
          offer_ids: offers.filter((o) => o.agent_id.value === agentId).map((o) => o.id),
          operations: [{ type: 'LAUNCH', launch: { task_infos: list } }],
        },
      });
    }
    const running = new Set<string>();
    const failed: string[] = [];
    for (let step = 0; step < 200 && running.size < result.bindings.length; step++) {
      clock.advance(100);
      for (const event of updates.splice(0)) {
        const status = event.update!.status;
        if (status.state === 'TASK_RUNNING') running.add(status.task_id.value);
        if (status.state === 'TASK_ERROR' || status.state === 'TASK_FAILED') {
          failed.push(`${status.task_id.value}: ${status.message}`);
        }
        if (status.uuid) {
          master.handle(framework, {
            type: 'ACKNOWLEDGE',
            framework_id: { value: framework.id },
            acknowledge: { agent_id: status.agent_id!, task_id: status.task_id, uuid: status.uuid },
          });
        }
      }
    }
    master.stop();
    expect(failed).toEqual([]);
    expect(running.size).toBe(21);
  });
});
