import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { until } from '../support/until.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

/** An executable shell script to serve as $EDITOR; it gets the file as $1. */
function editor(body: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'meseta-editor-')), 'editor.sh');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const saved = { EDITOR: process.env.EDITOR, VISUAL: process.env.VISUAL };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describeBackends('meseta edit', (backend) => {
  async function withWeb() {
    const fresh = backend.fresh();
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'web.yaml': appManifest('web', { instances: 2 }) }),
      ...fresh.flags,
    ]);
    const web = async () =>
      (await fresh.objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    return { ...fresh, web };
  }

  it('re-opens an invalid edit with its problems, then saves the fixed one', async () => {
    const { flags, web } = await withWeb();
    delete process.env.VISUAL;
    process.env.EDITOR = editor(
      [
        'if grep -q "not valid" "$1"; then',
        '  grep -q "spec.instances: must be >= 0" "$1" || exit 3',
        '  sed -i \'s/instances: -1/instances: 4/\' "$1"',
        'else',
        '  sed -i \'s/instances: 2/instances: -1/\' "$1"',
        'fi',
      ].join('\n'),
    );
    expect(await runInProcess(['edit', 'app', 'web', ...flags])).toEqual({
      code: 0,
      stdout: 'app.meseta.io/web edited\n',
      stderr: '',
    });
    expect((await web()).spec.instances).toBe(4);
  });

  it('cancels on an empty file or an unchanged one', async () => {
    const { flags, web } = await withWeb();
    delete process.env.VISUAL;
    process.env.EDITOR = editor(': > "$1"');
    expect((await runInProcess(['edit', 'app', 'web', ...flags])).stdout).toBe(
      'Edit cancelled, no changes made.\n',
    );
    process.env.EDITOR = editor('true');
    expect((await runInProcess(['edit', 'app', 'web', ...flags])).stdout).toBe(
      'Edit cancelled, no changes made.\n',
    );
    expect((await web()).metadata.generation).toBe(1);
  });

  it('writes nothing when someone else changed the App meanwhile, and keeps the edit', async () => {
    const { flags, objects, web } = await withWeb();
    const dir = mkdtempSync(join(tmpdir(), 'meseta-edit-sync-'));
    delete process.env.VISUAL;
    process.env.EDITOR = editor(
      [
        `touch ${dir}/opened`,
        `i=0; while [ ! -f ${dir}/go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done`,
        'sed -i \'s/instances: 2/instances: 7/\' "$1"',
      ].join('\n'),
    );
    const running = runInProcess(['edit', 'app', 'web', ...flags]);
    await until(() => existsSync(join(dir, 'opened')), { what: 'the editor to open' });
    const live = await web();
    await objects.update(appResource, {
      ...live,
      metadata: { ...live.metadata, labels: { by: 'other' } },
    });
    writeFileSync(join(dir, 'go'), '');
    const result = await running;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: app\.meseta\.io\/web was changed by someone else while you edited it; nothing was saved\. Your version is in (\S+web\.yaml):/,
    );
    expect((await web()).spec.instances).toBe(2);
  });
});
