/**
 * One simulated agent's side of the world: the command executor of each task it runs and the
 * agent's status update manager.
 *
 * Executor: STAGING → TASK_STARTING → TASK_RUNNING after configurable delays, then the process
 * decides (a `SimulatedProcess` following the task's behaviour, or in local mode a real
 * `LocalProcess`): exit 0 → TASK_FINISHED, otherwise TASK_FAILED; a kill sends TASK_KILLING
 * (if the framework understands it), SIGTERM, SIGKILL after the grace period, then
 * TASK_KILLED. Native health checks report `healthy` on TASK_RUNNING updates and kill the task
 * after too many failures, as Mesos's command executor does.
 *
 * Status update manager: each task's updates go to the master one at a time, in order; the one
 * in flight is resent with exponential backoff (10 s doubling to 10 min) until the framework
 * acknowledges it.
 */
import type { Clock, Timer } from '../clock.ts';
import type {
  TaskInfo,
  TaskState,
  TaskStatus,
  TaskStatusReason,
  TaskStatusSource,
} from '../mesos/types.ts';
import { behaviourOf, healthyAt, type TaskBehaviour } from './behaviour.ts';
import { HealthChecker, localProbe } from './health.ts';
import {
  LocalProcess,
  SimulatedProcess,
  taskEnvironment,
  type ProcessExit,
  type TaskProcess,
} from './process.ts';
import type { Random } from './random.ts';

export interface AgentTimings {
  /** STAGING → TASK_STARTING. */
  startingDelayMs: number;
  /** TASK_STARTING → TASK_RUNNING. */
  runningDelayMs: number;
  /** SIGTERM → exit, for a simulated task that honours SIGTERM. */
  killDelayMs: number;
  /** Kill grace period of the command executor when neither KILL nor the task sets one. */
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
  process?: TaskProcess;
  timers: Timer[];
  health?: HealthChecker;
  lastStatus?: TaskStatus;
  /** Shared by every status of this executor (100,000 tasks make copies add up). */
  containerStatus?: TaskStatus['container_status'];
  killing: boolean;
  killedByHealthCheck: boolean;
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

export interface AgentOptions {
  timings: AgentTimings;
  /** Really run task commands on this machine. */
  local: boolean;
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
    private readonly options: AgentOptions,
  ) {}

