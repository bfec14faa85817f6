/**
 * An Agent as placement sees it in one round: its identity and facts, whether it may receive new
 * instances at all, and a mutable view of what it has free (offered, minus what was bound there
 * and is not reflected in the offer yet, minus what this round binds). Field values are rendered
 * once per slot and remembered.
 */
import type { Agent } from '../api/agent.ts';
import { agentFacts, type AgentFacts } from './fields.ts';
import { OfferedResources } from './resources.ts';

/** Why an agent gets nothing, whatever the App: cordoned or gone. */
export type Standing = 'ok' | 'unschedulable' | 'removed';

export function agentStanding(agent: Agent): Standing {
  if (agent.status?.state === 'Removed') return 'removed';
  return agent.spec?.unschedulable ? 'unschedulable' : 'ok';
}

export class AgentSlot {
  readonly agentId: string;
  readonly name: string;
  readonly facts: AgentFacts;
  readonly standing: Standing;
  #offered: OfferedResources | undefined;
  /** Whether anything is on offer from the agent now. */
  readonly hasOffers: boolean;
  /** GPU agents are kept for apps that need GPUs. */
  readonly gpus: boolean;
  /** When `offered` was set (ms since the epoch); NaN when unknown. */
  readonly offeredAt: number;

  constructor(
    readonly index: number,
    readonly agent: Agent,
  ) {
    const status = agent.status;
    this.agentId = status?.agentId ?? agent.metadata.name;
    this.name = agent.metadata.name;
    this.facts = agentFacts(agent);
    this.standing = agentStanding(agent);
    this.hasOffers = (status?.offered?.length ?? 0) > 0;
    this.gpus = (status?.offered ?? []).some(
      (r) => r.name === 'gpus' && r.type === 'SCALAR' && (r.scalar?.value ?? 0) > 0,
    );
    this.offeredAt = status?.offeredAt ? Date.parse(status.offeredAt) : Number.NaN;
  }

  /** What is free, read from the offer on first use: a decision touches few of 10,000 agents. */
  get offered(): OfferedResources {
    this.#offered ??= OfferedResources.from(this.agent.status?.offered);
    return this.#offered;
  }
}
