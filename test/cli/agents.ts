/**
 * Seeds a store with what the Mesos bridge would have published: three Agents (one cordoned,
 * one removed, one offering resources under two roles) and Instances bound to them in two
 * namespaces.
 */
import { agentObjectName, type Agent, type AgentStatus } from '../../src/api/agent.ts';
import type { Instance, InstanceStatus } from '../../src/api/instance.ts';
import { agentResource, instanceResource } from '../../src/api/resources.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';

export const AGENT_A = '2f1c9e4a-7b0d-4c55-9d1e-0a6f3b2c8d41-S1';
export const AGENT_B = '2f1c9e4a-7b0d-4c55-9d1e-0a6f3b2c8d41-S2';
export const AGENT_C = '2f1c9e4a-7b0d-4c55-9d1e-0a6f3b2c8d41-S3';

const statuses: [
  string,
  AgentStatus,
  { unschedulable?: boolean; labels?: Record<string, string> },
][] = [
  [
    AGENT_A,
    {
      agentId: AGENT_A,
      hostname: 'node-a.example',
      state: 'Active',
      attributes: [
        { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
        { name: 'level', type: 'SCALAR', scalar: { value: 2 } },
      ],
      domain: { region: 'eu-west', zone: 'eu-west-1a' },
      offered: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 3.5 }, role: '*' },
        { name: 'mem', type: 'SCALAR', scalar: { value: 1024 }, role: '*' },
        {
          name: 'cpus',
          type: 'SCALAR',
          scalar: { value: 0.5 },
          reservations: [{ type: 'STATIC', role: 'web' }],
        },
        {
          name: 'ports',
          type: 'RANGES',
          ranges: {
            range: [
              { begin: '31000', end: '31099' },
              { begin: '31200', end: '31300' },
            ],
          },
        },
      ],
      offeredAt: new Date(Date.now() - 30_000).toISOString(),
      offeredUntil: new Date(Date.now() + 90_000).toISOString(),
      lastSeenAt: new Date(Date.now() - 30_000).toISOString(),
    },
    { labels: { pool: 'general' } },
  ],
  [
    AGENT_B,
    {
      agentId: AGENT_B,
      hostname: 'node-b.example',
      state: 'Active',
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r2' } }],
      domain: { region: 'eu-west', zone: 'eu-west-1b' },
    },
    { unschedulable: true, labels: { pool: 'gpu' } },
  ],
  [AGENT_C, { agentId: AGENT_C, hostname: 'node-c.example', state: 'Removed' }, {}],
];

function instance(
  namespace: string,
  name: string,
  agentId: string | undefined,
  status?: InstanceStatus,
): { instance: Instance; status?: InstanceStatus } {
  const [app, revision] = name.split('-');
  return {
    instance: {
      apiVersion: 'meseta.io/v1',
      kind: 'Instance',
      metadata: { name, namespace },
      spec: {
        app: app!,
        revision: Number(revision),
        goal: 'running',
        ...(agentId ? { agentId, boundAt: new Date().toISOString() } : {}),
      },
    },
    ...(status ? { status } : {}),
  };
}

export async function seedAgents(objects: ObjectStore): Promise<void> {
  for (const [id, status, { unschedulable, labels }] of statuses) {
    const agent: Agent = {
      apiVersion: 'meseta.io/v1',
      kind: 'Agent',
      metadata: { name: agentObjectName(id), ...(labels ? { labels } : {}) },
      ...(unschedulable ? { spec: { unschedulable } } : {}),
    };
    const created = await objects.create(agentResource, agent);
    await objects.updateStatus(agentResource, { ...created, status });
  }
  for (const { instance: i, status } of [
    instance('default', 'web-1-0', AGENT_A, {
      taskId: 't1',
      state: 'TASK_RUNNING',
      healthy: true,
      agentId: AGENT_A,
      hostname: 'node-a.example',
      ports: [31000],
    }),
    instance('shop', 'cart-1-0', AGENT_A),
    instance('default', 'web-1-1', AGENT_B, {
      taskId: 't2',
      state: 'TASK_STAGING',
      agentId: AGENT_B,
    }),
    instance('default', 'web-1-2', undefined),
  ]) {
    const created = await objects.create(instanceResource, i);
    if (status) await objects.updateStatus(instanceResource, { ...created, status });
  }
}
