import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from './run-in-process.ts';

/** Runs the generated script in bash and asks it to complete each line. */
function complete(script: string, lines: string[][]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'meseta-completion-'));
  writeFileSync(join(dir, 'completion.sh'), script);
  const driver = [
    `source ${join(dir, 'completion.sh')}`,
    // Stand-in for the real command when the script asks for App names.
    'meseta() { if [[ "$2" == agents ]]; then printf "agent.meseta.io/s1\\n"; else printf "app.meseta.io/web\\napp.meseta.io/api\\n"; fi; }',
    't() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); __meseta_complete; echo "${COMPREPLY[*]}"; }',
    ...lines.map((words) => `t ${words.map((w) => `'${w}'`).join(' ')}`),
  ].join('\n');
  const result = spawnSync('bash', ['-c', driver], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').slice(0, lines.length);
}

describe('meseta completion', () => {
  it('completes verbs, sub-verbs, flags, resource words and App names in bash', async () => {
    const { code, stdout } = await runInProcess(['completion', 'bash']);
    expect(code).toBe(0);
    expect(
      complete(stdout, [
        ['meseta', 'ge'],
        ['meseta', 'get', ''],
        ['meseta', '-n', 'shop', 'get', 'apps', 'w'],
        ['meseta', 'config', 'use'],
        ['meseta', 'rollout', ''],
        ['meseta', 'apply', '--dr'],
        ['meseta', 'get', 'apps', '--all'],
        ['meseta', 'describe', ''],
        ['meseta', 'get', 'instances', '--app', ''],
        ['meseta', 'get', '--app', 'web', 'rev'],
        ['meseta', 'describe', 'agent', ''],
      ]),
    ).toEqual([
      'get',
      'apps app instances revisions events agents',
      'web',
      'use-context',
      'status',
      '--dry-run',
      '--all-namespaces',
      'apps app agent',
      'web api',
      'revisions',
      's1',
    ]);
  });

  it('serves zsh through bashcompinit and refuses other shells', async () => {
    const zsh = await runInProcess(['completion', 'zsh']);
    expect(zsh.stdout.startsWith('#compdef meseta\n')).toBe(true);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -F __meseta_complete meseta');
    const fish = await runInProcess(['completion', 'fish']);
    expect(fish).toMatchObject({
      code: 2,
      stderr: 'error: completion: shell must be bash or zsh (got "fish")\n',
    });
  });
});
