/**
 * Runs `main(argv)` in this process with stdout and stderr captured: the real command line
 * (parsing, verbs, exit codes) without a process start per call. `MESETA_CONFIG` points at
 * `config` (default: a file that does not exist) so that no test reads the user's own config.
 */
import { main } from '../../src/cli/main.ts';
import type { RunResult } from './run-meseta.ts';

export async function runInProcess(
  args: string[],
  options: { config?: string; onStdout?: (text: string) => void } = {},
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const saved = process.env.MESETA_CONFIG;
  process.env.MESETA_CONFIG = options.config ?? '/nonexistent/meseta-test-config';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    options.onStdout?.(stdout);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    if (saved === undefined) delete process.env.MESETA_CONFIG;
    else process.env.MESETA_CONFIG = saved;
  }
}
