/**
 * The bridge's Prometheus metrics, registered on the process's Registry (a private one when the
 * caller gives none): Mesos events by type, offers held, launches, kills, declines, suppress and
 * revive calls, reconciliation requests, and the latency and size of status writes.
 */
import { Registry, type Counter, type Histogram } from '../../runtime/metrics.ts';

export class BridgeMetrics {
  readonly events: Counter;
  readonly launches: Counter;
  readonly launchFailures: Counter;
  readonly kills: Counter;
  readonly declined: Counter;
  readonly offerCalls: Counter;
  readonly reconciles: Counter;
  readonly statusWriteSeconds: Histogram;
  readonly statusBatch: Histogram;

  constructor(
    readonly registry: Registry = new Registry(),
    sources: { offersHeld: () => number; statusBacklog: () => number },
  ) {
    this.events = registry.counter('meseta_mesos_events_total', 'Mesos events received, by type');
    this.launches = registry.counter('meseta_bridge_launches_total', 'Tasks launched');
    this.launchFailures = registry.counter(
      'meseta_bridge_launch_failures_total',
      'Launches not made, by reason',
    );
    this.kills = registry.counter('meseta_bridge_kills_total', 'KILL calls sent, by kind');
    this.declined = registry.counter('meseta_bridge_offers_declined_total', 'Offers declined');
    this.offerCalls = registry.counter(
      'meseta_bridge_offer_calls_total',
      'SUPPRESS and REVIVE calls, by type',
    );
    this.reconciles = registry.counter(
      'meseta_bridge_reconcile_calls_total',
      'RECONCILE calls, by kind (explicit, implicit)',
    );
    this.statusWriteSeconds = registry.histogram(
      'meseta_bridge_status_write_seconds',
      'Time to write one batch of task status updates',
    );
    this.statusBatch = registry.histogram(
      'meseta_bridge_status_batch_size',
      'Instances written per status batch',
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    );
    registry
      .gauge('meseta_mesos_offers_held', 'Offers the bridge holds now')
      .collect(sources.offersHeld);
    registry
      .gauge('meseta_bridge_status_backlog', 'Task status updates waiting to be written')
      .collect(sources.statusBacklog);
  }
}
