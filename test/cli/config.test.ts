import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig, recordContext } from '../../src/cli/config-file.ts';
import { resolveConnection } from '../../src/cli/connection.ts';
import { MesetaError } from '../../src/errors.ts';
import { runInProcess } from './run-in-process.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'meseta-config-')), 'config');

describe('meseta config', () => {
  it('sets, lists, switches and deletes contexts', async () => {
    const config = fresh();
    const run = (...args: string[]) => runInProcess(args, { config });
    expect(await run('config', 'set-context', 'local', '--etcd', 'http://127.0.0.1:2379')).toEqual({
      code: 0,
      stdout: 'Context "local" created.\n',
      stderr: '',
    });
    // Global flags before the verb say what to record, like after it.
    const prod = await run(
      '-n',
      'shop',
      'config',
      'set-context',
      'prod',
      '--etcd',
      'https://a:2379,https://b:2379',
      '--prefix',
      '/prod',
      '--ca',
      '/etc/ca.pem',
    );
    expect(prod.code).toBe(0);
    const listed = await run('config', 'get-contexts');
    expect(listed.stdout).toBe(
      [
        'CURRENT   NAME    ENDPOINTS                       PREFIX   NAMESPACE',
        '*         local   http://127.0.0.1:2379',
        '          prod    https://a:2379,https://b:2379   /prod    shop',
        '',
      ].join('\n'),
    );
    expect((await run('config', 'use-context', 'prod')).stdout).toBe(
      'Switched to context "prod".\n',
    );
    expect((await run('config', 'current-context')).stdout).toBe('prod\n');
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const file = await readConfig(config);
    expect(file.contexts.prod).toEqual({
      endpoints: ['https://a:2379', 'https://b:2379'],
      prefix: '/prod',
      namespace: 'shop',
      tls: { ca: '/etc/ca.pem' },
    });
    expect((await run('config', 'delete-context', 'prod')).code).toBe(0);
    expect((await run('config', 'current-context')).code).toBe(2);
  });

  it('says which contexts exist when asked for an unknown one', async () => {
    const config = fresh();
    await recordContext(config, 'up', { endpoints: ['http://127.0.0.1:23790'] });
    const result = await runInProcess(['config', 'use-context', 'nope'], { config });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: no context "nope" in ${config} (known contexts: up)\n`);
  });

  it('names the file and field of a bad config', async () => {
    const config = fresh();
    writeFileSync(config, 'contexts:\n  a:\n    endpoints: []\n');
    await expect(readConfig(config)).rejects.toThrow(MesetaError);
    const result = await runInProcess(['config', 'get-contexts'], { config });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${config} contexts.a.endpoints: must be a non-empty list of URLs such as http://127.0.0.1:2379 (fix or remove it)\n`,
    );
    writeFileSync(config, 'contexts: [\n');
    expect((await runInProcess(['config', 'get-contexts'], { config })).stderr).toMatch(
      new RegExp(`^error: ${config}:\\d+:\\d+: invalid YAML`),
    );
  });
});

describe('resolveConnection', () => {
  it('layers flags over the current context over the defaults', async () => {
    const config = fresh();
    expect(await resolveConnection({ config })).toEqual({
      etcd: { endpoints: ['http://127.0.0.1:2379'] },
      prefix: '/meseta',
      namespace: 'default',
    });
    await recordContext(config, 'up', {
      endpoints: ['https://h:1'],
      namespace: 'shop',
      prefix: '/up',
      tls: { ca: 'ca.pem' },
      auth: { username: 'u', password: 'p' },
    });
    expect(await resolveConnection({ config })).toEqual({
      etcd: {
        endpoints: ['https://h:1'],
        tls: { ca: 'ca.pem' },
        auth: { username: 'u', password: 'p' },
      },
      prefix: '/up',
      namespace: 'shop',
      context: 'up',
    });
    const flagged = await resolveConnection({
      config,
      etcd: 'http://x:2,http://y:3',
      namespace: 'n',
    });
    expect(flagged.etcd.endpoints).toEqual(['http://x:2', 'http://y:3']);
    expect(flagged.namespace).toBe('n');
    expect(flagged.prefix).toBe('/up');
  });

  it('reads MESETA_CONFIG when --config is not given', async () => {
    const config = fresh();
    await recordContext(config, 'env', { endpoints: ['http://e:1'] });
    const resolved = await resolveConnection({}, { MESETA_CONFIG: config });
    expect(resolved.context).toBe('env');
    expect(readFileSync(config, 'utf8')).toContain('currentContext: env');
  });

  it('refuses an endpoint that is not a URL', async () => {
    await expect(resolveConnection({ config: fresh(), etcd: '127.0.0.1:2379' })).rejects.toThrow(
      'etcd endpoint "127.0.0.1:2379" must look like http://host:port',
    );
  });
});

describe('an unreachable store', () => {
  it('is an error that says what to check, not a stack trace', async () => {
    const result = await runInProcess(['get', 'apps', '--etcd', 'http://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: http:\/\/127\.0\.0\.1:1: etcd is unavailable/);
    expect(result.stderr).toContain(
      'Cannot reach the store through the default address (no context set). Is it running (`meseta store serve`)? Check the endpoints with `meseta config get-contexts`, or pass --etcd URL\n',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
