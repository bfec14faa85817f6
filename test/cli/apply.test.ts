import { join } from 'node:path';
import { expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { LAST_APPLIED } from '../../src/apply/apply-plan.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir, writeManifests } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

describeBackends('meseta apply', (backend) => {
  it('creates, then reports unchanged, then configures; records the last-applied manifest', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({
      'web.yaml': appManifest('web', { instances: 2 }),
      'api.yaml': appManifest('api'),
    });
    const apply = () => runInProcess(['apply', '-f', dir, ...flags]);
    expect(await apply()).toEqual({
      code: 0,
      stdout: 'app.meseta.io/api created\napp.meseta.io/web created\n',
      stderr: '',
    });
    const web = await objects.get(appResource, { namespace: 'default', name: 'web' });
    expect(web?.spec).toMatchObject({ instances: 2, cpus: 1, mem: 128, cmd: 'sleep 1000' });
    expect(JSON.parse(web!.metadata.annotations![LAST_APPLIED]!)).toEqual({
      ...appManifest('web', { instances: 2 }),
      metadata: { name: 'web', namespace: 'default' },
    });
    expect((await apply()).stdout).toBe(
      'app.meseta.io/api unchanged\napp.meseta.io/web unchanged\n',
    );
    writeManifests(dir, { 'web.yaml': appManifest('web', { instances: 3 }) });
    expect((await apply()).stdout).toBe(
      'app.meseta.io/api unchanged\napp.meseta.io/web configured\n',
    );
    const after = await objects.get(appResource, { namespace: 'default', name: 'web' });
    expect(after?.spec.instances).toBe(3);
    expect(after?.metadata.generation).toBe(2);
  });

  it('removes a field dropped from the file and keeps one nobody applied', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({
      'web.yaml': appManifest('web', {
        cpus: 2,
        portDefinitions: [{ name: 'http' }, { name: 'admin' }],
      }),
    });
    expect((await runInProcess(['apply', '-f', dir, ...flags])).code).toBe(0);
    // Someone else labels the App and adds a port of their own.
    const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    live.metadata.labels = { team: 'payments' };
    live.spec.portDefinitions!.push({ name: 'metrics', port: 9100, protocol: 'tcp' });
    await objects.update(appResource, live);

    writeManifests(dir, {
      'web.yaml': appManifest('web', { portDefinitions: [{ name: 'http' }] }),
    });
    const result = await runInProcess(['apply', '-f', dir, ...flags]);
    expect(result).toMatchObject({ code: 0, stdout: 'app.meseta.io/web configured\n' });
    const stored = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    expect(stored.spec.cpus).toBe(1); // back to the default
    expect(stored.spec.portDefinitions!.map((p) => p.name)).toEqual(['http', 'metrics']);
    expect(stored.metadata.labels).toEqual({ team: 'payments' });
  });

  it('refuses to overwrite a field someone else changed unless --force-conflicts', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({ 'web.yaml': appManifest('web', { instances: 3 }) });
    await runInProcess(['apply', '-f', dir, ...flags]);
    const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    live.spec.instances = 5;
    await objects.update(appResource, live);

    const refused = await runInProcess(['apply', '-f', dir, ...flags]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `error: ${join(dir, 'web.yaml')}: app.meseta.io/web: changed by someone else since your last apply: ` +
        'spec.instances (live 5, last applied 3, file 3). Put the live value in the file, or pass --force-conflicts to overwrite it\n',
    );
    expect(
      (await objects.get(appResource, { namespace: 'default', name: 'web' }))!.spec.instances,
    ).toBe(5);

    const forced = await runInProcess(['apply', '-f', dir, '--force-conflicts', ...flags]);
    expect(forced).toMatchObject({ code: 0, stdout: 'app.meseta.io/web configured\n' });
    expect(
      (await objects.get(appResource, { namespace: 'default', name: 'web' }))!.spec.instances,
    ).toBe(3);
  });

  it('applies the valid files of a batch, none of an invalid file, and exits 1', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({
      'a.yaml': appManifest('a'),
      'b.yaml': `${'apiVersion: meseta.io/v1\nkind: App\nmetadata: {name: b1}\nspec: {cmd: run}\n'}---\napiVersion: meseta.io/v1\nkind: App\nmetadata: {name: b2}\nspec:\n  cmd: run\n  cpus: -1\n`,
    });
    const result = await runInProcess(['apply', '-f', dir, ...flags]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('app.meseta.io/a created\n');
    expect(result.stderr).toBe(`error: ${join(dir, 'b.yaml')}:11:9 spec.cpus: must be >= 0.001\n`);
    const { items } = await objects.list(appResource);
    expect(items.map((a) => a.metadata.name)).toEqual(['a']);
  });

  it('writes nothing in a client or server dry run', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({ 'web.yaml': appManifest('web') });
    expect(await runInProcess(['apply', '-f', dir, '--dry-run=client', ...flags])).toEqual({
      code: 0,
      stdout: 'app.meseta.io/web created (dry run)\n',
      stderr: '',
    });
    expect((await runInProcess(['apply', '-f', dir, '--dry-run', 'server', ...flags])).stdout).toBe(
      'app.meseta.io/web created (server dry run)\n',
    );
    expect((await objects.list(appResource)).items).toEqual([]);
    const wrong = await runInProcess(['apply', '-f', dir, '--dry-run=maybe', ...flags]);
    expect(wrong).toMatchObject({
      code: 2,
      stderr: 'error: --dry-run must be none, client or server (got "maybe")\n',
    });
  });

  it('takes the namespace from -n before or after the verb, and refuses a mismatch', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({ 'web.yaml': appManifest('web') });
    expect((await runInProcess(['-n', 'shop', 'apply', '-f', dir, ...flags])).code).toBe(0);
    expect((await runInProcess(['apply', '-f', dir, ...flags, '-n', 'shop'])).stdout).toBe(
      'app.meseta.io/web unchanged\n',
    );
    expect(await objects.get(appResource, { namespace: 'shop', name: 'web' })).toBeDefined();
    const other = manifestDir({ 'x.yaml': appManifest('x', {}, { namespace: 'other' }) });
    const mismatch = await runInProcess(['apply', '-f', other, ...flags, '-n', 'shop']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain(
      `${join(other, 'x.yaml')}:5:14 metadata.namespace: the document's namespace "other" differs from -n shop`,
    );
  });

  it('re-reads and re-merges when another writer wins the race', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({ 'web.yaml': appManifest('web', { instances: 1 }) });
    await runInProcess(['apply', '-f', dir, ...flags]);
    writeManifests(dir, { 'web.yaml': appManifest('web', { instances: 4 }) });
    // Many label writers racing the apply: each CAS loser must retry, and nothing is lost.
    const writers = Array.from({ length: 5 }, async (_, i) => {
      for (;;) {
        const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
        live.metadata.labels = { ...live.metadata.labels, [`w${i}`]: 'x' };
        try {
          return await objects.update(appResource, live);
        } catch {
          // lost a race: re-read
        }
      }
    });
    const [result] = await Promise.all([runInProcess(['apply', '-f', dir, ...flags]), ...writers]);
    expect(result).toMatchObject({ code: 0, stdout: 'app.meseta.io/web configured\n' });
    const stored = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    expect(stored.spec.instances).toBe(4);
    expect(Object.keys(stored.metadata.labels ?? {}).sort()).toEqual([
      'w0',
      'w1',
      'w2',
      'w3',
      'w4',
    ]);
  });
});
