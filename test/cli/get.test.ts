import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { appResource } from '../../src/api/resources.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

describeBackends('meseta get', (backend) => {
  async function seeded() {
    const fresh = backend.fresh();
    const dir = manifestDir({
      'web.yaml': appManifest('web', { instances: 3 }, { labels: { tier: 'web' } }),
      'db.yaml': appManifest('db', {
        container: { type: 'DOCKER', docker: { image: 'postgres:16' } },
      }),
      'shop.yaml': appManifest('cart', {}, { namespace: 'shop', labels: { tier: 'web' } }),
    });
    expect((await runInProcess(['apply', '-f', dir, ...fresh.flags])).code).toBe(0);
    const web = (await fresh.objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    await fresh.objects.updateStatus(appResource, {
      ...web,
      status: { running: 2, healthy: 1, updated: 2, currentRevision: 1 },
    });
    return fresh;
  }

  it('prints a table like kubectl, in the namespace or across all of them', async () => {
    const { flags } = await seeded();
    const table = await runInProcess(['get', 'apps', ...flags]);
    expect(table.code).toBe(0);
    expect(table.stdout.replace(/\d+s\n/g, 'AGE\n')).toBe(
      [
        'NAME   INSTANCES   HEALTHY   UPDATED   AGE',
        'db     0/1         0         0         AGE',
        'web    2/3         1         2         AGE',
        '',
      ].join('\n'),
    );
    const all = await runInProcess(['get', 'apps', '-A', '--no-headers', ...flags]);
    expect(all.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'default db',
      'default web',
      'shop cart',
      '',
    ]);
    const wide = await runInProcess(['get', 'apps', '-o', 'wide', ...flags]);
    expect(wide.stdout.split('\n')[0]).toBe(
      'NAME   INSTANCES   HEALTHY   UPDATED   AGE   CPUS   MEM   REVISION   RUNS',
    );
    expect(wide.stdout).toMatch(/db .* 1 +128 +<none> +postgres:16\n/);
    expect(wide.stdout).toMatch(/web .* 1 +128 +1 +sleep 1000\n/);
  });

  it('selects by label, prints names, YAML and JSON', async () => {
    const { flags } = await seeded();
    expect(
      (await runInProcess(['get', 'apps', '-A', '-l', 'tier=web', '-o', 'name', ...flags])).stdout,
    ).toBe('app.meseta.io/web\napp.meseta.io/cart\n');
    const one = parse((await runInProcess(['get', 'app', 'web', '-o', 'yaml', ...flags])).stdout);
    expect(one).toMatchObject({
      kind: 'App',
      metadata: { name: 'web', namespace: 'default', generation: 1 },
      spec: { instances: 3 },
      status: { running: 2 },
    });
    const list = JSON.parse(
      (await runInProcess(['get', 'app/web', 'db', '-o', 'json', ...flags])).stdout,
    );
    expect(list.kind).toBe('AppList');
    expect(list.items.map((a: { metadata: { name: string } }) => a.metadata.name)).toEqual([
      'web',
      'db',
    ]);
    // Flags before the verb work the same.
    expect((await runInProcess([...flags, '-n', 'shop', 'get', 'apps', '-o', 'name'])).stdout).toBe(
      'app.meseta.io/cart\n',
    );
  });

  it('says what is missing, and exits 1 only for a named App', async () => {
    const { flags } = await seeded();
    expect(await runInProcess(['get', 'apps', '-n', 'empty', ...flags])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No apps found in namespace empty.\n',
    });
    const missing = await runInProcess(['get', 'app', 'web', 'nope', '-o', 'name', ...flags]);
    expect(missing).toEqual({
      code: 1,
      stdout: 'app.meseta.io/web\n',
      stderr: 'error: app.meseta.io "nope" not found in namespace default\n',
    });
    const kind = await runInProcess(['get', 'pods', ...flags]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('unknown resource type "pods"');
    expect((await runInProcess(['get', 'apps', '-o', 'xml', ...flags])).code).toBe(2);
    const selector = await runInProcess(['get', 'apps', '-l', 'a in (', ...flags]);
    expect(selector.code).toBe(2);
    expect(selector.stderr).toMatch(/^error: -l: /);
  });
});

describeBackends('meseta delete and scale', (backend) => {
  it('deletes by name, by file and by label; says what was not there', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({
      'a.yaml': appManifest('a'),
      'b.yaml': appManifest('b', {}, { labels: { tier: 'web' } }),
      'c.yaml': appManifest('c', {}, { labels: { tier: 'web' } }),
    });
    await runInProcess(['apply', '-f', dir, ...flags]);
    expect(await runInProcess(['delete', 'app', 'a', ...flags])).toEqual({
      code: 0,
      stdout: 'app.meseta.io "a" deleted\n',
      stderr: '',
    });
    expect((await runInProcess(['delete', 'apps', '-l', 'tier=web', ...flags])).stdout).toBe(
      'app.meseta.io "b" deleted\napp.meseta.io "c" deleted\n',
    );
    expect((await objects.list(appResource)).items).toEqual([]);
    const again = await runInProcess(['delete', '-f', dir, ...flags]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      ['a', 'b', 'c']
        .map((n) => `error: app.meseta.io "${n}" not found in namespace default\n`)
        .join(''),
    );
    expect((await runInProcess(['delete', '-f', dir, '--ignore-not-found', ...flags])).code).toBe(
      0,
    );
    expect((await runInProcess(['delete', ...flags])).code).toBe(2);
  });

  it('scales, honouring the --current-instances precondition', async () => {
    const { flags, objects } = backend.fresh();
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'web.yaml': appManifest('web', { instances: 3 }) }),
      ...flags,
    ]);
    expect(await runInProcess(['scale', 'app', 'web', '--instances', '5', ...flags])).toEqual({
      code: 0,
      stdout: 'app.meseta.io/web scaled\n',
      stderr: '',
    });
    const refused = await runInProcess([
      'scale',
      'app/web',
      '--instances',
      '1',
      '--current-instances',
      '3',
      ...flags,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error: spec.instances: app.meseta.io/web wants 5 instances, not 3 (--current-instances): not scaled\n',
    );
    expect(
      (await objects.get(appResource, { namespace: 'default', name: 'web' }))!.spec.instances,
    ).toBe(5);
    expect(
      (
        await runInProcess([
          'scale',
          'app',
          'web',
          '--instances',
          '1',
          '--current-instances',
          '5',
          ...flags,
        ])
      ).code,
    ).toBe(0);
    expect(
      (await objects.get(appResource, { namespace: 'default', name: 'web' }))!.spec.instances,
    ).toBe(1);
    expect(
      (await runInProcess(['scale', 'app', 'nope', '--instances', '1', ...flags])).stderr,
    ).toBe('error: app.meseta.io "nope" not found in namespace default\n');
    expect((await runInProcess(['scale', 'app', 'web', '--instances', '-1', ...flags])).code).toBe(
      2,
    );
  });
});
