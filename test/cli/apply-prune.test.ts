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
});
