/**
 * One simulated agent's side of the world: the command executor of each task it runs (the
 * STAGING → STARTING → RUNNING → terminal lifecycle, kills with TASK_KILLING and a grace
 * period, behaviours) and the agent's status update manager, which sends each task's updates
 * to the master one at a time, in order, retrying the one in flight with exponential backoff
 * (10 s doubling to 10 min, as Mesos's agent) until the framework acknowledges it.
 */
import type { Clock, Timer } from '../clock.ts';
import type {
  TaskInfo,
  TaskState,
  TaskStatus,
  TaskStatusReason,
  TaskStatusSource,
} from '../mesos/types.ts';
import { behaviourOf, type TaskBehaviour } from './behaviour.ts';
import type { Random } from './random.ts';

export interface AgentTimings {
  /** STAGING → TASK_STARTING. */
  startingDelayMs: number;
  /** TASK_STARTING → TASK_RUNNING. */
  runningDelayMs: number;
  /** SIGTERM → exit, for a task that honours SIGTERM. */
  killDelayMs: number;
  /** Default kill grace period of the command executor. */
  defaultGracePeriodMs: number;
  statusUpdateRetryMinMs: number;
  statusUpdateRetryMaxMs: number;
}

export const defaultAgentTimings: AgentTimings = {
  startingDelayMs: 50,
  runningDelayMs: 100,
  killDelayMs: 50,
  defaultGracePeriodMs: 3000,
  statusUpdateRetryMinMs: 10_000,
  statusUpdateRetryMaxMs: 600_000,
};

/** How the agent reaches the master. */
export interface AgentUplink {
  /** A status update (first send or a retry) with the task's latest known state. */
  statusUpdate(
    agentId: string,
    frameworkId: string,
    status: TaskStatus,
    latestState: TaskState,
  ): void;
}

export interface LaunchSpec {
  frameworkId: string;
  info: TaskInfo;
  executorId: string;
  /** The framework understands TASK_KILLING. */
  killingState: boolean;
}

interface Executor {
  key: string;
  spec: LaunchSpec;
  behaviour: TaskBehaviour;
  state: TaskState;
  containerId: string;
  pid: number;
  timers: Timer[];
  killing: boolean;
  terminated: boolean;
}

interface UpdateStream {
  frameworkId: string;
  inFlight?: TaskStatus;
  queue: TaskStatus[];
  latestState: TaskState;
  backoffMs: number;
  retry?: Timer;
}

export class SimAgent {
  private readonly executors = new Map<string, Executor>();
  private readonly streams = new Map<string, UpdateStream>();
  private nextPid = 1000;
  /** False while partitioned: updates leave but never arrive; retries keep going. */
  reachable = true;

  constructor(
    readonly id: string,
    readonly ip: string,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly uplink: AgentUplink,
    private readonly timings: AgentTimings,
  ) {}

  /** Tasks whose executor has not finished or whose updates are not all acknowledged. */
  get taskCount(): number {
    return this.executors.size;
  }

  launch(spec: LaunchSpec): void {
    const key = `${spec.frameworkId}/${spec.info.task_id.value}`;
    const executor: Executor = {
      key,
      spec,
      behaviour: behaviourOf(spec.info),
      state: 'TASK_STAGING',
      containerId: this.random.uuid(),
      pid: this.nextPid++,
      timers: [],
      killing: false,
      terminated: false,
    };
    this.executors.set(key, executor);
    this.after(executor, this.timings.startingDelayMs, () => {
      if (executor.behaviour.launchFails) {
        return this.finish(executor, 'TASK_FAILED', 'SOURCE_AGENT', {
          reason: 'REASON_CONTAINER_LAUNCH_FAILED',
          message: 'Failed to launch container: simulated launch failure',
        });
      }
      this.emit(executor, 'TASK_STARTING', 'SOURCE_EXECUTOR');
      this.after(executor, this.timings.runningDelayMs, () => this.run(executor));
    });
  }

  private run(executor: Executor): void {
    this.emit(executor, 'TASK_RUNNING', 'SOURCE_EXECUTOR');
    const { exitAfterMs, exitCode } = executor.behaviour;
    if (exitAfterMs !== undefined) {
      this.after(executor, exitAfterMs, () => {
        if (exitCode === 0) {
          this.finish(executor, 'TASK_FINISHED', 'SOURCE_EXECUTOR', {
            message: 'Command exited with status 0',
          });
        } else {
          this.finish(executor, 'TASK_FAILED', 'SOURCE_EXECUTOR', {
            message: `Command exited with status ${exitCode}`,
          });
        }
      });
    }
  }

