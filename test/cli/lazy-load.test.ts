import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { repoRoot } from './run-meseta.ts';

/**
 * The verbs of this folder that follow the rule of docs/cli.md ("Adding a verb"): registering
 * them loads nothing heavy, because their actions import the work.
 */
const verbs = [
  'version',
  'validate',
  'convert',
  'store-serve',
  'sim',
  'connection',
  'config',
  'apply',
  'diff',
  'get',
  'delete',
  'scale',
  'label',
  'annotate',
  'rollout',
  'describe',
  'completion',
  'edit',
  'controller',
  'up',
];

/** The modules a fresh process loads to register `verbs` (what `version` and `--help` pay). */
function modulesLoadedByRegistering(): Promise<string[]> {
  const script = `
    import { register } from 'tsx/esm/api';
    const seen = [];
    register({ onImport: (url) => seen.push(url) });
    const { Command } = await import('commander');
    const program = new Command('meseta');
    for (const verb of ${JSON.stringify(verbs)}) {
      (await import('./src/cli/' + verb + '.ts')).register(program);
    }
    program.helpInformation();
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

it('registers the verbs without loading the store client, the schemas or YAML', async () => {
  const loaded = await modulesLoadedByRegistering();
  expect(loaded.filter((url) => url.includes('/src/cli/')).length).toBeGreaterThanOrEqual(
    verbs.length,
  );
  // Modules of those folders kept light on purpose: names and constants that `--help` shows.
  const light = ['/src/controllers/catalog.ts', '/src/up/context-name.ts'];
  const heavy = loaded.filter(
    (url) =>
      !light.some((path) => url.endsWith(path)) &&
      /\/node_modules\/(etcd3|@grpc|ajv|yaml|protobufjs|fast-json-patch)\/|\/src\/(store\/(etcd-kv|object-store|embedded)|api\/(resources|crd|app|load)\.ts|apply\/|sim\/|mesos\/|controllers\/|up\/)|\/src\/cli\/main\.ts/.test(
        url,
      ),
  );
  expect(heavy).toEqual([]);
});
