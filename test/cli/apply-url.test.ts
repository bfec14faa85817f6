import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { describeBackends } from './backends.ts';
import { appManifest } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/web.yaml') {
      response.end(stringify(appManifest('web')));
    } else if (request.url === '/bad.yaml') {
      response.end(
        'apiVersion: meseta.io/v1\nkind: App\nmetadata: {name: bad}\nspec: {cmd: x, mem: -1}\n',
      );
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describeBackends('meseta apply -f URL', (backend) => {
  it('applies a manifest fetched over HTTP and names the URL in problems', async () => {
    const { flags } = backend.fresh();
    expect(await runInProcess(['apply', '-f', `${base}/web.yaml`, ...flags])).toEqual({
      code: 0,
      stdout: 'app.meseta.io/web created\n',
      stderr: '',
    });
    const bad = await runInProcess([
      'apply',
      '-f',
      `${base}/bad.yaml`,
      '-f',
      `${base}/nope.yaml`,
      ...flags,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `error: ${base}/nope.yaml: cannot fetch: HTTP 404 Not Found\n` +
        `error: ${base}/bad.yaml:4:21 spec.mem: must be >= 0\n`,
    );
  });
});
