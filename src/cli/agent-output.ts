/**
 * How Agents are printed, the way `kubectl get nodes` prints nodes: NAME, HOSTNAME, STATE
 * (`Active`, `Removed`, with `,Unschedulable` when cordoned), REGION, ZONE, the CPUS and MEM
 * meseta holds on offer from the agent (summed over roles), AGE; `-o wide` adds the Mesos agent
 * id and the attributes (`rack:r1,level:2`). Also the text forms of Mesos attributes and
 * resources that `describe agent` reuses. Pure.
 */
import type { Agent } from '../api/agent.ts';
import type { Attribute, Resource } from '../mesos/types.ts';
import { humanAge } from './age.ts';
import type { ObjectView } from './object-output.ts';

export const AGENT_RESOURCE = 'agent.meseta.io';

/** `Active`, `Removed`, `Unknown` (not reported yet); `,Unschedulable` when cordoned. */
export function agentState(agent: Agent): string {
  const state = agent.status?.state ?? 'Unknown';
  return agent.spec?.unschedulable ? `${state},Unschedulable` : state;
}

/** The sum of the scalar resource `name` over every role and reservation. */
export function offeredScalar(resources: readonly Resource[] | undefined, name: string): number {
  let sum = 0;
  for (const resource of resources ?? []) {
    if (resource.name === name && resource.type === 'SCALAR') sum += resource.scalar?.value ?? 0;
  }
  // Offers carry values like 0.1 + 0.2: round as Mesos does (three decimals).
  return Math.round(sum * 1000) / 1000;
}

/** A Mesos value as Mesos prints it: `2.5`, `[31000-32000,33000-33010]`, `{a,b}`, `text`. */
export function mesosValue(value: Pick<Attribute, 'type' | 'scalar' | 'ranges' | 'set' | 'text'>) {
  switch (value.type) {
    case 'SCALAR':
      return String(value.scalar?.value ?? 0);
    case 'RANGES':
      return `[${(value.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    case 'SET':
      return `{${(value.set?.item ?? []).join(',')}}`;
    case 'TEXT':
      return value.text?.value ?? '';
  }
}

/** `rack:r1,level:2`, or `<none>`. */
export function attributesText(attributes: readonly Attribute[] | undefined): string {
  if (!attributes?.length) return '<none>';
  return attributes.map((a) => `${a.name}:${mesosValue(a)}`).join(',');
}

/**
 * The role a resource is reserved for: the last of its refined `reservations`, else its legacy
 * `reservation`/`role`; `*` when unreserved.
 */
export function reservedRole(resource: Resource): string {
  const refined = resource.reservations?.at(-1)?.role;
  return refined ?? resource.reservation?.role ?? resource.role ?? '*';
}

export const agentView: ObjectView<Agent> = {
  resource: AGENT_RESOURCE,
  listKind: 'AgentList',
  // Agents belong to no namespace: -A changes nothing, as for kubectl's nodes.
  headers: (options) => [
    'NAME',
    'HOSTNAME',
    'STATE',
    'REGION',
    'ZONE',
    'CPUS',
    'MEM',
    'AGE',
    ...(options.wide ? ['AGENT ID', 'ATTRIBUTES'] : []),
  ],
  row: (agent, options) => {
    const status = agent.status;
    return [
      agent.metadata.name,
      status?.hostname ?? '<unknown>',
      agentState(agent),
      status?.domain?.region ?? '<none>',
      status?.domain?.zone ?? '<none>',
      String(offeredScalar(status?.offered, 'cpus')),
      String(offeredScalar(status?.offered, 'mem')),
      humanAge(agent.metadata.creationTimestamp, options.now),
      ...(options.wide ? [status?.agentId ?? '<unknown>', attributesText(status?.attributes)] : []),
    ];
  },
};
