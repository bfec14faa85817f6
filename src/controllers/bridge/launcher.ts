/**
 * Launches the instances that await launch on agents whose offers the bridge holds. It makes
 * no placement decision: an instance is launched only on the agent it is bound to
 * (`spec.agentId`), and a binding whose agent has no fitting offer is left for placement to
 * replace.
 *
 * One pass, for every agent with both held offers and instances awaiting launch:
 * 1. fit each instance's resources and ports into the agent's offers (per allocation role),
 *    with placement's own fitting (`src/placement/resources.ts`), so that what placement judged
 *    to fit is what the bridge launches;
 * 2. record each launch in the instance's status (task id, TASK_STAGING, agent, ports,
 *    observedGeneration) with a compare-and-swap on the version read, batched (transactions of
 *    up to 120, all of a pass's in flight at once) — an instance whose write fails is not
 *    launched (its binding or goal changed meanwhile);
 * 3. one ACCEPT per agent and role with all of those offers and a LAUNCH of the written tasks.
 *    If the ACCEPT fails, the tasks are reconciled at once so that their state gets settled.
 * Passes never overlap; a pass asked for while one runs happens right after it. A pass stops
 * planning after about `maxPerPass` launches (whole agents), and the next one goes on. A pass
 * ends once its ACCEPTs are sent, not answered: their offers are out of the book already, and
 * the calls wait for a connection behind every ACKNOWLEDGE the bridge sends, so waiting for
 * their answers would hold the next pass's launches back (by hundreds of milliseconds under
 * load).
 */
import type { AppRevision } from '../../api/app-revision.ts';
import { awaitsLaunch, type Instance } from '../../api/instance.ts';
import { instanceResource } from '../../api/resources.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import { needsOf, OfferedResources } from '../../placement/resources.ts';
import type { SchedulerClient } from '../../mesos/client/index.ts';
import type { Offer, TaskInfo } from '../../mesos/types.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { Informer } from '../../runtime/informer.ts';
import { objectKey } from '../../runtime/informer.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import { writeEach } from '../../store/write-each.ts';
import type { BridgeMetrics } from './bridge-metrics.ts';
import { launchedStatus } from './instance-status.ts';
import type { InstanceView } from './instance-view.ts';
import type { OfferBook } from './offer-book.ts';
import { buildTaskInfo, portsByDefinition } from './task-info.ts';
import { newTaskId } from './task-id.ts';

export const BY_REVISION = 'revision';

/** Launch records per transaction; a pass's transactions are written at once. */
const recordChunk = 120;

/** The index value of an AppRevision, and what an instance looks it up by. */
export function revisionKey(namespace: string, app: string, revision: number): string {
  return `${namespace}/${app}/${revision}`;
}

export interface LauncherOptions {
  store: ObjectStore;
  view: InstanceView;
  revisions: Informer<AppRevision>;
  offers: OfferBook;
  client: Pick<SchedulerClient, 'accept'>;
  clock: Clock;
  logger: Logger;
  metrics: BridgeMetrics;
  recorder?: EventRecorder;
  /** The framework's roles; offers without allocation info count as the first. */
  roles: string[];
  /** Refusal filter on what an ACCEPT leaves unused (seconds). */
  acceptRefuseSeconds: number;
  /** Launches recorded and accepted per pass, at least (whole agents). Default 1,024. */
  maxPerPass?: number;
  /** Offers of these agents changed: their Agent objects need publishing. */
  offersChanged(agentIds: Iterable<string>): void;
  /** The ACCEPT carrying these tasks failed: settle their state with Mesos. */
  acceptFailed(tasks: { taskId: string; agentId: string }[]): void;
}

interface Planned {
  instance: Instance;
  task: TaskInfo;
  /** The role group (agent + allocation role) whose offers it uses. */
  group: string;
}

interface Group {
  agentId: string;
  offers: Offer[];
}

/** What one agent's offers for one allocation role still have to give in this pass. */
interface Pool {
  group: string;
  role: string;
  hostname: string;
  view: OfferedResources;
}