  /** Kills a task; `gracePeriodMs` undefined means the executor's default. */
  kill(frameworkId: string, taskId: string, gracePeriodMs?: number): void {
    const executor = this.executors.get(`${frameworkId}/${taskId}`);
    if (!executor || executor.terminated || executor.killing) return;
    if (executor.state === 'TASK_STAGING') {
      return this.finish(executor, 'TASK_KILLED', 'SOURCE_AGENT', {
        reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
        message: 'Task killed before it was launched',
      });
    }
    executor.killing = true;
    if (executor.spec.killingState) this.emit(executor, 'TASK_KILLING', 'SOURCE_EXECUTOR');
    const grace = gracePeriodMs ?? this.timings.defaultGracePeriodMs;
    const signal = executor.behaviour.ignoreSigterm ? 'Killed' : 'Terminated';
    const exitIn = executor.behaviour.ignoreSigterm
      ? grace
      : Math.min(grace, this.timings.killDelayMs);
    this.after(executor, exitIn, () =>
      this.finish(executor, 'TASK_KILLED', 'SOURCE_EXECUTOR', {
        message: `Command terminated with signal ${signal}`,
      }),
    );
  }

  /** The framework is gone: its executors stop and its pending updates are dropped. */
  shutdownFramework(frameworkId: string): void {
    const prefix = `${frameworkId}/`;
    for (const [key, executor] of this.executors) {
      if (!key.startsWith(prefix)) continue;
      this.stopExecutor(executor);
      this.dropStream(key);
      this.executors.delete(key);
    }
  }

  /** The agent is gone for good: everything on it stops. */
  destroy(): void {
    for (const executor of this.executors.values()) this.stopExecutor(executor);
    for (const key of this.streams.keys()) this.dropStream(key);
    this.executors.clear();
  }

  /** Processes an acknowledgement forwarded by the master; true if it matched. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): boolean {
    const key = `${frameworkId}/${taskId}`;
    const stream = this.streams.get(key);
    if (!stream?.inFlight || stream.inFlight.uuid !== uuid) return false;
    stream.retry?.cancel();
    stream.retry = undefined;
    stream.backoffMs = this.timings.statusUpdateRetryMinMs;
    stream.inFlight = stream.queue.shift();
    if (stream.inFlight) {
      this.send(stream);
    } else if (this.executors.get(key)?.terminated) {
      this.streams.delete(key);
      this.executors.delete(key);
    }
    return true;
  }

  /** Reconnects after a partition: every update in flight is sent again at once. */
  reconnect(): void {
    this.reachable = true;
    for (const stream of this.streams.values()) {
      if (stream.inFlight) this.deliver(stream);
    }
  }

  private after(executor: Executor, ms: number, fn: () => void): void {
    executor.timers.push(
      this.clock.setTimeout(() => {
        if (!executor.terminated) fn();
      }, ms),
    );
  }

  private finish(
    executor: Executor,
    state: TaskState,
    source: TaskStatusSource,
    extra: { reason?: TaskStatusReason; message?: string },
  ): void {
    this.emit(executor, state, source, extra);
    this.stopExecutor(executor);
  }

  private stopExecutor(executor: Executor): void {
    executor.terminated = true;
    for (const timer of executor.timers) timer.cancel();
    executor.timers = [];
  }

  private emit(
    executor: Executor,
    state: TaskState,
    source: TaskStatusSource,
    extra: { reason?: TaskStatusReason; message?: string } = {},
  ): void {
    executor.state = state;
    const status: TaskStatus = {
      task_id: executor.spec.info.task_id,
      state,
      ...(extra.message !== undefined ? { message: extra.message } : {}),
      source,
      ...(extra.reason ? { reason: extra.reason } : {}),
      agent_id: { value: this.id },
      executor_id: { value: executor.spec.executorId },
      timestamp: this.clock.now() / 1000,
      uuid: this.random.uuidBytes().toString('base64'),
      container_status: {
        container_id: { value: executor.containerId },
        network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.ip }] }],
        executor_pid: executor.pid,
      },
    };
    this.enqueue(executor.key, executor.spec.frameworkId, status);
  }

  private enqueue(key: string, frameworkId: string, status: TaskStatus): void {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = {
        frameworkId,
        queue: [],
        latestState: status.state,
        backoffMs: this.timings.statusUpdateRetryMinMs,
      };
      this.streams.set(key, stream);
    }
    stream.latestState = status.state;
    if (stream.inFlight) {
      stream.queue.push(status);
    } else {
      stream.inFlight = status;
      this.send(stream);
    }
  }

  private send(stream: UpdateStream): void {
    this.deliver(stream);
    stream.retry = this.clock.setTimeout(() => this.resend(stream), stream.backoffMs);
  }

  private resend(stream: UpdateStream): void {
    if (!stream.inFlight) return;
    stream.backoffMs = Math.min(stream.backoffMs * 2, this.timings.statusUpdateRetryMaxMs);
    this.send(stream);
  }

  private deliver(stream: UpdateStream): void {
    if (this.reachable && stream.inFlight) {
      this.uplink.statusUpdate(this.id, stream.frameworkId, stream.inFlight, stream.latestState);
    }
  }

  private dropStream(key: string): void {
    const stream = this.streams.get(key);
    stream?.retry?.cancel();
    this.streams.delete(key);
  }
}