  /** Tasks whose executor still runs or whose updates are not all acknowledged. */
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
      timers: [],
      killing: false,
      killedByHealthCheck: false,
      terminated: false,
    };
    this.executors.set(key, executor);
    this.after(executor, this.options.timings.startingDelayMs, () => {
      if (executor.behaviour.launchFails) {
        return this.finish(executor, 'TASK_FAILED', 'SOURCE_AGENT', {
          reason: 'REASON_CONTAINER_LAUNCH_FAILED',
          message: 'Failed to launch container: simulated launch failure',
        });
      }
      executor.process = this.options.local
        ? new LocalProcess(spec.info, spec.frameworkId, this.id)
        : new SimulatedProcess(
            this.nextPid++,
            this.clock,
            executor.behaviour,
            this.options.timings.killDelayMs,
          );
      this.emit(executor, 'TASK_STARTING', 'SOURCE_EXECUTOR');
      this.after(executor, this.options.timings.runningDelayMs, () => this.run(executor));
    });
  }

  private run(executor: Executor): void {
    executor.process!.start((exit) => this.exited(executor, exit));
    if (executor.terminated) return;
    this.emit(executor, 'TASK_RUNNING', 'SOURCE_EXECUTOR');
    const check = executor.spec.info.health_check;
    if (!check) return;
    const runningSince = this.clock.now();
    const probe = this.options.local
      ? localProbe(
          check,
          taskEnvironment(executor.spec.info, executor.spec.frameworkId, this.id, '/tmp'),
        )
      : () => healthyAt(executor.behaviour.health, this.clock.now() - runningSince);
    executor.health = new HealthChecker(this.clock, check, probe, (verdict) => {
      if (executor.terminated || executor.killing) return;
      this.healthUpdate(executor, verdict.healthy);
      if (verdict.kill) {
        executor.killedByHealthCheck = true;
        this.killExecutor(executor, undefined);
      }
    });
    executor.health.start();
  }

  private healthUpdate(executor: Executor, healthy: boolean): void {
    const last = executor.lastStatus;
    if (!last) return;
    this.enqueue(executor.key, executor.spec.frameworkId, {
      ...last,
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      healthy,
      timestamp: this.clock.now() / 1000,
      uuid: this.random.uuidBytes().toString('base64'),
    });
  }

  private exited(executor: Executor, exit: ProcessExit): void {
    if (executor.terminated) return;
    const healthy = executor.killedByHealthCheck ? { healthy: false } : {};
    if (executor.killing) {
      const signal = exit.signal === 'SIGKILL' ? 'Killed' : 'Terminated';
      return this.finish(executor, 'TASK_KILLED', 'SOURCE_EXECUTOR', {
        message: `Command terminated with signal ${signal}`,
        ...healthy,
      });
    }
    if (exit.code === 0) {
      return this.finish(executor, 'TASK_FINISHED', 'SOURCE_EXECUTOR', {
        message: 'Command exited with status 0',
      });
    }
    this.finish(executor, 'TASK_FAILED', 'SOURCE_EXECUTOR', {
      message:
        exit.code !== undefined
          ? `Command exited with status ${exit.code}`
          : `Command terminated with signal ${exit.signal}`,
    });
  }

  /** Kills a task; `gracePeriodMs` undefined means the executor's default. */
  kill(frameworkId: string, taskId: string, gracePeriodMs?: number): void {
    const executor = this.executors.get(`${frameworkId}/${taskId}`);
    if (executor) this.killExecutor(executor, gracePeriodMs);
  }

  private killExecutor(executor: Executor, gracePeriodMs: number | undefined): void {
    if (executor.terminated || executor.killing) return;
    if (!executor.process) {
      return this.finish(executor, 'TASK_KILLED', 'SOURCE_AGENT', {
        reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
        message: 'Task killed before it was launched',
      });
    }
    executor.killing = true;
    executor.health?.stop();
    if (executor.spec.killingState) this.emit(executor, 'TASK_KILLING', 'SOURCE_EXECUTOR');
    executor.process.terminate();
    const grace = gracePeriodMs ?? this.options.timings.defaultGracePeriodMs;
    this.after(executor, grace, () => executor.process!.kill());
  }

  /** The framework is gone: its executors stop and its pending updates are dropped. */
  shutdownFramework(frameworkId: string): void {
    const prefix = `${frameworkId}/`;
    for (const [key, executor] of this.executors) {
      if (!key.startsWith(prefix)) continue;
      this.stopExecutor(executor, true);
      this.dropStream(key);
      this.executors.delete(key);
    }
  }

  /** The agent is gone for good: everything on it stops. */
  destroy(): void {
    for (const executor of this.executors.values()) this.stopExecutor(executor, true);
    for (const key of [...this.streams.keys()]) this.dropStream(key);
    this.executors.clear();
  }

  /** Processes an acknowledgement forwarded by the master; true if it matched. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): boolean {
    const key = `${frameworkId}/${taskId}`;
    const stream = this.streams.get(key);
    if (!stream?.inFlight || stream.inFlight.uuid !== uuid) return false;
    stream.retry?.cancel();
    stream.retry = undefined;
    stream.backoffMs = this.options.timings.statusUpdateRetryMinMs;
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
    extra: { reason?: TaskStatusReason; message?: string; healthy?: boolean },
  ): void {
    this.emit(executor, state, source, extra);
    this.stopExecutor(executor, false);
  }

  private stopExecutor(executor: Executor, killProcess: boolean): void {
    executor.terminated = true;
    executor.health?.stop();
    for (const timer of executor.timers) timer.cancel();
    executor.timers = [];
    if (killProcess) executor.process?.kill();
  }

  private emit(
    executor: Executor,
    state: TaskState,
    source: TaskStatusSource,
    extra: { reason?: TaskStatusReason; message?: string; healthy?: boolean } = {},
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
      ...(extra.healthy !== undefined ? { healthy: extra.healthy } : {}),
      container_status: this.containerStatus(executor),
    };
    executor.lastStatus = status;
    this.enqueue(executor.key, executor.spec.frameworkId, status);
  }

  private containerStatus(executor: Executor): TaskStatus['container_status'] {
    const pid = executor.process?.pid;
    if (!executor.containerStatus || (pid && executor.containerStatus.executor_pid !== pid)) {
      executor.containerStatus = {
        container_id: { value: executor.containerId },
        network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.ip }] }],
        ...(pid ? { executor_pid: pid } : {}),
      };
    }
    return executor.containerStatus;
  }

  private enqueue(key: string, frameworkId: string, status: TaskStatus): void {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = {
        frameworkId,
        queue: [],
        latestState: status.state,
        backoffMs: this.options.timings.statusUpdateRetryMinMs,
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
    stream.backoffMs = Math.min(stream.backoffMs * 2, this.options.timings.statusUpdateRetryMaxMs);
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
