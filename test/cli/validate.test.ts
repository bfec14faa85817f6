import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, runMeseta } from './run-meseta.ts';

const good =
  'apiVersion: meseta.io/v1\nkind: App\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  cmd: run\n';

describe('meseta validate', () => {
  it('passes the examples in manifests/ (what `npm start` runs), one line per app and a summary', async () => {
    const result = await runMeseta(['validate', '-f', 'manifests/']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toEqual([
      'manifests/checkout.yaml: app.meseta.io/postgres (namespace shop) valid',
      'manifests/checkout.yaml: app.meseta.io/checkout (namespace shop) valid',
      'manifests/leader.yaml: app.meseta.io/billing-scheduler (namespace billing) valid',
      'manifests/nginx.yaml: app.meseta.io/nginx (namespace edge) valid',
      'manifests/web.yaml: app.meseta.io/web (namespace shop) valid',
      'manifests/worker.yaml: app.meseta.io/thumbnailer (namespace media) valid',
      '6 objects valid',
      '',
    ]);
  });

  it('exits 1 and prints every problem as file:line:col path: message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meseta-validate-'));
    const file = join(dir, 'web.yaml');
    writeFileSync(
      file,
      `${good}  upgradeStrategy:\n    minimumHealthCapacity: 1.5\n---\n${good}  cpus: 0\n`,
    );
    const result = await runInProcess(['validate', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        `${file}:9:28 spec.upgradeStrategy.minimumHealthCapacity: must be <= 1`,
        `${file}:18:9 spec.cpus: must be >= 0.001`,
        '2 problems, 2 of 2 objects invalid',
        '',
      ].join('\n'),
    );
  });

  it('reports an app defined twice, which apply would silently overwrite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meseta-twice-'));
    writeFileSync(join(dir, 'a.yaml'), good);
    writeFileSync(join(dir, 'b.yaml'), `# the same app again\n${good}`);
    const result = await runInProcess(['validate', '-f', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${join(dir, 'b.yaml')}:5:9 metadata.name: app shop/web is already defined at ${join(dir, 'a.yaml')}:4\n1 problem, 1 of 2 objects invalid\n`,
    );
  });

  it('reads stdin with -f -, and reports its syntax errors', async () => {
    const ok = await runMeseta(['validate', '-f', '-'], good);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('-: app.meseta.io/web (namespace shop) valid\n1 object valid\n');
    const quiet = await runInProcess(['validate', '-q', '-f', 'manifests/web.yaml']);
    expect(quiet.stdout).toBe('1 object valid\n');
    const bad = await runMeseta(['validate', '-f', '-'], 'kind: [App\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^-:2:1: invalid YAML or JSON: /);
  });

  it('exits 2 on usage errors: no -f, a path that does not exist, an unknown option', async () => {
    const none = await runInProcess(['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('error: say what to validate: -f FILE, -f DIR or -f -\n');
    const missing = await runInProcess(['validate', '-f', 'no/such/file.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: the path "no/such/file.yaml" does not exist\n');
    expect((await runInProcess(['validate', '--frobnicate'])).code).toBe(2);
  });

  it('exits 1 for a directory without manifests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meseta-empty-'));
    const result = await runInProcess(['validate', '-f', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${dir}: no manifests found`);
  });
});
