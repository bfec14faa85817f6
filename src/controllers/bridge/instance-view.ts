/**
 * The bridge's view of Instances: the informer's cache, overlaid with the bridge's own writes
 * until the watch delivers them (a task's second update must not be judged against a cache that
 * has not seen the first one yet), and the sets the bridge works from, kept up to date one
 * change at a time so that nothing on a hot path scans 100,000 instances:
 * - `awaiting(agentId)`: instances bound to the agent that await their launch;
 * - `pendingCount`: instances that await a launch or need placement (the offer demand);
 * - `toKill`: instances with a live task whose goal is not `running`;
 * - `byTask(taskId)`: the instance whose current task that is;
 * - `awayOn(agentId)`: instances whose task on that agent is unreachable or unknown.
 */
import { awaitsLaunch, hasLiveTask, needsPlacement, type Instance } from '../../api/instance.ts';
import { instanceResource } from '../../api/resources.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import { Informer, objectKey } from '../../runtime/informer.ts';
import { isNewerVersion } from '../../store/object.ts';
import type { ObjectStore } from '../../store/object-store.ts';

export const BY_TASK = 'task';
/** Instances whose task is unreachable or unknown, by the agent it ran on. */
export const BY_AWAY_AGENT = 'away';

export interface InstanceViewListener {
  /** An instance now awaits launch on `agentId`. */
  awaitingLaunch?(agentId: string): void;
  /** The number of pending instances went from 0 to more, or back. */
  demandChanged?(pending: number): void;
  /** An instance has a live task that should be killed. */
  shouldKill?(key: string): void;
}

export class InstanceView {
  readonly informer: Informer<Instance>;
  private readonly own = new Map<string, Instance>();
  private readonly awaitingByAgent = new Map<string, Set<string>>();
  private readonly pending = new Set<string>();
  readonly toKill = new Set<string>();

  constructor(
    store: ObjectStore,
    options: { clock: Clock; logger: Logger; resyncMs?: number },
    private readonly listener: InstanceViewListener,
  ) {
    this.informer = new Informer(store, instanceResource, {
      clock: options.clock,
      logger: options.logger,
      ...(options.resyncMs ? { resyncMs: options.resyncMs } : {}),
      indexers: {
        [BY_TASK]: (i) => (i.status?.taskId ? [i.status.taskId] : []),
        [BY_AWAY_AGENT]: (i) => {
          const agent = awayAgent(i);
          return agent ? [agent] : [];
        },
      },
    });
    this.informer.addHandlers({
      added: (i) => this.track(undefined, i),
      modified: (old, i) => this.track(old, i),
      deleted: (i) => this.track(i, undefined),
    });
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** The newest version the bridge knows: its own write or the cache's, whichever is later. */
  get(key: string): Instance | undefined {
    const cached = this.informer.get(key);
    const mine = this.own.get(key);
    if (!mine) return cached;
    if (!cached) return undefined;
    return isNewerVersion(mine, cached) ? mine : cached;
  }

  /** Remembers an object the bridge wrote, until the informer shows that version or a later one. */
  wrote(instance: Instance): void {
    this.own.set(objectKey(instance), instance);
  }

  /** The current instance whose status names `taskId`. */
  byTask(taskId: string): Instance | undefined {
    for (const instance of this.informer.byIndex(BY_TASK, taskId)) {
      const current = this.get(objectKey(instance));
      if (current?.status?.taskId === taskId) return current;
    }
    return undefined;
  }

  /** Tasks on `agentId` last reported unreachable or unknown. */
  awayOn(agentId: string): { taskId: string; agentId: string }[] {
    const keys = new Set(this.informer.byIndex(BY_AWAY_AGENT, agentId).map(objectKey));
    // The bridge's own write of an unreachable state may not be in the cache yet: an agent
    // that returns at once must not have its tasks forgotten.
    for (const [key, mine] of this.own) if (awayAgent(mine) === agentId) keys.add(key);
    return [...keys].flatMap((key) => {
      const current = this.get(key);
      const taskId = current?.status?.taskId;
      return current && taskId && awayAgent(current) === agentId ? [{ taskId, agentId }] : [];
    });
  }

  /** Keys of instances awaiting launch on `agentId` (by the informer's cache). */
  awaiting(agentId: string): string[] {
    return [...(this.awaitingByAgent.get(agentId) ?? [])];
  }

  /** Whether an instance awaits launch on `agentId`. */
  hasAwaiting(agentId: string): boolean {
    return this.awaitingByAgent.has(agentId);
  }

  /** Agents with at least one instance awaiting launch. */
  agentsAwaiting(): string[] {
    return [...this.awaitingByAgent.keys()];
  }

  private track(old: Instance | undefined, now: Instance | undefined): void {
    const key = objectKey((now ?? old)!);
    const mine = this.own.get(key);
    if (mine && (!now || !isNewerVersion(mine, now))) this.own.delete(key);
    const oldAgent = old && awaitsLaunch(old) ? old.spec.agentId : undefined;
    const newAgent = now && awaitsLaunch(now) ? now.spec.agentId : undefined;
    if (oldAgent !== newAgent || old === now) {
      if (oldAgent !== undefined) {
        const keys = this.awaitingByAgent.get(oldAgent);
        keys?.delete(key);
        if (keys?.size === 0) this.awaitingByAgent.delete(oldAgent);
      }
      if (newAgent !== undefined) {
        let keys = this.awaitingByAgent.get(newAgent);
        if (!keys) this.awaitingByAgent.set(newAgent, (keys = new Set()));
        keys.add(key);
        this.listener.awaitingLaunch?.(newAgent);
      }
    }
    const before = this.pending.size;
    if (now && (awaitsLaunch(now) || needsPlacement(now))) this.pending.add(key);
    else this.pending.delete(key);
    if ((before === 0) !== (this.pending.size === 0)) {
      this.listener.demandChanged?.(this.pending.size);
    }
    if (now && hasLiveTask(now) && now.spec.goal !== 'running') {
      this.toKill.add(key);
      this.listener.shouldKill?.(key);
    } else {
      this.toKill.delete(key);
    }
  }
}

/** The agent an instance's task was last seen on, if that task is unreachable or unknown. */
function awayAgent(instance: Instance): string | undefined {
  const status = instance.status;
  const away = status?.state === 'TASK_UNREACHABLE' || status?.state === 'TASK_UNKNOWN';
  return away ? status?.agentId : undefined;
}
