import { describe, expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { applyMapEdit, namesAndEdits, parseMapEdit } from '../../src/cli/metadata-edit.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

describe('label and annotate arguments', () => {
  it('splits names from edits and applies the --overwrite rule', () => {
    expect(namesAndEdits(['app', 'web', 'api', 'tier=web', 'env-'])).toEqual({
      names: ['web', 'api'],
      edits: ['tier=web', 'env-'],
    });
    expect(namesAndEdits(['app/web', 'a=b'])).toEqual({ names: ['web'], edits: ['a=b'] });
    const edit = parseMapEdit(['a=1', 'b-'], 'label');
    expect(applyMapEdit({ b: 'x', c: 'y' }, edit, { overwrite: false, what: 'label' })).toEqual({
      a: '1',
      c: 'y',
    });
    expect(() => applyMapEdit({ a: '0' }, edit, { overwrite: false, what: 'label' })).toThrow(
      'label "a" already has a value (0); pass --overwrite to change it',
    );
    expect(() => parseMapEdit(['oops'], 'label')).toThrow('write KEY=VALUE to set, KEY- to remove');
  });
});

describeBackends('meseta label and annotate', (backend) => {
  it('sets, overwrites and removes labels and annotations', async () => {
    const { flags, objects } = backend.fresh();
    await runInProcess(['apply', '-f', manifestDir({ 'web.yaml': appManifest('web') }), ...flags]);
    const web = async () =>
      (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    expect(await runInProcess(['label', 'app', 'web', 'tier=web', 'env=prod', ...flags])).toEqual({
      code: 0,
      stdout: 'app.meseta.io/web labeled\n',
      stderr: '',
    });
    const refused = await runInProcess(['label', 'app', 'web', 'tier=db', ...flags]);
    expect(refused).toMatchObject({ code: 2 });
    expect(refused.stderr).toContain('pass --overwrite');
    expect(
      (await runInProcess(['label', 'app/web', 'tier=db', 'env-', '--overwrite', ...flags])).code,
    ).toBe(0);
    expect((await web()).metadata.labels).toEqual({ tier: 'db' });
    const bad = await runInProcess(['label', 'app', 'web', 'bad key=x', ...flags]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('metadata.labels');

    expect(
      (await runInProcess(['annotate', 'app', 'web', 'owner=payments', ...flags])).stdout,
    ).toBe('app.meseta.io/web annotated\n');
    expect((await web()).metadata.annotations).toMatchObject({ owner: 'payments' });
    // An apply afterwards keeps what nobody applied.
    expect(
      (
        await runInProcess([
          'apply',
          '-f',
          manifestDir({ 'web.yaml': appManifest('web') }),
          ...flags,
        ])
      ).stdout,
    ).toBe('app.meseta.io/web unchanged\n');
    expect((await runInProcess(['annotate', 'app', 'nope', 'a=b', ...flags])).stderr).toBe(
      'error: app.meseta.io "nope" not found in namespace default\n',
    );
  });
});
