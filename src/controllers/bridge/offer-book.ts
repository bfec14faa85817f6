/**
 * The offers the bridge holds, indexed by agent (10,000 agents, each with a few offers): when
 * each arrived, which are taken by a launch in progress, and the sum an agent offers now (what
 * the Agent's `status.offered` shows). Offers taken by a launch are out of the sums and out of
 * reach of declines until the launch uses or returns them; a rescinded offer is gone at once.
 */
import type { Offer, Resource } from '../../mesos/types.ts';

export interface HeldOffer {
  offer: Offer;
  receivedAt: number;
  taken: boolean;
}

export class OfferBook {
  private readonly offers = new Map<string, HeldOffer>();
  private readonly byAgent = new Map<string, Set<string>>();

  get size(): number {
    return this.offers.size;
  }

  add(offer: Offer, now: number): void {
    const id = offer.id.value;
    this.offers.set(id, { offer, receivedAt: now, taken: false });
    const agent = offer.agent_id.value;
    let ids = this.byAgent.get(agent);
    if (!ids) this.byAgent.set(agent, (ids = new Set()));
    ids.add(id);
  }

  /** Forgets an offer (rescinded, declined or used); returns its agent id if it was held. */
  remove(offerId: string): string | undefined {
    const held = this.offers.get(offerId);
    if (!held) return undefined;
    this.offers.delete(offerId);
    const agent = held.offer.agent_id.value;
    const ids = this.byAgent.get(agent);
    ids?.delete(offerId);
    if (ids?.size === 0) this.byAgent.delete(agent);
    return agent;
  }

  has(offerId: string): boolean {
    return this.offers.has(offerId);
  }

  /** Forgets everything (Mesos discards offers when the framework resubscribes). */
  clear(): string[] {
    const agents = [...this.byAgent.keys()];
    this.offers.clear();
    this.byAgent.clear();
    return agents;
  }

  /** Agents with at least one offer held and not taken. */
  *agents(): Iterable<string> {
    for (const [agent, ids] of this.byAgent) {
      for (const id of ids) {
        if (!this.offers.get(id)!.taken) {
          yield agent;
          break;
        }
      }
    }
  }

  /** The offers held from `agentId` and not taken. */
  available(agentId: string): Offer[] {
    const out: Offer[] = [];
    for (const id of this.byAgent.get(agentId) ?? []) {
      const held = this.offers.get(id)!;
      if (!held.taken) out.push(held.offer);
    }
    return out;
  }

  /** When the oldest offer held from `agentId` and not taken arrived; undefined if none. */
  oldestReceivedAt(agentId: string): number | undefined {
    let oldest: number | undefined;
    for (const id of this.byAgent.get(agentId) ?? []) {
      const held = this.offers.get(id)!;
      if (!held.taken && (oldest === undefined || held.receivedAt < oldest)) {
        oldest = held.receivedAt;
      }
    }
    return oldest;
  }

  /** Marks offers as taken by a launch: no decline touches them until released or removed. */
  take(offers: Offer[]): void {
    for (const offer of offers) {
      const held = this.offers.get(offer.id.value);
      if (held) held.taken = true;
    }
  }

  /** Offers a launch did not use after all; still held (unless rescinded meanwhile). */
  release(offers: Offer[]): void {
    for (const offer of offers) {
      const held = this.offers.get(offer.id.value);
      if (held) held.taken = false;
    }
  }

  /** Held offers not taken that arrived at or before `before`. */
  heldSince(before: number): Offer[] {
    const out: Offer[] = [];
    for (const held of this.offers.values()) {
      if (!held.taken && held.receivedAt <= before) out.push(held.offer);
    }
    return out;
  }

  /** Every held offer not taken. */
  untaken(): Offer[] {
    return this.heldSince(Infinity);
  }

  /** The sum of the agent's untaken offers, resource by resource (same name, role, reservation). */
  offered(agentId: string): Resource[] {
    return sumResources(this.available(agentId).flatMap((offer) => offer.resources ?? []));
  }
}

/** Adds up resources that differ only in amount; keeps the others apart. */
export function sumResources(resources: Resource[]): Resource[] {
  const sums = new Map<string, Resource>();
  for (const resource of resources) {
    const { scalar, ranges, set, ...rest } = resource;
    const key = JSON.stringify(rest);
    const sum = sums.get(key);
    if (!sum) {
      sums.set(key, structuredClone(resource));
      continue;
    }
    if (scalar && sum.scalar) {
      sum.scalar.value = Math.round((sum.scalar.value + scalar.value) * 1000) / 1000;
    } else if (ranges && sum.ranges) {
      sum.ranges.range = mergeRanges([...(sum.ranges.range ?? []), ...(ranges.range ?? [])]);
    } else if (set && sum.set) {
      sum.set.item = [...new Set([...(sum.set.item ?? []), ...(set.item ?? [])])];
    }
  }
  return [...sums.values()];
}

function mergeRanges(list: { begin: string; end: string }[]): { begin: string; end: string }[] {
  const sorted = list
    .map((r) => [Number(r.begin), Number(r.end)] as const)
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [b, e] of sorted) {
    const last = out[out.length - 1];
    if (last && b <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([b, e]);
  }
  return out.map(([b, e]) => ({ begin: String(b), end: String(e) }));
}
