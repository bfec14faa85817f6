/**
 * `meseta describe agent NAME...` (NAME is the object name or the Mesos agent id): a person's
 * view of an Agent, as `kubectl describe node` gives one — identity, state and whether new
 * instances may be placed there, fault domain, attributes, the resources meseta holds on offer
 * from it (each with its role and reservation, port ranges included), and the instances bound
 * to it or running there, of every namespace. However many agents are named, instances are
 * read once (one ranged read of all namespaces) and grouped by agent id.
 */
import type { Command } from 'commander';
import { agentObjectName, type Agent } from '../api/agent.ts';
import type { Instance } from '../api/instance.ts';
import { agentResource, instanceResource } from '../api/resources.ts';
import { UsageError } from '../errors.ts';
import { humanAge } from './age.ts';
import { AGENT_RESOURCE, agentState, mesosValue, reservedRole } from './agent-output.ts';
import { withSession } from './connection.ts';
import { DescribeText, pairs } from './describe-text.ts';
import { instanceHealthy, instancePorts, instanceState } from './instance-output.ts';
import { Exit, ExitCode } from './main.ts';
import { resourceArguments } from './resource-arg.ts';

/** Runs `describe agent NAME...` with the words and flags of `command`. */
export async function runDescribeAgents(words: string[], command: Command): Promise<void> {
  const { names } = resourceArguments(words);
  if (names.length === 0) throw new UsageError('say which agent: describe agent NAME');
  const missing = await withSession(command, async (session) => {
    const agents = await Promise.all(
      names.map((name) => session.objects.get(agentResource, { name: agentObjectName(name) })),
    );
    const instancesOn = agents.some(Boolean)
      ? groupByAgent((await session.objects.list(instanceResource, {})).items)
      : new Map<string, Instance[]>();
    let notFound = false;
    let printed = 0;
    for (const [i, agent] of agents.entries()) {
      if (!agent) {
        notFound = true;
        process.stderr.write(`error: ${AGENT_RESOURCE} "${names[i]}" not found\n`);
        continue;
      }
      if (printed++ > 0) process.stdout.write('\n');
      const id = agent.status?.agentId;
      const instances = id !== undefined ? (instancesOn.get(id) ?? []) : [];
      process.stdout.write(describeAgent(agent, Date.now(), instances));
    }
    return notFound;
  });
  if (missing) throw new ExitCode(Exit.failed);
}

/** Instances by the agent they are bound to, or whose task the bridge last saw there. */
function groupByAgent(instances: readonly Instance[]): Map<string, Instance[]> {
  const byAgent = new Map<string, Instance[]>();
  const add = (agentId: string | undefined, instance: Instance) => {
    if (agentId === undefined) return;
    const list = byAgent.get(agentId);
    if (!list) byAgent.set(agentId, [instance]);
    else if (list.at(-1) !== instance) list.push(instance);
  };
  for (const instance of instances) {
    add(instance.spec.agentId, instance);
    if (instance.status?.agentId !== instance.spec.agentId) add(instance.status?.agentId, instance);
  }
  return byAgent;
}

/** The text `describe` prints for one Agent and the instances on it. Pure. */
export function describeAgent(agent: Agent, now: number, instances: readonly Instance[]): string {
  const status = agent.status;
  const out = new DescribeText();
  const when = (iso: string | undefined) =>
    iso ? `${iso} (${humanAge(iso, now)} ago)` : '<unknown>';
  out.field('Name', agent.metadata.name);
  out.field('Agent ID', status?.agentId ?? '<unknown>');
  out.field('Hostname', status?.hostname ?? '<unknown>');
  out.field('State', agentState(agent));
  out.field(
    'Schedulable',
    agent.spec?.unschedulable ? 'no (spec.unschedulable: no new instances are placed here)' : 'yes',
  );
  out.list('Labels', pairs(agent.metadata.labels));
  out.field('Created', when(agent.metadata.creationTimestamp));
  if (status?.lastSeenAt) out.field('Last offer', when(status.lastSeenAt));
  if (status?.removedAt) out.field('Removed', when(status.removedAt));
  const domain = status?.domain;
  out.field(
    'Domain',
    domain?.region || domain?.zone
      ? `region ${domain.region ?? '<none>'}, zone ${domain.zone ?? '<none>'}`
      : '<none>',
  );
  const attributes = status?.attributes ?? [];
  out.list(
    'Attributes',
    attributes.map((a) => `${a.name}:${mesosValue(a)}`),
  );
  const offered = status?.offered ?? [];
  if (offered.length > 0 && status?.offeredAt) out.field('Offered at', when(status.offeredAt));
  // When the bridge declines what it holds unless a launch uses it first.
  if (offered.length > 0 && status?.offeredUntil) {
    const until = status.offeredUntil;
    const ahead = Date.parse(until) > now;
    out.field(
      'Offered until',
      ahead
        ? `${until} (in ${humanAge(new Date(now).toISOString(), Date.parse(until))})`
        : when(until),
    );
  }
  out.section(
    'Offered',
    ['RESOURCE', 'ROLE', 'VALUE'],
    offered.map((r) => [r.name, reservedRole(r), mesosValue(r)]),
  );
  out.section(
    'Instances',
    ['NAMESPACE', 'NAME', 'APP', 'REVISION', 'GOAL', 'STATE', 'HEALTHY', 'PORTS'],
    instances.map((i) => [
      i.metadata.namespace ?? '',
      i.metadata.name,
      i.spec.app,
      String(i.spec.revision),
      i.spec.goal,
      instanceState(i),
      instanceHealthy(i),
      instancePorts(i),
    ]),
  );
  return out.toString();
}
