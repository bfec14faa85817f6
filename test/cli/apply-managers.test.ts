import { expect, it } from 'vitest';
import { appResource } from '../../src/api/resources.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

describeBackends('meseta apply --field-manager', (backend) => {
  it('keeps each manager to its own fields and reports conflicting managers', async () => {
    const { flags, objects } = backend.fresh();
    const web = async () =>
      (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
    const apply = (manager: string, spec: Record<string, unknown>, ...extra: string[]) =>
      runInProcess([
        'apply',
        '-f',
        manifestDir({ 'web.yaml': appManifest('web', spec) }),
        '--field-manager',
        manager,
        ...extra,
        ...flags,
      ]);
    expect((await apply('deploy', { instances: 3 })).stdout).toBe('app.meseta.io/web created\n');
    // Another manager sets a field of its own: no conflict, and deploy's fields stay.
    expect((await apply('tuning', { cpus: 2 })).stdout).toBe('app.meseta.io/web configured\n');
    expect((await web()).spec).toMatchObject({ instances: 3, cpus: 2 });
    // deploy re-applies without cpus: cpus is tuning's, so it is not removed.
    expect((await apply('deploy', { instances: 3 })).stdout).toBe('app.meseta.io/web unchanged\n');
    expect((await web()).spec.cpus).toBe(2);

    const refused = await apply('tuning', { cpus: 2, instances: 5 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'app.meseta.io/web: applied by another field manager: spec.instances (field manager "deploy": live 3, file 5). Put the live value in the file, or pass --force-conflicts to overwrite it\n',
    );
    expect((await web()).spec.instances).toBe(3);
    expect((await apply('tuning', { cpus: 2, instances: 5 }, '--force-conflicts')).code).toBe(0);
    expect((await web()).spec.instances).toBe(5);

    const bad = await apply('no spaces', {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--field-manager "no spaces": must be at most 63 letters');
  });
});
