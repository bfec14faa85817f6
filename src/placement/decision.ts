/**
 * The placement decision for one instance and one agent, as a pure function: given the App
 * revision's constraints and needs, the agents its counted instances run on, and the agent with
 * what it has free → accept (with the resources it would get) or reject with every reason.
 *
 * This is the reference statement of the rules; the round (round.ts) applies the same rules
 * (the same `judge`, `OfferedResources`) with indexes, over many instances and agents at once.
 */
import type { Constraint } from '../api/app-types.ts';
import {
  compileConstraints,
  describeCause,
  judge,
  type CompiledConstraint,
  type FieldCounts,
} from './constraints.ts';
import { fieldValue, type AgentFacts } from './fields.ts';
import type { Fit, OfferedResources, TaskNeeds } from './resources.ts';

export interface DecisionRequest {
  constraints: readonly Constraint[] | undefined;
  needs: TaskNeeds;
  /** The framework's Mesos role. Default `*`. */
  role?: string;
}

export interface Candidate extends AgentFacts {
  /** What the agent has free for the instance. */
  offered: OfferedResources;
  /** Whether the agent has GPUs (GPU agents are kept for apps that need them). */
  gpus?: boolean;
  unschedulable?: boolean;
}

export type Decision = { accepted: true; fit: Fit } | { accepted: false; reasons: string[] };

/**
 * @param placed the agents the counted instances run on, one entry per instance (instances of
 *   the same App revision with goal running, bound or with a live task)
 * @param cluster the agents of the cluster, for GROUP_BY's values; default `placed` and `agent`
 */
export function decide(
  request: DecisionRequest,
  agent: Candidate,
  placed: readonly AgentFacts[],
  cluster: readonly AgentFacts[] = [...placed, agent],
): Decision {
  const reasons: string[] = [];
  if (agent.unschedulable) reasons.push('the agent is cordoned (spec.unschedulable)');
  const { needs } = request;
  if (needs.gpus > 0 && !agent.gpus) reasons.push(`gpus: need ${needs.gpus}, the agent has none`);
  if (needs.gpus === 0 && agent.gpus)
    reasons.push('the agent has GPUs, kept for apps that need GPUs');
  for (const c of compileConstraints(request.constraints)) {
    const counts = countsOf(c, placed);
    const domain = c.operator === 'GROUP_BY' ? domainOf(c, counts, cluster) : undefined;
    const cause = judge(c, fieldValue(agent, c.field), counts, domain);
    if (cause !== undefined) reasons.push(describeCause(c, cause, 1, 1, counts));
  }
  const fit = agent.offered.fitTask(needs, request.role ?? '*');
  if (!fit.ok) reasons.push(...fit.shortages.map((s) => s.message));
  return reasons.length === 0 && fit.ok ? { accepted: true, fit } : { accepted: false, reasons };
}

function countsOf(constraint: CompiledConstraint, placed: readonly AgentFacts[]): FieldCounts {
  const byValue = new Map<string, number>();
  for (const agent of placed) {
    const value = fieldValue(agent, constraint.field);
    if (value !== undefined) byValue.set(value, (byValue.get(value) ?? 0) + 1);
  }
  return { byValue, placed: placed.length };
}

function domainOf(
  constraint: CompiledConstraint,
  counts: FieldCounts,
  cluster: readonly AgentFacts[],
): { size: number; min: number } {
  const values = new Set<string>();
  for (const agent of cluster) {
    const value = fieldValue(agent, constraint.field);
    if (value !== undefined) values.add(value);
  }
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) min = Math.min(min, counts.byValue.get(value) ?? 0);
  return { size: values.size, min: Number.isFinite(min) ? min : 0 };
}
