/**
 * The `meseta` command line. Each verb lives in a file of its own under `src/cli/` and exports
 * `register(program)`; this file only wires them up and turns errors into exit codes. No
 * business logic here.
 */
import { Command, CommanderError } from 'commander';
import { MesetaError, UsageError } from '../errors.ts';
import { register as registerStoreServe } from './store-serve.ts';
import { register as registerSim } from './sim.ts';
import { register as registerVersion } from './version.ts';
import { register as registerValidate } from './validate.ts';
import { register as registerConvert } from './convert.ts';
import { register as registerConnection } from './connection.ts';
import { register as registerConfig } from './config.ts';
import { register as registerApply } from './apply.ts';
import { register as registerDiff } from './diff.ts';
import { register as registerGet } from './get.ts';
import { register as registerDelete } from './delete.ts';
import { register as registerScale } from './scale.ts';
import { register as registerLabel } from './label.ts';
import { register as registerAnnotate } from './annotate.ts';
import { register as registerRollout } from './rollout.ts';
import { register as registerDescribe } from './describe.ts';
import { register as registerCompletion } from './completion.ts';
import { register as registerEdit } from './edit.ts';
import { register as registerController } from './controller.ts';
import { register as registerUp } from './up.ts';

/** Exit codes shared by every verb. */
export const Exit = { ok: 0, failed: 1, usage: 2 } as const;

/** A verb's action may throw this to exit with a specific code after printing nothing more. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export type VerbRegistrar = (program: Command) => void;

const verbs: VerbRegistrar[] = [
  registerVersion,
  registerValidate,
  registerConvert,
  registerStoreServe,
  registerSim,
  registerConnection,
  registerConfig,
  registerApply,
  registerDiff,
  registerGet,
  registerDelete,
  registerScale,
  registerLabel,
  registerAnnotate,
  registerRollout,
  registerDescribe,
  registerCompletion,
  registerEdit,
  registerController,
  registerUp,
];

export function buildProgram(): Command {
  const program = new Command('meseta')
    .description('A Kubernetes-style declarative control plane for Apache Mesos')
    .showHelpAfterError()
    .exitOverride();
  for (const register of verbs) register(program);
  return program;
}

/** Runs the command line and returns the process exit code; never throws for user errors. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Exit.ok;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof ExitCode) return error.code;
  if (error instanceof CommanderError) {
    // Commander has already printed help or its message.
    return error.exitCode === 0 ? Exit.ok : Exit.usage;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    return Exit.usage;
  }
  if (error instanceof MesetaError) {
    process.stderr.write(`error: ${error.format()}\n`);
    return Exit.failed;
  }
  throw error;
}
