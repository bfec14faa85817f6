/**
 * Publishes the agents the bridge learns of as Agent objects: created when an offer first names
 * the agent, their status kept current (hostname, attributes, fault domain, what meseta holds
 * on offer from it now, when it was last seen, Active or Removed).
 *
 * Writes are coalesced: a change only marks the agent dirty, and the dirty agents whose status
 * really changed are written together (creates and compare-and-swap status updates, 128 per
 * transaction) — at once after a quiet interval, else `intervalMs` (250 ms) after the previous
 * write. So an agent costs at most one write per interval however many offers come and go, new
 * offers after a quiet spell reach placement without delay, and `lastSeenAt` alone is refreshed
 * at most every `seenRefreshMs`.
 * A write that loses a race stays dirty and is redone from the newer object next time.
 */
import { agentObjectName, type Agent, type AgentStatus } from '../../api/agent.ts';
import { agentResource } from '../../api/resources.ts';
import type { Clock, Timer } from '../../clock.ts';
import { jsonEqual } from '../../store/deep-equal.ts';
import type { Logger } from '../../log.ts';
import type { Attribute, Offer } from '../../mesos/types.ts';
import type { Informer } from '../../runtime/informer.ts';
import type { BatchOp, ObjectStore } from '../../store/object-store.ts';
import { isNewerVersion } from '../../store/object.ts';
import { writeEach } from '../../store/write-each.ts';
import type { OfferBook } from './offer-book.ts';

/**
 * Placement sees an agent's offers only through its Agent object: a returned offer waits up to
 * this long to be placed on. At 1 s, a steady 500 instances/s saw p99 start latencies of
 * 1.4–1.5 s; at 250 ms, 0.97 s, for up to 8 % more CPU (bench/RESULTS.md).
 */
const DEFAULT_INTERVAL_MS = 250;

interface Seen {
  hostname: string;
  attributes?: Attribute[];
  domain?: AgentStatus['domain'];
  lastSeenAt: number;
  removedAt?: number;
}

export interface AgentPublisherOptions {
  store: ObjectStore;
  agents: Informer<Agent>;
  offers: OfferBook;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
  seenRefreshMs?: number;
  /** How long the bridge holds an offer while something is pending (for `offeredUntil`). */
  offerHoldMs: number;
}

export class AgentPublisher {
  private readonly seen = new Map<string, Seen>();
  private readonly dirty = new Set<string>();
  private readonly own = new Map<string, Agent>();
  private timer: Timer | undefined;
  private writing = false;
  private lastFlushAt = -Infinity;
  private readonly intervalMs: number;
  private readonly seenRefreshMs: number;
  private stopped = false;

  constructor(private readonly options: AgentPublisherOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.seenRefreshMs = options.seenRefreshMs ?? 60_000;
  }

  /**
   * An offer named the agent: it is alive, with these attributes. Returns true when the agent
   * was Removed until now (it came back).
   */
  offered(offer: Offer): boolean {
    const id = offer.agent_id.value;
    const returned = this.seen.get(id)?.removedAt !== undefined;
    const fault = offer.domain?.fault_domain;
    this.seen.set(id, {
      hostname: offer.hostname,
      ...(offer.attributes?.length ? { attributes: offer.attributes } : {}),
      ...(fault ? { domain: { region: fault.region.name, zone: fault.zone.name } } : {}),
      lastSeenAt: this.options.clock.now(),
    });
    this.touch(id);
    return returned;
  }

  /** Mesos reported the agent lost or removed (a FAILURE without an executor). */
  removed(agentId: string): void {
    const seen = this.seen.get(agentId);
    const now = this.options.clock.now();
    if (seen) seen.removedAt ??= now;
    else {
      const stored = this.current(agentObjectName(agentId));
      if (!stored?.status) return;
      this.seen.set(agentId, {
        hostname: stored.status.hostname,
        ...(stored.status.attributes ? { attributes: stored.status.attributes } : {}),
        ...(stored.status.domain ? { domain: stored.status.domain } : {}),
        lastSeenAt: Date.parse(stored.status.lastSeenAt ?? '') || now,
        removedAt: now,
      });
    }
    this.touch(agentId);
  }

