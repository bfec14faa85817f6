/**
 * When the newest task on each agent staged, from the instances seen: an agent whose task
 * staged at or after its `offeredAt` has nothing free (that launch used its offer; Mesos offers
 * the rest again at its next allocation). Kept up to date by noting every instance as it
 * changes, so that a round asks per agent instead of reading every instance. A task that has
 * ended since still counts: the offer its launch used is gone all the same.
 */
import type { Instance } from '../api/instance.ts';

export class LastStaged {
  readonly #byAgent = new Map<string, number>();

  /** Takes in the instance's task, if it has staged. */
  note(instance: Instance): void {
    const agentId = instance.status?.agentId ?? instance.spec.agentId;
    const stagedAt = Date.parse(instance.status?.stagedAt ?? '');
    if (!agentId || Number.isNaN(stagedAt)) return;
    if (!((this.#byAgent.get(agentId) ?? -Infinity) >= stagedAt)) {
      this.#byAgent.set(agentId, stagedAt);
    }
  }

  /** When the newest task on the Mesos agent `agentId` staged (ms since the epoch). */
  on(agentId: string): number | undefined {
    return this.#byAgent.get(agentId);
  }

  /** The agent is gone. */
  forget(agentId: string): void {
    this.#byAgent.delete(agentId);
  }
}
