import { expect, it } from 'vitest';
import { stringify } from 'yaml';
import { appResource } from '../../src/api/resources.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir, writeManifests } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';
import { runMeseta } from './run-meseta.ts';

describeBackends('meseta diff', (backend) => {
  it('exits 1 with the whole object for an App that does not exist yet', async () => {
    const { flags } = backend.fresh();
    const dir = manifestDir({ 'web.yaml': appManifest('web') });
    const result = await runInProcess(['diff', '-f', dir, ...flags]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^--- live\/app\.meseta\.io\/default\/web\n\+\+\+ merged\/app\.meseta\.io\/default\/web\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: meseta.io\/v1\n/,
    );
    expect(result.stdout).toContain('+  cpus: 1\n');
  });

  it('exits 0 after apply, ignoring defaults, and shows only what the file changes', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({ 'web.yaml': appManifest('web', { instances: 2 }) });
    expect((await runInProcess(['apply', '-f', dir, ...flags])).code).toBe(0);
    expect(await runInProcess(['diff', '-f', dir, ...flags])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    writeManifests(dir, { 'web.yaml': appManifest('web', { instances: 3 }) });
    const result = await runInProcess(['diff', '-f', dir, ...flags]);
    expect(result.code).toBe(1);
    const changes = result.stdout.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    expect(changes).toEqual(['-  instances: 2', '+  instances: 3']);
    // diff never writes.
    const live = await objects.get(appResource, { namespace: 'default', name: 'web' });
    expect(live?.spec.instances).toBe(2);
  });

  it('exits 2 on an invalid manifest or a usage error', async () => {
    const { flags } = backend.fresh();
    const dir = manifestDir({ 'web.yaml': appManifest('web', { instances: -1 }) });
    const invalid = await runInProcess(['diff', '-f', dir, ...flags]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('spec.instances: must be >= 0');
    expect((await runInProcess(['diff', ...flags])).code).toBe(2);
  });

  it('exits 1 through the real binary too, reading stdin, with flags before the verb', async () => {
    const { flags } = backend.fresh();
    const result = await runMeseta(
      [...flags, '--config', '/nonexistent/meseta-test-config', 'diff', '-f', '-'],
      stringify(appManifest('web')),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('+++ merged/app.meseta.io/default/web\n');
    expect(result.stderr).toBe('');
  }, 20_000);
});
