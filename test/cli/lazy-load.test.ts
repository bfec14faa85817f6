import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { repoRoot } from './run-meseta.ts';

/** The modules a fresh process loads to build the program (what `version` and `--help` pay). */
function modulesLoadedByBuildProgram(): Promise<string[]> {
  const script = `
    import { register } from 'tsx/esm/api';
    const seen = [];
    register({ onImport: (url) => seen.push(url) });
    const { buildProgram } = await import('./src/cli/main.ts');
    buildProgram().helpInformation();
    process.stdout.write(JSON.stringify(seen));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`exit ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

it('registers every verb without loading the store client, the schemas or YAML', async () => {
  const loaded = await modulesLoadedByBuildProgram();
  // The program was built: every verb's file was imported.
  for (const verb of ['get', 'describe', 'delete', 'apply', 'rollout', 'sim', 'store-serve']) {
    expect(loaded.some((url) => url.endsWith(`/src/cli/${verb}.ts`))).toBe(true);
  }
  const heavy = loaded.filter((url) =>
    /\/node_modules\/(etcd3|@grpc|ajv|yaml|protobufjs|fast-json-patch)\/|\/src\/(store\/(etcd-kv|object-store|embedded)|api\/(resources|crd|app|load)\.ts|apply\/|sim\/|mesos\/)/.test(
      url,
    ),
  );
  expect(heavy).toEqual([]);
});
