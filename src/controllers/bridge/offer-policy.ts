/**
 * What the bridge does with offers it is not using, decided from the demand (instances that
 * await launch or need placement):
 * - demand: hold offers — placement reads them from the Agents' `offered` — for at most
 *   `maxHoldMs` (10 s), then decline them with a short filter (`shortRefuseSeconds`, 5 s) so
 *   that they come back soon, fresh; but never those of an agent where an instance awaits launch
 *   (placement bound it there, reading that offer: declined, the instance would wait out the
 *   filter); REVIVE first if offers were suppressed or declined for long;
 * - no demand for `idleGraceMs` (3 s): decline every held offer with a long filter
 *   (`idleRefuseSeconds`, 120 s, Marathon's default) and SUPPRESS, so that an idle framework
 *   costs the master nothing. A shorter lull keeps them held: the launch queue lets work in by
 *   waves, and declining every offer between two waves would cost a REVIVE and a round of new
 *   offers from every agent each time (in a paced burst of 10,000 instances, 20,000 offers
 *   declined and received again, and an Agent write for each).
 * Offers taken by a launch in progress are never declined.
 */
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import { NotSubscribedError, type SchedulerClient } from '../../mesos/client/index.ts';
import type { Offer } from '../../mesos/types.ts';
import type { BridgeMetrics } from './bridge-metrics.ts';
import type { OfferBook } from './offer-book.ts';

export interface OfferPolicyOptions {
  client: Pick<SchedulerClient, 'decline' | 'suppress' | 'revive'>;
  offers: OfferBook;
  clock: Clock;
  logger: Logger;
  metrics: BridgeMetrics;
  maxHoldMs: number;
  shortRefuseSeconds: number;
  idleRefuseSeconds: number;
  /** How long demand must have been gone before offers are declined for long. */
  idleGraceMs: number;
  /** Whether an instance is bound to the agent and awaits launch there. */
  awaitsLaunch(agentId: string): boolean;
  /** Offers of these agents were declined: their Agent objects need publishing. */
  offersChanged(agentIds: Iterable<string>): void;
}

export class OfferPolicy {
  /** Offers are suppressed, or were declined for long: demand needs a REVIVE. */
  private quiet = false;
  private suppressed = false;
  private busy: Promise<void> | undefined;
  private again: number | undefined;
  /** When demand was last seen; -Infinity until then. */
  private demandSeenAt = -Infinity;

  constructor(private readonly options: OfferPolicyOptions) {}

  /** A new subscription starts unsuppressed, without filters that matter. */
  subscribed(): void {
    this.quiet = false;
    this.suppressed = false;
  }

  get isSuppressed(): boolean {
    return this.suppressed;
  }

  /** Applies the policy for `pending` instances; calls never overlap. */
  async apply(pending: number): Promise<void> {
    if (this.busy) {
      this.again = pending;
      return this.busy;
    }
    this.busy = this.run(pending).finally(() => (this.busy = undefined));
    await this.busy;
    if (this.again !== undefined) {
      const next = this.again;
      this.again = undefined;
      await this.apply(next);
    }
  }

  private async run(pending: number): Promise<void> {
    const { client, offers, clock, logger, metrics } = this.options;
    if (pending > 0) this.demandSeenAt = clock.now();
    // Demand, or a lull between two waves of it: hold on.
    if (pending > 0 || clock.now() - this.demandSeenAt < this.options.idleGraceMs) {
      if (pending > 0 && this.quiet) {
        try {
          await client.revive();
          metrics.offerCalls.inc({ type: 'revive' });
          logger.info('offers revived', { pending });
          this.quiet = false;
          this.suppressed = false;
        } catch (error) {
          logger.debug('REVIVE not sent', { error });
        }
      }
      await this.decline(this.#stale(), 'short');
      return;
    }
    await this.decline(offers.untaken(), 'idle');
    if (!this.suppressed) {
      try {
        await client.suppress();
        metrics.offerCalls.inc({ type: 'suppress' });
        logger.info('offers suppressed: nothing to launch');
        this.suppressed = true;
        this.quiet = true;
      } catch (error) {
        logger.debug('SUPPRESS not sent', { error });
      }
    }
  }

  /** Offers held for `maxHoldMs`, except those of agents where an instance awaits launch. */
  #stale(): Offer[] {
    const { offers, clock, maxHoldMs, awaitsLaunch } = this.options;
    return offers.heldSince(clock.now() - maxHoldMs).filter((o) => !awaitsLaunch(o.agent_id.value));
  }

  private async decline(list: Offer[], kind: 'short' | 'idle'): Promise<void> {
    if (list.length === 0) return;
    const { client, offers, metrics, logger } = this.options;
    const agents = new Set<string>();
    for (const offer of list) {
      offers.remove(offer.id.value);
      agents.add(offer.agent_id.value);
    }
    this.options.offersChanged(agents);
    const refuse =
      kind === 'short' ? this.options.shortRefuseSeconds : this.options.idleRefuseSeconds;
    try {
      await client.decline(
        list.map((o) => o.id),
        { refuse_seconds: refuse },
      );
      metrics.declined.inc({ filter: kind }, list.length);
      if (kind === 'idle') this.quiet = true;
    } catch (error) {
      logger.debug('DECLINE not sent', { error });
      // Without a subscription the offers are gone anyway; otherwise decline them next time.
      if (!(error instanceof NotSubscribedError)) {
        for (const offer of list) offers.add(offer, 0);
      }
    }
  }
}
