import { describe, expect, it } from 'vitest';
import { parseManifests, validateApp } from '../../src/api/index.ts';
import { runInProcess, runMeseta } from './run-meseta.ts';

describe('meseta convert marathon', () => {
  it('prints a valid App manifest on stdout and what it could not carry over on stderr', async () => {
    const result = await runMeseta([
      'convert',
      'marathon',
      'test/fixtures/marathon/store-frontend.json',
    ]);
    expect(result.code).toBe(0);
    expect(
      result.stdout.startsWith(
        '# Converted from the Marathon app /shop/frontend\napiVersion: meseta.io/v1\nkind: App\n',
      ),
    ).toBe(true);
    const { documents, problems } = parseManifests(result.stdout, 'out.yaml');
    expect(problems).toEqual([]);
    expect(documents).toHaveLength(1);
    expect(validateApp(documents[0]!.value)).toEqual([]);
    expect(result.stderr.split('\n')).toContain(
      'warning: test/fixtures/marathon/store-frontend.json fetch: not carried over: meseta does not fetch artifacts; bake them into an image or download them in cmd',
    );
  });

  it('writes one document per app of a /v2/apps response, and JSON on request', async () => {
    const yaml = await runInProcess([
      'convert',
      'marathon',
      'test/fixtures/marathon/apps-response.json',
    ]);
    expect(parseManifests(yaml.stdout, 'out.yaml').documents).toHaveLength(2);
    const json = await runInProcess([
      'convert',
      'marathon',
      '-o',
      'json',
      'test/fixtures/marathon/basic.json',
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      metadata: { name: 'basic-0', namespace: 'default' },
    });
  });

  it('reads stdin', async () => {
    const result = await runMeseta(
      ['convert', 'marathon', '-'],
      '{"id": "/shop/web", "cmd": "run", "portDefinitions": []}',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('name: web\n  namespace: shop\n');
  });

  it('exits 1 when the input is broken or converts into an invalid app', async () => {
    const syntax = await runMeseta(['convert', 'marathon', '-'], '{"id": "/a",');
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^error: -:1:\d+: invalid YAML or JSON: /);
    const invalid = await runInProcess([
      'convert',
      'marathon',
      'test/fixtures/marathon/bad-regex.json',
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      'error: test/fixtures/marathon/bad-regex.json spec.constraints[0].value: the converted app /batch/broken is invalid: is not a valid regular expression: Unterminated group\n',
    );
  });

  it('exits 2 on usage errors', async () => {
    expect((await runInProcess(['convert', 'marathon'])).code).toBe(2);
    expect(
      (
        await runInProcess([
          'convert',
          'marathon',
          '-o',
          'xml',
          'test/fixtures/marathon/basic.json',
        ])
      ).code,
    ).toBe(2);
    expect((await runInProcess(['convert', 'marathon', 'nope.json'])).code).toBe(2);
  });
});
