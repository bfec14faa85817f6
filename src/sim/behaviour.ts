/**
 * What a simulated task does once it runs, read from its labels (or, failing that, from
 * environment variables of its command, so that an App manifest can set them either way):
 *
 * | label / env var                                   | effect                                   |
 * |---------------------------------------------------|------------------------------------------|
 * | `meseta.sim/exit-after` / `MESETA_SIM_EXIT_AFTER` | seconds after RUNNING, the process exits |
 * | `meseta.sim/exit-code` / `MESETA_SIM_EXIT_CODE`   | its exit code (default 0: TASK_FINISHED) |
 * | `meseta.sim/ignore-sigterm` / `…_IGNORE_SIGTERM`  | `true`: only SIGKILL after the grace ends |
 * | `meseta.sim/launch` / `MESETA_SIM_LAUNCH`         | `fail`: container launch fails           |
 *
 * Without any of them a task runs until it is killed.
 */
import type { TaskInfo } from '../mesos/types.ts';

export interface TaskBehaviour {
  exitAfterMs?: number;
  exitCode: number;
  ignoreSigterm: boolean;
  launchFails: boolean;
}

const keys = {
  exitAfter: ['meseta.sim/exit-after', 'MESETA_SIM_EXIT_AFTER'],
  exitCode: ['meseta.sim/exit-code', 'MESETA_SIM_EXIT_CODE'],
  ignoreSigterm: ['meseta.sim/ignore-sigterm', 'MESETA_SIM_IGNORE_SIGTERM'],
  launch: ['meseta.sim/launch', 'MESETA_SIM_LAUNCH'],
} as const;

export function behaviourOf(task: TaskInfo): TaskBehaviour {
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
  };
}