  /** What the agent offers changed (offers came, went, or were taken by a launch). */
  touch(agentId: string): void {
    this.dirty.add(agentId);
    if (!this.timer && !this.stopped) {
      // At once after a quiet interval (new offers reach placement without delay), else when
      // the interval since the last write is over.
      const wait = Math.max(0, this.lastFlushAt + this.intervalMs - this.options.clock.now());
      this.timer = this.options.clock.setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, wait);
    }
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Writes the dirty agents whose status changed. */
  async flush(): Promise<void> {
    if (this.writing || this.stopped) return;
    this.writing = true;
    this.lastFlushAt = this.options.clock.now();
    const ids = [...this.dirty];
    this.dirty.clear();
    try {
      const ops: BatchOp[] = [];
      const opIds: string[] = [];
      for (const id of ids) {
        const op = this.opFor(id);
        if (op) {
          ops.push(op);
          opIds.push(id);
        }
      }
      if (ops.length === 0) return;
      const outcomes = await writeEach(this.options.store, ops);
      this.options.logger.debug('agents published', {
        agents: ops.length,
        states: ops.map((op) => ('object' in op ? (op.object.status as AgentStatus).state : '')),
        failed: outcomes.filter((o) => o.error).length,
      });
      outcomes.forEach((outcome, i) => {
        if (outcome.object) this.own.set(outcome.object.metadata.name, outcome.object as Agent);
        if (outcome.error) {
          this.options.logger.debug('agent write lost a race; retrying', {
            agentId: opIds[i],
            error: outcome.error,
          });
          this.dirty.add(opIds[i]!);
        }
      });
    } catch (error) {
      this.options.logger.warn('publishing agents failed; will retry', { error });
      for (const id of ids) this.dirty.add(id);
    } finally {
      this.writing = false;
      if (this.dirty.size > 0) {
        const again = [...this.dirty];
        this.dirty.clear();
        for (const id of again) this.touch(id);
      }
    }
  }

  /** The stored Agent: the informer's, or the bridge's own write if that is newer. */
  private current(name: string): Agent | undefined {
    const cached = this.options.agents.get(name);
    const mine = this.own.get(name);
    if (!mine) return cached;
    if (!cached || isNewerVersion(mine, cached)) return mine;
    this.own.delete(name);
    return cached;
  }

  private opFor(agentId: string): BatchOp | undefined {
    const seen = this.seen.get(agentId);
    if (!seen) return undefined;
    const name = agentObjectName(agentId);
    const stored = this.current(name);
    const now = this.options.clock.now();
    const offered = seen.removedAt !== undefined ? [] : this.options.offers.offered(agentId);
    const oldest = offered.length > 0 ? this.options.offers.oldestReceivedAt(agentId) : undefined;
    const old = stored?.status;
    const offeredChanged = !old || !jsonEqual(old.offered ?? [], offered);
    const status: AgentStatus = {
      agentId,
      hostname: seen.hostname,
      state: seen.removedAt !== undefined ? 'Removed' : 'Active',
      ...(seen.attributes ? { attributes: seen.attributes } : {}),
      ...(seen.domain ? { domain: seen.domain } : {}),
      offered,
      offeredAt: offeredChanged || !old?.offeredAt ? iso(now) : old.offeredAt,
      ...(oldest !== undefined ? { offeredUntil: iso(oldest + this.options.offerHoldMs) } : {}),
      lastSeenAt:
        old?.lastSeenAt && seen.lastSeenAt - Date.parse(old.lastSeenAt) < this.seenRefreshMs
          ? old.lastSeenAt
          : iso(seen.lastSeenAt),
      ...(seen.removedAt !== undefined ? { removedAt: old?.removedAt ?? iso(seen.removedAt) } : {}),
    };
    if (old && jsonEqual(old, status)) return undefined;
    if (!stored) {
      return {
        op: 'create',
        type: agentResource,
        object: {
          apiVersion: 'meseta.io/v1',
          kind: 'Agent',
          metadata: { name },
          spec: {},
          status,
        },
      };
    }
    return { op: 'updateStatus', type: agentResource, object: { ...stored, status } };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
