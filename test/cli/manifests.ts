/** Writes App manifests into a fresh temporary directory for CLI tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export function manifestDir(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'meseta-manifests-'));
  writeManifests(dir, files);
  return dir;
}

export function writeManifests(dir: string, files: Record<string, string | object>): void {
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : stringify(content));
  }
}

/** A minimal valid App. */
export function appManifest(
  name: string,
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'App',
    metadata: { name, ...metadata },
    spec: { cmd: 'sleep 1000', ...spec },
  };
}
