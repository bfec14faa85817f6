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

/**
 * Whether a task staged on the agent at or after its offer was published (`lastStagedAt`, ms):
 * that launch used the offer, and Mesos offers what is left only at its next allocation.
 */
export function offerUsed(agent: Agent, lastStagedAt: number | undefined): boolean {
  const offeredAt = agent.status?.offeredAt ? Date.parse(agent.status.offeredAt) : Number.NaN;
  return (lastStagedAt ?? -Infinity) >= offeredAt;
}

export class AgentSlot {
  readonly agentId: string;
  readonly name: string;
  readonly facts: AgentFacts;
  readonly standing: Standing;
  #offered: OfferedResources | undefined;
  readonly #offers: boolean;
  /**
   * A task was launched here after `offered` was read: the launch used the agent's offers, and
   * what they had left comes back only in Mesos's next offer, so nothing is free until then.
   */
  spent = false;
  /**
   * The bridge declines the agent's oldest offer soon (`offeredUntil`): a binding made now might
   * reach the bridge after the offer is gone, and wait out the decline's filter.
   */
  readonly expiring: boolean;
  /** Instances bound here and not launched yet: earlier rounds' and this round's. */
  taken = 0;
  /** GPU agents are kept for apps that need GPUs. */
  readonly gpus: boolean;
  /** When `offered` was set (ms since the epoch); NaN when unknown. */
  readonly offeredAt: number;

  /** `usableUntil`: offers declined before this time are as good as gone. */
  constructor(
    readonly index: number,
    readonly agent: Agent,
    usableUntil = -Infinity,
  ) {
    const status = agent.status;
    this.agentId = status?.agentId ?? agent.metadata.name;
    this.name = agent.metadata.name;
    this.facts = agentFacts(agent);
    this.standing = agentStanding(agent);
    this.#offers = (status?.offered?.length ?? 0) > 0;
    this.gpus = (status?.offered ?? []).some(
      (r) => r.name === 'gpus' && r.type === 'SCALAR' && (r.scalar?.value ?? 0) > 0,
    );
    this.offeredAt = status?.offeredAt ? Date.parse(status.offeredAt) : Number.NaN;
    this.expiring = status?.offeredUntil ? Date.parse(status.offeredUntil) < usableUntil : false;
  }

  /** Whether something is on offer from the agent now, not used by a launch yet. */
  get hasOffers(): boolean {
    return this.launchable && !this.expiring;
  }

  /**
   * Whether the bridge could launch on the agent now: it holds an offer no launch has used. An
   * instance bound to an agent that is not launchable would wait for Mesos's next offer of it.
   */
  get launchable(): boolean {
    return this.#offers && !this.spent;
  }

  /** What is free, read from the offer on first use: a decision touches few of 10,000 agents. */
  get offered(): OfferedResources {
    this.#offered ??= OfferedResources.from(this.agent.status?.offered);
    return this.#offered;
  }
}
