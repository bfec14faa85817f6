import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifests, validateApp } from '../../src/api/index.ts';
import {
  convertMarathon,
  convertMarathonDocuments,
  convertMarathonApp,
  namespaceAndName,
  resolveId,
} from '../../src/api/marathon.ts';
import type { Conversion } from '../../src/api/marathon.ts';

function fixture(name: string): Conversion[] {
  const text = readFileSync(new URL(`../fixtures/marathon/${name}`, import.meta.url), 'utf8');
  return convertMarathon(JSON.parse(text) as unknown);
}

const spec = (c: Conversion) => c.manifest.spec as Record<string, unknown>;
const notes = (c: Conversion) => c.notes.map((n) => `${n.path}: ${n.message}`);

describe('Marathon app ids', () => {
  it.each([
    ['/shop/web', 'shop', 'web'],
    ['shop/web', 'shop', 'web'],
    ['/web', 'default', 'web'],
    ['/prod/shop/web', 'prod-shop', 'web'],
    ['/shop/web.v2', 'shop', 'web.v2'],
  ])('maps %s to namespace %s and name %s', (id, namespace, name) => {
    expect(namespaceAndName(id)).toEqual({ namespace, name });
  });

  it('refuses ids that cannot become a namespace and name', () => {
    expect(() => namespaceAndName('/')).toThrow('names no app');
    expect(() => namespaceAndName('/a.b/web')).toThrow('cannot become a name and namespace');
  });

  it('resolves relative dependencies against the app group', () => {
    expect(resolveId('../payments/api', '/shop/frontend')).toBe('/payments/api');
    expect(resolveId('cart', '/shop/frontend')).toBe('/shop/cart');
    expect(resolveId('./cart', '/shop/frontend')).toBe('/shop/cart');
    expect(resolveId('/db', '/shop/frontend')).toBe('/db');
  });
});

