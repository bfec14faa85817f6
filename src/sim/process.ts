/**
 * The process behind a task's command executor. A `SimulatedProcess` follows the task's
 * behaviour on the injected clock (deterministic); a `LocalProcess` really runs the command on
 * this machine (local mode) in its own process group, with the task's environment. Both report
 * how the process ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, Timer } from '../clock.ts';
import type { TaskInfo } from '../mesos/types.ts';
import type { TaskBehaviour } from './behaviour.ts';

export interface ProcessExit {
  code?: number;
  signal?: 'SIGTERM' | 'SIGKILL' | string;
}

export interface TaskProcess {
  readonly pid: number;
  /** Starts the process; `onExit` is called once when it ends. */
  start(onExit: (exit: ProcessExit) => void): void;
  /** SIGTERM. */
  terminate(): void;
  /** SIGKILL. */
  kill(): void;
}

export class SimulatedProcess implements TaskProcess {
  private timers: Timer[] = [];
  private onExit: ((exit: ProcessExit) => void) | undefined;

  constructor(
    readonly pid: number,
    private readonly clock: Clock,
    private readonly behaviour: TaskBehaviour,
    private readonly sigtermExitMs: number,
  ) {}

  start(onExit: (exit: ProcessExit) => void): void {
    this.onExit = onExit;
    const { exitAfterMs, exitCode } = this.behaviour;
    if (exitAfterMs !== undefined) this.after(exitAfterMs, { code: exitCode });
  }

  terminate(): void {
    if (!this.behaviour.ignoreSigterm) this.after(this.sigtermExitMs, { signal: 'SIGTERM' });
  }

  kill(): void {
    this.exit({ signal: 'SIGKILL' });
  }

  private after(ms: number, exit: ProcessExit): void {
    this.timers.push(this.clock.setTimeout(() => this.exit(exit), ms));
  }

  private exit(exit: ProcessExit): void {
    const onExit = this.onExit;
    if (!onExit) return;
    this.onExit = undefined;
    for (const timer of this.timers) timer.cancel();
    onExit(exit);
  }
}

/** Environment a Mesos agent gives a command task, plus the task's own variables. */
export function taskEnvironment(
  task: TaskInfo,
  frameworkId: string,
  agentId: string,
  sandbox: string,
) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? sandbox,
    MESOS_TASK_ID: task.task_id.value,
    MESOS_FRAMEWORK_ID: frameworkId,
    MESOS_AGENT_ID: agentId,
    MESOS_SANDBOX: sandbox,
    MESOS_DIRECTORY: sandbox,
  };
  for (const variable of task.command?.environment?.variables ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  return env;
}

export class LocalProcess implements TaskProcess {
  private child: ChildProcess | undefined;

  constructor(
    private readonly task: TaskInfo,
    private readonly frameworkId: string,
    private readonly agentId: string,
  ) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  start(onExit: (exit: ProcessExit) => void): void {
    const sandbox = mkdtempSync(
      join(tmpdir(), `meseta-sandbox-${this.task.task_id.value.replace(/[^\w.-]/g, '_')}-`),
    );
    const command = this.task.command ?? {};
    const shell = command.shell ?? true;
    const [file, args] = shell
      ? ['/bin/sh', ['-c', command.value ?? 'true']]
      : [command.value ?? 'true', command.arguments?.slice(1) ?? []];
    let done = false;
    const finish = (exit: ProcessExit) => {
      if (done) return;
      done = true;
      // Mesos garbage-collects sandboxes later; a simulator on a laptop cleans up at once.
      rmSync(sandbox, { recursive: true, force: true });
      onExit(exit);
    };
    this.child = spawn(file, args, {
      cwd: sandbox,
      env: taskEnvironment(this.task, this.frameworkId, this.agentId, sandbox),
      detached: true,
      stdio: 'ignore',
    });
    this.child.on('error', () => finish({ code: 127 }));
    this.child.on('exit', (code, signal) => finish(signal ? { signal } : { code: code ?? 0 }));
  }

  terminate(): void {
    this.signal('SIGTERM');
  }

  kill(): void {
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }
}
