import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadManifests, parseManifests } from '../../src/api/index.ts';
import { UsageError } from '../../src/errors.ts';

const doc = (name: string) =>
  `apiVersion: meseta.io/v1\nkind: App\nmetadata:\n  name: ${name}\nspec:\n  cmd: run\n`;

describe('parseManifests', () => {
  it('reads every document of a multi-document YAML file, skipping empty ones', () => {
    const result = parseManifests(`---\n${doc('a')}---\n---\n${doc('b')}---\n`, 'apps.yaml');
    expect(result.problems).toEqual([]);
    expect(
      result.documents.map((d) => [
        d.index,
        d.line,
        (d.value as { metadata: { name: string } }).metadata.name,
      ]),
    ).toEqual([
      [0, 2, 'a'],
      [2, 10, 'b'],
    ]);
  });

  it('records where every field is', () => {
    const { documents } = parseManifests(doc('a'), 'a.yaml');
    const positions = documents[0]!.positions;
    expect(positions.valueAt(['metadata', 'name'])).toEqual({ line: 4, column: 9 });
    expect(positions.keyAt(['metadata', 'name'])).toEqual({ line: 4, column: 3 });
    // A field that is not there: the nearest enclosing one.
    expect(positions.valueAt(['spec', 'healthChecks', 0, 'path'])).toEqual({ line: 6, column: 3 });
  });

  it('reads JSON', () => {
    const { documents, problems } = parseManifests(
      '{"apiVersion": "meseta.io/v1",\n "kind": "App"}',
      'a.json',
    );
    expect(problems).toEqual([]);
    expect(documents[0]!.value).toEqual({ apiVersion: 'meseta.io/v1', kind: 'App' });
    expect(documents[0]!.positions.valueAt(['kind'])).toEqual({ line: 2, column: 10 });
  });

  it('reports syntax errors with file, line and column, and keeps the good documents', () => {
    const { documents, problems } = parseManifests(`${doc('a')}---\nkind: [App\n`, 'bad.yaml');
    expect(documents).toHaveLength(1);
    expect(problems.map((p) => p.format())).toEqual([
      'bad.yaml:9:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    const json = parseManifests('{"kind": "App",}', 'bad.json').problems.map((p) => p.format());
    expect(json).toHaveLength(1);
    expect(json[0]).toMatch(/^bad\.json:1:\d+: invalid JSON: /);
  });
});

describe('loadManifests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meseta-load-'));
  writeFileSync(join(dir, 'b.yaml'), doc('b'));
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ metadata: { name: 'a' } }));
  writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'c.yml'), doc('c'));
  const names = (r: { documents: { value: unknown }[] }) =>
    r.documents.map((d) => (d.value as { metadata: { name: string } }).metadata.name);

  it('reads the manifests of a directory in name order, only .yaml, .yml and .json', async () => {
    expect(names(await loadManifests(dir))).toEqual(['a', 'b']);
  });

  it('descends into subdirectories when recursive', async () => {
    expect(names(await loadManifests(dir, { recursive: true }))).toEqual(['a', 'b', 'c']);
  });

  it('reads a single file, naming it as given', async () => {
    const result = await loadManifests(join(dir, 'b.yaml'));
    expect(result.documents[0]!.file).toBe(join(dir, 'b.yaml'));
  });

  it('reads stdin as "-"', async () => {
    const result = await loadManifests('-', {
      stdin: Readable.from([doc('x').slice(0, 20), doc('x').slice(20)]),
    });
    expect(names(result)).toEqual(['x']);
    expect(result.documents[0]!.file).toBe('-');
  });

  it('refuses a path that does not exist with a usage error', async () => {
    await expect(loadManifests(join(dir, 'missing.yaml'))).rejects.toBeInstanceOf(UsageError);
  });
});
