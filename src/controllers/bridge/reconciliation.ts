/**
 * Task reconciliation with Mesos, the way Mesos's reconciliation guide asks for it:
 * - explicit, after every (re)subscription, for every live task the store knows, in calls of
 *   `batchSize` tasks (1,000), re-sent with backoff (`retryMs` doubling to `maxRetryMs`) for the
 *   tasks Mesos has not answered yet — a master still recovering answers nothing for tasks on
 *   agents that have not reregistered;
 * - explicit at once for tasks whose ACCEPT failed (did they launch or not?);
 * - implicit (an empty list: Mesos reports every task it knows, which surfaces orphans) every
 *   `implicitMs` (10 minutes).
 * Any update about a task counts as its answer.
 */
import type { Clock, Timer } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { ReconcileTask, SchedulerClient } from '../../mesos/client/index.ts';
import type { BridgeMetrics } from './bridge-metrics.ts';

export interface ReconciliationOptions {
  client: Pick<SchedulerClient, 'reconcile'>;
  clock: Clock;
  logger: Logger;
  metrics: BridgeMetrics;
  batchSize?: number;
  retryMs?: number;
  maxRetryMs?: number;
  implicitMs: number;
}

export class Reconciliation {
  private readonly unanswered = new Map<string, string | undefined>();
  private retry: Timer | undefined;
  private implicit: Timer | undefined;
  private attempts = 0;
  private readonly batchSize: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private stopped = false;

  constructor(private readonly options: ReconciliationOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.retryMs = options.retryMs ?? 5000;
    this.maxRetryMs = options.maxRetryMs ?? 60_000;
  }

  /** Tasks asked about and not answered yet. */
  get pending(): number {
    return this.unanswered.size;
  }

  /** After a (re)subscription: ask about every task in `tasks`, then implicitly on a timer. */
  async subscribed(tasks: Iterable<{ taskId: string; agentId?: string }>): Promise<void> {
    this.unanswered.clear();
    this.attempts = 0;
    for (const { taskId, agentId } of tasks) this.unanswered.set(taskId, agentId);
    this.options.logger.info('reconciling', { tasks: this.unanswered.size });
    this.scheduleImplicit();
    await this.send();
  }

  /** Ask about these tasks now (and until answered). */
  async explicit(tasks: { taskId: string; agentId?: string }[]): Promise<void> {
    for (const { taskId, agentId } of tasks) this.unanswered.set(taskId, agentId);
    await this.send();
  }

  /** Mesos said something about `taskId`. */
  answered(taskId: string): void {
    this.unanswered.delete(taskId);
    if (this.unanswered.size === 0) {
      this.retry?.cancel();
      this.retry = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.implicit?.cancel();
  }

  private async send(): Promise<void> {
    this.retry?.cancel();
    this.retry = undefined;
    if (this.stopped || this.unanswered.size === 0) return;
    const { client, logger, metrics, clock } = this.options;
    const tasks: ReconcileTask[] = [...this.unanswered].map(([taskId, agentId]) => ({
      task_id: { value: taskId },
      ...(agentId ? { agent_id: { value: agentId } } : {}),
    }));
    try {
      for (let i = 0; i < tasks.length; i += this.batchSize) {
        await client.reconcile(tasks.slice(i, i + this.batchSize));
        metrics.reconciles.inc({ kind: 'explicit' });
      }
    } catch (error) {
      logger.info('explicit reconciliation not sent; will retry', { error });
    }
    const delay = Math.min(this.maxRetryMs, this.retryMs * 2 ** this.attempts++);
    this.retry = clock.setTimeout(() => void this.send(), delay);
  }

  private scheduleImplicit(): void {
    this.implicit?.cancel();
    if (this.stopped) return;
    this.implicit = this.options.clock.setTimeout(() => {
      this.options.client
        .reconcile([])
        .then(() => this.options.metrics.reconciles.inc({ kind: 'implicit' }))
        .catch((error: unknown) =>
          this.options.logger.info('implicit reconciliation not sent', { error }),
        )
        .finally(() => this.scheduleImplicit());
    }, this.options.implicitMs);
  }
}
