/**
 * Runs `meseta` for CLI tests: `runMeseta` as a real child process (bin/meseta.js, stdin and
 * all), `runInProcess` through the same `main()` with stdout and stderr captured — much faster,
 * for cases that need no stdin.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function runMeseta(args: string[], stdin?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/meseta.js', ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Runs `main(args)` with the working directory at the repository root. */
export async function runInProcess(args: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
    out.mockRestore();
    err.mockRestore();
  }
}