describe('converting Marathon app definitions', () => {
  it('converts the smallest app and gives it the port Marathon would have', () => {
    const [c] = fixture('basic.json');
    expect(c!.manifest).toEqual({
      apiVersion: 'meseta.io/v1',
      kind: 'App',
      metadata: { name: 'basic-0', namespace: 'default' },
      spec: {
        instances: 1,
        cpus: 0.1,
        mem: 10,
        cmd: "while [ true ] ; do echo 'Hello Marathon' ; sleep 5 ; done",
        portDefinitions: [{ name: 'default', port: 0 }],
      },
    });
  });

  it('turns deprecated ports, constraint triples and Marathon HTTP checks into their App forms', () => {
    const [c] = fixture('python-http.json');
    expect(c!.manifest.metadata).toEqual({ name: 'python-http', namespace: 'tools' });
    expect(spec(c!).portDefinitions).toEqual([{ name: 'port0', port: 0 }]);
    expect(spec(c!).constraints).toEqual([
      { field: 'hostname', operator: 'UNIQUE' },
      { field: 'rack_id', operator: 'GROUP_BY', value: '2' },
    ]);
    expect(spec(c!).healthChecks).toEqual([
      {
        protocol: 'MESOS_HTTP',
        path: '/',
        portIndex: 0,
        gracePeriodSeconds: 5,
        intervalSeconds: 20,
        timeoutSeconds: 10,
        maxConsecutiveFailures: 3,
      },
    ]);
    expect(notes(c!)).toEqual([
      'ports: the deprecated ports became portDefinitions',
      'ports: ports without a name were named port0 (meseta needs a name per port)',
      'healthChecks[0].protocol: HTTP (checked by Marathon) became MESOS_HTTP (checked by Mesos on the agent)',
      'healthChecks[0].ignoreHttp1xx: not carried over: Mesos checks treat 1xx as failures',
    ]);
  });

  it('converts a Docker app on BRIDGE networking with deprecated docker.portMappings', () => {
    const [c] = fixture('bridged-webapp.json');
    expect(c!.manifest.metadata).toEqual({ name: 'bridged-webapp', namespace: 'product-service' });
    expect(spec(c!).networks).toEqual([{ mode: 'container/bridge' }]);
    expect(spec(c!).container).toEqual({
      type: 'DOCKER',
      docker: { image: 'python:3', forcePullImage: true },
      portMappings: [
        { name: 'port0', containerPort: 8080, hostPort: 0, servicePort: 9000, protocol: 'tcp' },
        { name: 'port1', containerPort: 161, hostPort: 0, servicePort: 9001, protocol: 'udp' },
      ],
      volumes: [{ containerPath: '/etc/a', hostPath: '/var/data/a', mode: 'RO' }],
    });
    expect(spec(c!).healthChecks).toEqual([
      { protocol: 'MESOS_TCP', portIndex: 0, gracePeriodSeconds: 5, intervalSeconds: 20 },
      { protocol: 'COMMAND', command: { value: 'curl -f -X GET http://$HOST:$PORT0/' } },
    ]);
    expect(spec(c!).labels).toEqual({ HAPROXY_GROUP: 'external', HAPROXY_0_PORT: '9000' });
    expect(spec(c!).unreachableStrategy).toEqual({ disabled: true });
    expect(notes(c!)).toContain(
      'container.volumes[1]: not carried over: meseta mounts host paths only (no persistent, external or secret volumes)',
    );
  });

  it('carries everything a full app definition has that meseta models, and names the rest', () => {
    const [c] = fixture('store-frontend.json');
    expect(c!.manifest.metadata).toEqual({ name: 'frontend', namespace: 'shop' });
    const s = spec(c!);
    expect(s).toMatchObject({
      args: ['/opt/frontend/bin/start', '--port', '8080'],
      user: 'nobody',
      networks: [{ mode: 'container', name: 'dcos' }],
      env: { JAVA_OPTS: '-Xmx400m' },
      dependencies: ['payments/api', 'cart'],
      killSelection: 'OLDEST_FIRST',
      unreachableStrategy: { inactiveAfterSeconds: 300, expungeAfterSeconds: 600 },
      readinessChecks: [
        {
          portName: 'http',
          name: 'ready',
          protocol: 'HTTP',
          path: '/ready',
          intervalSeconds: 10,
          timeoutSeconds: 5,
          httpStatusCodesForReady: [200, 204],
        },
      ],
      constraints: [
        { field: '@zone', operator: 'GROUP_BY', value: '3' },
        { field: 'instance_type', operator: 'LIKE', value: 'm5\\..*' },
        { field: 'hostname', operator: 'MAX_PER', value: '1' },
      ],
    });
    expect(notes(c!)).toEqual([
      'networks[0].labels: not carried over: meseta networks have no labels',
      'container.docker.pullConfig: not carried over: meseta has no registry credentials',
      'container.portMappings[1].networkNames: not carried over: a mapping applies to every container network',
      'env.DB_PASSWORD: not carried over: meseta has no secret store',
      'secrets: not carried over: meseta has no secret store; put secrets into env from your own tooling',
      'fetch: not carried over: meseta does not fetch artifacts; bake them into an image or download them in cmd',
      'acceptedResourceRoles: not carried over: meseta uses the framework role for every app',
      'residency: not carried over: meseta has no local persistent volumes',
    ]);
  });

  it('reads a GET /v2/apps response, ignoring state fields and empty ones', () => {
    const [shipper, legacy] = fixture('apps-response.json');
    expect(spec(shipper!).portDefinitions).toEqual([
      { name: 'syslog', port: 10000, protocol: 'udp', labels: {} },
      { name: 'port1', port: 10001 },
    ]);
    expect(spec(shipper!)).not.toHaveProperty('user');
    expect(notes(shipper!)).toEqual([
      'apps[0].portDefinitions: ports without a name were named port1 (meseta needs a name per port)',
      'apps[0].uris: not carried over: meseta does not fetch artifacts; bake them into an image or download them in cmd',
    ]);
    expect(spec(legacy!).networks).toEqual([{ mode: 'container', name: 'overlay-1' }]);
  });

  it('produces valid manifests for every well-formed fixture', () => {
    for (const name of [
      'basic.json',
      'python-http.json',
      'bridged-webapp.json',
      'store-frontend.json',
      'apps-response.json',
    ]) {
      for (const c of fixture(name))
        expect(
          validateApp(c.manifest).map((p) => p.format()),
          `${name} ${c.id}`,
        ).toEqual([]);
    }
  });

  it('leaves invalid Marathon values for validation to report', () => {
    const [c] = fixture('bad-regex.json');
    expect(validateApp(c!.manifest).map((p) => p.format())).toEqual([
      'spec.constraints[0].value: is not a valid regular expression: Unterminated group',
    ]);
  });

  it('notes fields it does not know and accepts {app: …}', () => {
    const [c] = convertMarathon({
      app: {
        id: '/x',
        cmd: 'run',
        portDefinitions: [],
        frobnicate: 1,
        executor: '/opt/exec',
        role: 'web',
      },
    });
    expect(notes(c!)).toEqual([
      'app.frobnicate: not carried over: meseta has no such field',
      'app.executor: not carried over: meseta runs tasks with the default executor',
      "app.role: not carried over: meseta offers every app the framework's role",
    ]);
    const [plain] = convertMarathon({ id: '/x', cmd: 'run', executor: '//cmd', role: '' });
    expect(notes(plain!)).toEqual([
      "portDefinitions: absent: added Marathon's default port {name: default, port: 0}",
    ]);
    expect(spec(c!)).not.toHaveProperty('portDefinitions');
  });

  it('refuses input that is not an app', () => {
    expect(() => convertMarathonApp([1])).toThrow('must be a JSON object');
    expect(() => convertMarathonApp({ cmd: 'x' })).toThrow('has no "id"');
  });
});

describe('convertMarathonDocuments', () => {
  it('converts what it can and reports, per file, input that is no app and apps that come out invalid', () => {
    const good = parseManifests('{"id": "/shop/web", "cmd": "run"}', 'good.json').documents;
    const notAnApp = parseManifests('[1]', 'list.json').documents;
    const broken = parseManifests(
      '{"id": "/x", "cmd": "run", "constraints": [["a", "LIKE"]]}',
      'broken.json',
    ).documents;
    const result = convertMarathonDocuments([...good, ...notAnApp, ...broken]);
    expect(result.conversions.map((c) => c.id)).toEqual(['/shop/web', '/x']);
    expect(result.problems.map((p) => p.format())).toEqual([
      'list.json [0]: a Marathon app definition must be a JSON object',
      'broken.json spec.constraints[0].value: the converted app /x is invalid: is required for LIKE: a regular expression',
    ]);
  });
});
