/**
 * Kills what should not run:
 * - the task of every instance with a live task whose goal is not `running`, with the App's
 *   kill policy (`taskKillGracePeriodSeconds`), and again on a backoff (`retryMs` doubling up to
 *   `maxRetryMs`) until the instance's status shows a terminal state — a KILL can be lost with
 *   a master failover, or ignored by an agent that is away;
 * - orphans: tasks Mesos reports that no instance owns under that task id. One is killed once
 *   it has been an orphan for `orphanGraceMs` (default 30 s) — unless an instance claims it
 *   meanwhile (a launch recorded a moment before the cache saw it, an instance restored from a
 *   backup) — and re-killed on the same backoff until Mesos reports it ended.
 */
import type { AppRevision } from '../../api/app-revision.ts';
import { hasLiveTask } from '../../api/instance.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { SchedulerClient } from '../../mesos/client/index.ts';
import type { KillPolicy } from '../../mesos/types.ts';
import type { Informer } from '../../runtime/informer.ts';
import type { BridgeMetrics } from './bridge-metrics.ts';
import type { InstanceView } from './instance-view.ts';
import { BY_REVISION, revisionKey } from './launcher.ts';
import { seconds } from './task-info.ts';

export interface KillerOptions {
  view: Pick<InstanceView, 'toKill' | 'get' | 'byTask'>;
  revisions: Informer<AppRevision>;
  client: Pick<SchedulerClient, 'kill'>;
  clock: Clock;
  logger: Logger;
  metrics: BridgeMetrics;
  orphanGraceMs: number;
  retryMs?: number;
  maxRetryMs?: number;
}

interface Attempts {
  count: number;
  nextAt: number;
}

interface Orphan {
  agentId?: string;
  since: number;
}

export class Killer {
  private readonly attempts = new Map<string, Attempts>();
  private readonly orphans = new Map<string, Orphan>();
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: KillerOptions) {
    this.retryMs = options.retryMs ?? 10_000;
    this.maxRetryMs = options.maxRetryMs ?? 300_000;
  }

  /** Tasks Mesos reported that nobody owns, waiting out their grace or being killed. */
  get orphanCount(): number {
    return this.orphans.size;
  }

  /** Mesos reported a live task that no instance owns. */
  orphan(taskId: string, agentId: string | undefined, now: number): void {
    const known = this.orphans.get(taskId);
    if (known) {
      if (agentId) known.agentId = agentId;
      return;
    }
    this.options.logger.info('orphan task seen', { taskId, agentId });
    this.orphans.set(taskId, { ...(agentId ? { agentId } : {}), since: now });
  }

  /** Mesos reported the task ended: stop killing it. */
  ended(taskId: string): void {
    this.orphans.delete(taskId);
    this.attempts.delete(taskId);
  }

  /** Sends the kills that are due. Cheap when nothing is to be killed. */
  async tick(): Promise<void> {
    const { view, clock } = this.options;
    const now = clock.now();
    const due: { taskId: string; agentId?: string; policy?: KillPolicy; kind: string }[] = [];
    const live = new Set<string>();
    for (const key of view.toKill) {
      const instance = view.get(key);
      if (!instance || !hasLiveTask(instance) || instance.spec.goal === 'running') continue;
      const taskId = instance.status!.taskId;
      if (!taskId) continue;
      live.add(taskId);
      if (!this.isDue(taskId, now)) continue;
      const policy = this.policyOf(
        instance.metadata.namespace ?? '',
        instance.spec.app,
        instance.spec.revision,
      );
      due.push({
        taskId,
        ...(instance.status?.agentId ? { agentId: instance.status.agentId } : {}),
        ...(policy ? { policy } : {}),
        kind: 'instance',
      });
    }
    for (const [taskId, orphan] of this.orphans) {
      if (view.byTask(taskId)) {
        this.orphans.delete(taskId);
        continue;
      }
      live.add(taskId);
      if (now - orphan.since < this.options.orphanGraceMs || !this.isDue(taskId, now)) continue;
      due.push({ taskId, ...(orphan.agentId ? { agentId: orphan.agentId } : {}), kind: 'orphan' });
    }
    for (const taskId of this.attempts.keys()) if (!live.has(taskId)) this.attempts.delete(taskId);
    await Promise.all(due.map((kill) => this.kill(kill, now)));
  }

  private isDue(taskId: string, now: number): boolean {
    const attempt = this.attempts.get(taskId);
    return !attempt || attempt.nextAt <= now;
  }

  private async kill(
    kill: { taskId: string; agentId?: string; policy?: KillPolicy; kind: string },
    now: number,
  ): Promise<void> {
    const { client, logger, metrics } = this.options;
    const previous = this.attempts.get(kill.taskId)?.count ?? 0;
    const delay = Math.min(this.maxRetryMs, this.retryMs * 2 ** previous);
    this.attempts.set(kill.taskId, { count: previous + 1, nextAt: now + delay });
    try {
      await client.kill(
        { value: kill.taskId },
        kill.agentId ? { value: kill.agentId } : undefined,
        kill.policy,
      );
      metrics.kills.inc({ kind: kill.kind });
      logger.info('kill sent', { taskId: kill.taskId, kind: kill.kind, attempt: previous + 1 });
    } catch (error) {
      // Not subscribed, or the master is away: try again at the next tick.
      this.attempts.set(kill.taskId, { count: previous, nextAt: now });
      logger.debug('kill not sent', { taskId: kill.taskId, error });
    }
  }

  private policyOf(namespace: string, app: string, revision: number): KillPolicy | undefined {
    const found = this.options.revisions.byIndex(
      BY_REVISION,
      revisionKey(namespace, app, revision),
    );
    const grace = found[0]?.spec.template.taskKillGracePeriodSeconds;
    return grace === undefined ? undefined : { grace_period: { nanoseconds: seconds(grace) } };
  }
}
