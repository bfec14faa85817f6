import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { readInventory } from '../../src/apply/inventory.ts';
import { InternalRecords } from '../../src/store/internal-records.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

describeBackends('meseta apply --prune', (backend) => {
  const names = async (objects: ReturnType<typeof backend.fresh>['objects']) =>
    (await objects.list(appResource)).items.map((a) => a.metadata.name).sort();

  it('deletes only Apps the apply-set inventory recorded', async () => {
    const { flags, objects, prefix } = backend.fresh();
    const dir = manifestDir({
      'a.yaml': appManifest('a', {}, { labels: { tier: 'web' } }),
      'b.yaml': appManifest('b', {}, { labels: { tier: 'web' } }),
    });
    const apply = (...extra: string[]) =>
      runInProcess(['apply', '-f', dir, '--prune', '--applyset', 'shop', ...extra, ...flags]);
    expect((await apply()).stdout).toBe('app.meseta.io/a created\napp.meseta.io/b created\n');
    // An App with the same labels that this set never applied, and one of another set.
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'c.yaml': appManifest('c', {}, { labels: { tier: 'web' } }) }),
      ...flags,
    ]);
    await runInProcess([
      'apply',
      '-f',
      manifestDir({ 'd.yaml': appManifest('d') }),
      '--prune',
      '--applyset',
      'other',
      ...flags,
    ]);

    rmSync(join(dir, 'b.yaml'));
    expect(await apply('--dry-run=client')).toEqual({
      code: 0,
      stdout: 'app.meseta.io/a unchanged (dry run)\napp.meseta.io/b pruned (dry run)\n',
      stderr: '',
    });
    expect(await names(objects)).toEqual(['a', 'b', 'c', 'd']);
    expect(await apply()).toEqual({
      code: 0,
      stdout: 'app.meseta.io/a unchanged\napp.meseta.io/b pruned\n',
      stderr: '',
    });
    expect(await names(objects)).toEqual(['a', 'c', 'd']);
    const records = new InternalRecords(objects.kv, { prefix });
    expect((await readInventory(records, 'shop')).inventory.apps).toEqual(['default/a']);
    expect((await readInventory(records, 'other')).inventory.apps).toEqual(['default/d']);
  });

  it('prunes nothing while a manifest is invalid, and needs an apply-set', async () => {
    const { flags, objects } = backend.fresh();
    const dir = manifestDir({ 'a.yaml': appManifest('a'), 'b.yaml': appManifest('b') });
    await runInProcess(['apply', '-f', dir, '--prune', '--applyset', 'shop', ...flags]);
    const broken = manifestDir({
      'a.yaml': appManifest('a'),
      'b.yaml': appManifest('b', { cpus: 0 }),
    });
    const result = await runInProcess([
      'apply',
      '-f',
      broken,
      '--prune',
      '--applyset',
      'shop',
      ...flags,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('app.meseta.io/a unchanged\n');
    expect(result.stderr).toContain('error: not pruning: fix the problems above first\n');
    expect(await names(objects)).toEqual(['a', 'b']);
    const usage = await runInProcess(['apply', '-f', dir, '--prune', ...flags]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--prune needs --applyset NAME');
    expect(
      (await runInProcess(['apply', '-f', dir, '--applyset', 'Bad_Name', ...flags])).code,
    ).toBe(2);
  });

  it('prunes by label (-l) only Apps this field manager applied, in the namespaces applied to', async () => {
    const { flags, objects } = backend.fresh();
    const web = { labels: { tier: 'web' } };
    const dir = manifestDir({
      'a.yaml': appManifest('a', {}, web),
      'b.yaml': appManifest('b', {}, web),
      'x.yaml': appManifest('x', {}, { labels: { tier: 'db' } }),
    });
    const apply = (...extra: string[]) =>
      runInProcess(['apply', '-f', dir, '--prune', '-l', 'tier=web', ...extra, ...flags]);
    // -l applies only the manifests that match, as kubectl's does.
    expect(await apply()).toEqual({
      code: 0,
      stdout: 'app.meseta.io/a created\napp.meseta.io/b created\n',
      stderr: '',
    });
    const elsewhere = (files: Record<string, object>, ...extra: string[]) =>
      runInProcess(['apply', '-f', manifestDir(files), ...extra, ...flags]);
    // Applied by the same manager from elsewhere: label-based prune cannot tell it apart.
    await elsewhere({ 'c.yaml': appManifest('c', {}, web) });
    // Never applied: no last-applied record, so never pruned.
    await objects.create(
      appResource,
      appManifest('d', {}, { ...web, namespace: 'default' }) as never,
    );
    // Applied by another field manager, and applied in another namespace.
    await elsewhere({ 'e.yaml': appManifest('e', {}, web) }, '--field-manager', 'other');
    await elsewhere({ 'f.yaml': appManifest('f', {}, { ...web, namespace: 'shop' }) });

    rmSync(join(dir, 'b.yaml'));
    expect(await apply('--dry-run=server')).toEqual({
      code: 0,
      stdout:
        'app.meseta.io/a unchanged (server dry run)\n' +
        'app.meseta.io/b pruned (server dry run)\napp.meseta.io/c pruned (server dry run)\n',
      stderr: '',
    });
    expect(await names(objects)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await apply()).toEqual({
      code: 0,
      stdout: 'app.meseta.io/a unchanged\napp.meseta.io/b pruned\napp.meseta.io/c pruned\n',
      stderr: '',
    });
    expect(await names(objects)).toEqual(['a', 'd', 'e', 'f']);

    const mixed = await apply('--applyset', 'shop');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('-l and --applyset do not mix');
    const bad = await apply('-l', 'tier in (web');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: -l: ');
  });
});