export class Launcher {
  private running: Promise<void> | undefined;
  private again = false;
  private queued = false;
  /** The last reason each instance binding could not be launched, to report it once. */
  private readonly reported = new Map<string, string>();

  private readonly maxPerPass: number;

  constructor(private readonly options: LauncherOptions) {
    this.maxPerPass = options.maxPerPass ?? 1024;
  }

  /**
   * Asks for a pass: soon (after the current synchronous work, so that a burst of informer
   * events or offers makes one pass), or right after the one in progress.
   */
  trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      if (this.running) this.again = true;
      else {
        this.running = this.loop().finally(() => {
          this.running = undefined;
          // Asked for after the loop's last look: run it.
          if (this.again) this.trigger();
        });
      }
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.options.logger.error('launch pass failed', { error });
      }
    } while (this.again);
  }

  private async pass(): Promise<void> {
    const { view, offers, logger } = this.options;
    const planned: Planned[] = [];
    const groups = new Map<string, Group>();
    for (const agentId of view.agentsAwaiting()) {
      const held = offers.available(agentId);
      if (held.length === 0) continue;
      const instances = view
        .awaiting(agentId)
        .map((key) => view.get(key))
        .filter((i): i is Instance => !!i && awaitsLaunch(i) && i.spec.agentId === agentId);
      if (instances.length === 0) continue;
      const pools = this.poolsOf(agentId, held, groups);
      for (const instance of instances) {
        const plan = this.plan(instance, agentId, pools);
        if (plan) planned.push(plan);
      }
      // Launch what is planned before planning more: the first tasks start sooner.
      if (planned.length >= this.maxPerPass) {
        this.again = true;
        break;
      }
    }
    if (planned.length === 0) return;
    const used = new Set(planned.map((p) => p.group));
    for (const name of used) offers.take(groups.get(name)!.offers);
    let launched: Planned[];
    try {
      launched = await this.record(planned);
    } catch (error) {
      for (const name of used) offers.release(groups.get(name)!.offers);
      throw error;
    }
    const byGroup = new Map<string, Planned[]>();
    for (const p of launched) {
      const list = byGroup.get(p.group) ?? [];
      list.push(p);
      byGroup.set(p.group, list);
    }
    for (const name of used) if (!byGroup.has(name)) offers.release(groups.get(name)!.offers);
    for (const [name, list] of byGroup) {
      // accept() settles every failure of the call itself; this only keeps a bug in that
      // handling from becoming an unhandled rejection.
      this.accept(groups.get(name)!, list).catch((error: unknown) =>
        logger.error('handling an ACCEPT failed', { error }),
      );
    }
    logger.debug('launch pass', { planned: planned.length, launched: launched.length });
  }

  /** One view of the offered resources per allocation role of the agent's offers. */
  private poolsOf(agentId: string, held: Offer[], groups: Map<string, Group>): Pool[] {
    const byRole = new Map<string, Offer[]>();
    for (const offer of held) {
      const role = offer.allocation_info?.role ?? this.options.roles[0]!;
      const list = byRole.get(role) ?? [];
      list.push(offer);
      byRole.set(role, list);
    }
    return [...byRole].map(([role, list]) => {
      const group = `${agentId}\u0000${role}`;
      groups.set(group, { agentId, offers: list });
      return {
        group,
        role,
        hostname: list[0]!.hostname,
        view: OfferedResources.from(list.flatMap((o) => o.resources ?? [])),
      };
    });
  }

  private plan(instance: Instance, agentId: string, pools: Pool[]): Planned | undefined {
    const { namespace = '', name } = instance.metadata;
    const { app, revision } = instance.spec;
    const found = this.options.revisions.byIndex(
      BY_REVISION,
      revisionKey(namespace, app, revision),
    );
    const template = found[0]?.spec.template;
    if (!template) {
      this.report(instance, 'RevisionMissing', `AppRevision ${app} ${revision} not found`);
      return undefined;
    }
    // The same fitting placement judged the agent by (src/placement/resources.ts).
    const needs = needsOf(template);
    const reasons: string[] = [];
    for (const { group, role, hostname, view } of pools) {
      const fit = view.fitTask(needs, role);
      if (!fit.ok) {
        reasons.push(fit.shortages.map((s) => s.message).join(', '));
        continue;
      }
      const taskId = newTaskId(namespace, name);
      try {
        const task = buildTaskInfo({
          taskId,
          namespace,
          app,
          instance: name,
          revision,
          template,
          agentId,
          hostname,
          resources: fit.resources,
          ports: portsByDefinition(template, fit.ports),
        });
        view.take(fit);
        const status = launchedStatus(
          instance,
          { taskId, agentId, hostname, ports: [...fit.ports] },
          this.options.clock.now(),
        );
        return { instance: { ...instance, status }, task, group };
      } catch (error) {
        this.report(instance, 'InvalidTask', (error as Error).message);
        return undefined;
      }
    }
    this.report(
      instance,
      'OfferDoesNotFit',
      `offers of agent ${agentId} do not fit: ${reasons.join('; ')}`,
    );
    return undefined;
  }

  /** Writes the launches' statuses; returns those written (only they may be launched). */
  private async record(planned: Planned[]): Promise<Planned[]> {
    const { store, view, logger, metrics } = this.options;
    // Distinct instances, each its own compare-and-swap: the transactions need not wait for
    // each other, so a pass of 1,024 launches waits for one transaction's time, not eight.
    const chunks: Planned[][] = [];
    for (let i = 0; i < planned.length; i += recordChunk) {
      chunks.push(planned.slice(i, i + recordChunk));
    }
    const outcomes = (
      await Promise.all(
        chunks.map((chunk) =>
          writeEach(
            store,
            chunk.map((p) => ({ op: 'updateStatus', type: instanceResource, object: p.instance })),
          ),
        ),
      )
    ).flat();
    const written: Planned[] = [];
    outcomes.forEach((outcome, i) => {
      const p = planned[i]!;
      if (outcome.error) {
        metrics.launchFailures.inc({ reason: 'status-write' });
        logger.info('not launching: the instance changed before its launch was recorded', {
          instance: objectKey(p.instance),
          error: outcome.error,
        });
        return;
      }
      if (outcome.object) view.wrote(outcome.object as Instance);
      written.push(p);
    });
    return written;
  }

  private async accept(group: Group, list: Planned[]): Promise<void> {
    const { client, offers, metrics, logger } = this.options;
    const ids = group.offers.map((o) => o.id);
    for (const id of ids) offers.remove(id.value);
    this.options.offersChanged([group.agentId]);
    try {
      await client.accept(
        ids,
        [{ type: 'LAUNCH', launch: { task_infos: list.map((p) => p.task) } }],
        { refuse_seconds: this.options.acceptRefuseSeconds },
      );
      metrics.launches.inc({}, list.length);
      for (const p of list) this.reported.delete(objectKey(p.instance));
      logger.info('launched', {
        agentId: group.agentId,
        tasks: list.map((p) => p.task.task_id.value),
      });
    } catch (error) {
      metrics.launchFailures.inc({ reason: 'accept' }, list.length);
      logger.warn('ACCEPT failed; reconciling its tasks', { agentId: group.agentId, error });
      this.options.acceptFailed(
        list.map((p) => ({ taskId: p.task.task_id.value, agentId: group.agentId })),
      );
    }
  }

  private report(instance: Instance, reason: string, message: string): void {
    const key = objectKey(instance);
    const said = `${instance.metadata.generation}:${message}`;
    this.options.metrics.launchFailures.inc({ reason });
    if (this.reported.get(key) === said) return;
    this.reported.set(key, said);
    if (this.reported.size > 10_000) this.reported.delete(this.reported.keys().next().value!);
    this.options.logger.info('cannot launch instance yet', {
      instance: objectKey(instance),
      reason,
      message,
    });
    void this.options.recorder?.warning(instance, reason, message);
  }
}
