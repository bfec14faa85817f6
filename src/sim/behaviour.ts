/**
 * What a simulated task does once it runs, read from its labels (or, failing that, from
 * environment variables of its command, so that an App manifest can set them either way):
 *
 * | label / env var                                         | effect                                      |
 * |---------------------------------------------------------|---------------------------------------------|
 * | `meseta.sim/exit-after` / `MESETA_SIM_EXIT_AFTER`       | seconds after RUNNING, the process exits    |
 * | `meseta.sim/exit-code` / `MESETA_SIM_EXIT_CODE`         | its exit code (default 0: TASK_FINISHED)    |
 * | `meseta.sim/ignore-sigterm` / `MESETA_SIM_IGNORE_SIGTERM` | `true`: only SIGKILL after the grace ends |
 * | `meseta.sim/launch` / `MESETA_SIM_LAUNCH`               | `fail`: the container launch fails          |
 * | `meseta.sim/health` / `MESETA_SIM_HEALTH`               | `healthy` (default), `never`, `flap:S` (healthy S seconds, unhealthy S seconds, …), `unhealthy-after:S` |
 *
 * Without any of them a task runs, healthy, until it is killed.
 */
import type { TaskInfo } from '../mesos/types.ts';

export type HealthBehaviour =
  | { kind: 'healthy' }
  | { kind: 'never' }
  | { kind: 'flap'; periodMs: number }
  | { kind: 'unhealthy-after'; afterMs: number };

export interface TaskBehaviour {
  exitAfterMs?: number;
  exitCode: number;
  ignoreSigterm: boolean;
  launchFails: boolean;
  health: HealthBehaviour;
}

const keys = {
  exitAfter: ['meseta.sim/exit-after', 'MESETA_SIM_EXIT_AFTER'],
  exitCode: ['meseta.sim/exit-code', 'MESETA_SIM_EXIT_CODE'],
  ignoreSigterm: ['meseta.sim/ignore-sigterm', 'MESETA_SIM_IGNORE_SIGTERM'],
  launch: ['meseta.sim/launch', 'MESETA_SIM_LAUNCH'],
  health: ['meseta.sim/health', 'MESETA_SIM_HEALTH'],
} as const;

const plain: TaskBehaviour = {
  exitCode: 0,
  ignoreSigterm: false,
  launchFails: false,
  health: { kind: 'healthy' },
};

export function behaviourOf(task: TaskInfo): TaskBehaviour {
  if (!task.labels?.labels?.length && !task.command?.environment?.variables?.length) return plain;
  const labels = new Map((task.labels?.labels ?? []).map((l) => [l.key, l.value ?? '']));
  const env = new Map(
    (task.command?.environment?.variables ?? []).map((v) => [v.name, v.value ?? '']),
  );
  const read = ([label, variable]: readonly [string, string]) =>
    labels.get(label) ?? env.get(variable);
  const exitAfter = Number(read(keys.exitAfter));
  const exitCode = Number(read(keys.exitCode) ?? 0);
  return {
    exitAfterMs:
      read(keys.exitAfter) !== undefined && exitAfter >= 0 ? exitAfter * 1000 : undefined,
    exitCode: Number.isInteger(exitCode) ? exitCode : 1,
    ignoreSigterm: read(keys.ignoreSigterm) === 'true',
    launchFails: read(keys.launch) === 'fail',
    health: healthOf(read(keys.health)),
  };
}

function healthOf(text: string | undefined): HealthBehaviour {
  if (text === 'never') return { kind: 'never' };
  const [kind, seconds] = (text ?? '').split(':');
  const ms = Number(seconds) * 1000;
  if (kind === 'flap' && ms > 0) return { kind: 'flap', periodMs: ms };
  if (kind === 'unhealthy-after' && ms >= 0) return { kind: 'unhealthy-after', afterMs: ms };
  return { kind: 'healthy' };
}

/** The simulated health of a task `sinceRunningMs` after it started running. */
export function healthyAt(behaviour: HealthBehaviour, sinceRunningMs: number): boolean {
  switch (behaviour.kind) {
    case 'healthy':
      return true;
    case 'never':
      return false;
    case 'flap':
      return Math.floor(sinceRunningMs / behaviour.periodMs) % 2 === 0;
    case 'unhealthy-after':
      return sinceRunningMs < behaviour.afterMs;
  }
}
