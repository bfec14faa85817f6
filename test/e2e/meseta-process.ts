/**
 * A long-running `meseta` child process for tests about processes (`controller`, `up`): its
 * output is collected, `waitFor(pattern)` waits for a line, `stop()` sends SIGTERM (or
 * another signal) and resolves to the exit code, `kill()` is SIGKILL. A test process that dies
 * takes its children with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../cli/run-meseta.ts';
import { until } from '../support/until.ts';

export interface MesetaProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): { stdout: string; stderr: string };
  /** Waits until stdout (or stderr, with `stream`) matches; fails early if the process exits. */
  waitFor(
    pattern: RegExp,
    options?: { within?: number; stream?: 'stdout' | 'stderr' },
  ): Promise<RegExpMatchArray>;
  /** Sends `signal` (SIGTERM by default) and resolves to the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL: no clean shutdown. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function spawnMeseta(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): MesetaProcess {
  const child = spawn(process.execPath, [`${repoRoot}bin/meseta.js`, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exitCode: number | null | undefined;
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on(
    'data',
    (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-200_000)),
  );
  const guard = () => child.kill('SIGKILL');
  process.once('exit', guard);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      process.removeListener('exit', guard);
      exitCode = code ?? (signal ? null : code);
      resolve(code);
    }),
  );
  const tail = () => `\n--- stdout:\n${stdout.slice(-3000)}\n--- stderr:\n${stderr.slice(-3000)}`;
  return {
    child,
    pid: child.pid!,
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern, { within = 20_000, stream = 'stdout' } = {}) {
      try {
        return await until(
          () => {
            const match = (stream === 'stdout' ? stdout : stderr).match(pattern);
            if (match) return match;
            if (exitCode !== undefined) throw new Error(`meseta exited (${exitCode}) first`);
            return undefined;
          },
          { within, every: 25, what: `meseta ${args[0]} to print ${pattern}` },
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}${tail()}`, { cause: error });
      }
    },
    async stop(signal = 'SIGTERM') {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
    async kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
  };
}
