import { describe, expect, it } from 'vitest';
import { parseApp, parseAppDocuments, parseManifests, validateApp } from '../../src/api/index.ts';
import { ValidationError } from '../../src/errors.ts';

/** Validates every document of `text` as file `app.yaml`; returns the printed problems. */
function problems(text: string): string[] {
  const loaded = parseManifests(text, 'app.yaml');
  return [
    ...loaded.problems.map((p) => p.format()),
    ...loaded.documents.flatMap((doc) =>
      validateApp(doc.value, { file: doc.file, positions: doc.positions }).map((p) => p.format()),
    ),
  ];
}

const head = `apiVersion: meseta.io/v1
kind: App
metadata:
  name: web
spec:
`;

/** A manifest whose spec is `specLines` (indented by two); spec starts on line 6. */
const app = (specLines: string) => head + specLines;

describe('valid manifests', () => {
  it.each([
    ['a command alone', '  cmd: sleep 100\n'],
    ['args alone', '  args: [sleep, "100"]\n'],
    ['a Docker image alone', '  container: {docker: {image: nginx}}\n'],
    ['a MESOS container with a command', '  cmd: run\n  container: {type: MESOS}\n'],
    [
      'every constraint operator with a good value',
      `  cmd: run
  constraints:
    - {field: hostname, operator: UNIQUE}
    - {field: "@region", operator: CLUSTER, value: eu-west}
    - {field: rack, operator: CLUSTER}
    - {field: rack, operator: GROUP_BY}
    - {field: rack, operator: GROUP_BY, value: "3"}
    - {field: "@hostname", operator: MAX_PER, value: "2"}
    - {field: type, operator: LIKE, value: "m5\\\\..*"}
    - {field: type, operator: UNLIKE, value: "t2.*"}
    - {field: "@zone", operator: IS, value: a}
`,
    ],
    [
      'health checks on declared ports',
      `  cmd: run
  portDefinitions: [{name: http}, {name: admin, port: 9000}]
  healthChecks:
    - {protocol: MESOS_HTTP, portIndex: 1, path: /health}
    - {protocol: MESOS_TCP}
    - {protocol: MESOS_HTTPS, port: 8443}
    - {protocol: COMMAND, command: {value: "true"}}
  readinessChecks:
    - {portName: admin}
`,
    ],
    ['a disabled unreachable strategy', '  cmd: run\n  unreachableStrategy: {disabled: true}\n'],
    ['dependencies across namespaces', '  cmd: run\n  dependencies: [db, payments/api]\n'],
  ])('accepts %s', (_, spec) => {
    expect(problems(app(spec))).toEqual([]);
  });

  it('accepts every example in manifests/ (see test/cli/validate.test.ts) and the issue example', () => {
    const example = `apiVersion: meseta.io/v1
kind: App
metadata:
  name: web
  namespace: shop
  labels: {team: storefront}
spec:
  instances: 6
  cpus: 0.5
  mem: 256
  cmd: python3 -m http.server $PORT0
  portDefinitions:
    - {name: http, port: 0}
  constraints:
    - {field: rack, operator: GROUP_BY, value: "3"}
    - {field: hostname, operator: MAX_PER, value: "2"}
  healthChecks:
    - {protocol: MESOS_HTTP, path: /, portIndex: 0, gracePeriodSeconds: 30}
  upgradeStrategy: {minimumHealthCapacity: 0.5, maximumOverCapacity: 0.2}
`;
    expect(problems(example)).toEqual([]);
  });
});

describe('invalid manifests: every problem, with file, line, column and field path', () => {
  it.each([
    [
      'a capacity above 1',
      '  cmd: run\n  upgradeStrategy:\n    minimumHealthCapacity: 1.5\n',
      ['app.yaml:8:28 spec.upgradeStrategy.minimumHealthCapacity: must be <= 1'],
    ],
    [
      'resources out of range and of the wrong type',
      '  cmd: run\n  instances: -1\n  cpus: 0\n  mem: lots\n  gpus: 0.5\n',
      [
        'app.yaml:7:14 spec.instances: must be >= 0',
        'app.yaml:8:9 spec.cpus: must be >= 0.001',
        'app.yaml:9:8 spec.mem: must be a number (got "lots")',
        'app.yaml:10:9 spec.gpus: must be an integer (got 0.5)',
      ],
    ],
    [
      'unknown fields, with a suggestion',
      '  cmd: run\n  instance: 3\n  healthCheck: []\n  zzz: 1\n',
      [
        'app.yaml:7:3 spec.instance: unknown field "instance" (did you mean "instances"?)',
        'app.yaml:8:3 spec.healthCheck: unknown field "healthCheck" (did you mean "healthChecks"?)',
        'app.yaml:9:3 spec.zzz: unknown field "zzz"',
      ],
    ],
    [
      'nothing to run',
      '  instances: 2\n',
      ['app.yaml:6:3 spec: says nothing to run: set cmd, args or container'],
    ],
    [
      'both cmd and args',
      '  cmd: run\n  args: [run]\n',
      ['app.yaml:7:9 spec.args: cannot be used together with cmd: keep one of them'],
    ],
    [
      'a DOCKER container without an image',
      '  container: {type: DOCKER}\n',
      ['app.yaml:6:14 spec.container.docker: is required when type is DOCKER'],
    ],
    [
      'a MESOS container with nothing to run',
      '  container: {type: MESOS}\n',
      [
        'app.yaml:6:14 spec.container: a MESOS container without docker.image needs cmd or args to know what to run',
      ],
    ],
    [
      'constraint operators with wrong values',
      `  cmd: run
  constraints:
    - {field: hostname, operator: UNIQUE, value: "1"}
    - {field: hostname, operator: MAX_PER}
    - {field: hostname, operator: MAX_PER, value: "1.5"}
    - {field: rack, operator: GROUP_BY, value: three}
    - {field: type, operator: LIKE, value: "m5(("}
    - {field: type, operator: IS}
    - {field: "@datacenter", operator: CLUSTER}
    - {field: rack, operator: EQUALS}
`,
      [
        'app.yaml:8:50 spec.constraints[0].value: UNIQUE takes no value',
        'app.yaml:9:7 spec.constraints[1].value: is required for MAX_PER: the most instances per value',
        'app.yaml:10:51 spec.constraints[2].value: MAX_PER needs a whole number >= 1 (got "1.5")',
        'app.yaml:11:48 spec.constraints[3].value: GROUP_BY takes a whole number >= 1 of values to spread over, or nothing (got "three")',
        'app.yaml:12:44 spec.constraints[4].value: is not a valid regular expression: Unterminated group',
        'app.yaml:13:7 spec.constraints[5].value: is required for IS: the value the agent must have',
        'app.yaml:14:15 spec.constraints[6].field: unknown special field "@datacenter": use hostname, @hostname, @region, @zone or an agent attribute name',
        'app.yaml:15:31 spec.constraints[7].operator: must be one of UNIQUE, CLUSTER, GROUP_BY, MAX_PER, LIKE, UNLIKE, IS (got "EQUALS")',
      ],
    ],
    [
      'a constraint without operator',
      '  cmd: run\n  constraints:\n    - {field: rack}\n',
      ['app.yaml:8:7 spec.constraints[0].operator: is required'],
    ],
    [
      'health checks on ports that do not exist, and mixed-up fields',
      `  cmd: run
  portDefinitions: [{name: http}]
  healthChecks:
    - {protocol: MESOS_HTTP, portIndex: 1}
    - {protocol: MESOS_TCP, path: /x}
    - {protocol: COMMAND, portIndex: 0}
    - {protocol: MESOS_HTTP, port: 80, portIndex: 0}
    - {protocol: HTTP}
`,
      [
        'app.yaml:9:41 spec.healthChecks[0].portIndex: refers to port index 1, but the app declares 1 port (http); the highest index is 0',
        'app.yaml:10:29 spec.healthChecks[1].path: only applies to MESOS_HTTP and MESOS_HTTPS checks',
        'app.yaml:11:7 spec.healthChecks[2].command: is required for protocol COMMAND',
        'app.yaml:11:27 spec.healthChecks[2].portIndex: only applies to port-based checks, not COMMAND',
        'app.yaml:12:36 spec.healthChecks[3].port: cannot be used together with portIndex: keep one of them',
        'app.yaml:13:18 spec.healthChecks[4].protocol: must be one of MESOS_HTTP, MESOS_HTTPS, MESOS_TCP, COMMAND (got "HTTP"); Marathon\'s HTTP health checks are MESOS_HTTP here ("meseta convert marathon" does this)',
      ],
    ],
    [
      'a port-based health check on an app without ports',
      '  cmd: run\n  healthChecks: [{protocol: MESOS_TCP}]\n',
      [
        'app.yaml:7:18 spec.healthChecks[0].portIndex: refers to port index 0, but the app declares no ports (portDefinitions or container.portMappings); declare one or set port',
      ],
    ],
    [
      'a readiness check on an unknown port, timing out after its interval',
      '  cmd: run\n  portDefinitions: [{name: http}]\n  readinessChecks:\n    - {portName: admin, intervalSeconds: 5, timeoutSeconds: 5}\n',
      [
        "app.yaml:9:18 spec.readinessChecks[0].portName: names no port of the app (the app's ports are http)",
        'app.yaml:9:61 spec.readinessChecks[0].timeoutSeconds: must be less than intervalSeconds (5)',
      ],
    ],
    [
      'a port without a name',
      '  cmd: run\n  portDefinitions:\n    - {port: 8080}\n',
      [
        'app.yaml:8:7 spec.portDefinitions[0].name: is required: meseta names every port (e.g. name: http)',
      ],
    ],
    [
      'duplicate port names',
      '  cmd: run\n  portDefinitions:\n    - {name: http}\n    - {name: http, port: 8080}\n',
      ['app.yaml:9:14 spec.portDefinitions[1].name: duplicate name "http" (also at index 0)'],
    ],
    [
      'a badly formed port name and a port out of range',
      '  cmd: run\n  portDefinitions:\n    - {name: HTTP, port: 70000}\n',
      [
        'app.yaml:8:14 spec.portDefinitions[0].name: must be lowercase letters, digits and "-", starting with a letter (got "HTTP")',
        'app.yaml:8:26 spec.portDefinitions[0].port: must be <= 65535',
      ],
    ],
    [
      'port mappings on host networking, port definitions on a container network',
      `  container:
    docker: {image: nginx}
    portMappings: [{name: http, containerPort: 80}]
  networks: [{mode: container, name: overlay}]
  portDefinitions: [{name: admin}]
---
apiVersion: meseta.io/v1
kind: App
metadata: {name: other}
spec:
  container:
    docker: {image: nginx}
    portMappings: [{name: http, containerPort: 80}]
`,
      [
        'app.yaml:10:20 spec.portDefinitions: are for host networking; with container networking declare container.portMappings',
        'app.yaml:18:19 spec.container.portMappings: need container networking: add networks: [{mode: container/bridge}] (or a container network)',
      ],
    ],
    [
      'an unreachable strategy that expunges before it replaces',
      '  cmd: run\n  unreachableStrategy: {inactiveAfterSeconds: 600, expungeAfterSeconds: 60}\n',
      [
        'app.yaml:7:73 spec.unreachableStrategy.expungeAfterSeconds: must be >= inactiveAfterSeconds (600)',
      ],
    ],
    [
      'an unreachable strategy given only inactiveAfterSeconds (expunge defaults to 0)',
      '  cmd: run\n  unreachableStrategy: {inactiveAfterSeconds: 60}\n',
      [
        'app.yaml:7:24 spec.unreachableStrategy.expungeAfterSeconds: must be >= inactiveAfterSeconds (60)',
      ],
    ],
    [
      'a disabled unreachable strategy with times',
      '  cmd: run\n  unreachableStrategy: {disabled: true, inactiveAfterSeconds: 60}\n',
      [
        'app.yaml:7:63 spec.unreachableStrategy.inactiveAfterSeconds: has no effect when disabled is true: remove it',
      ],
    ],
    [
      'a dependency on itself and a malformed one',
      '  cmd: run\n  dependencies: [default/web, Db_1, db, db]\n',
      [
        'app.yaml:7:18 spec.dependencies[0]: an app cannot depend on itself',
        'app.yaml:7:31 spec.dependencies[1]: must name an app as "name" or "namespace/name" in lowercase letters, digits, "-" and "." (got "Db_1")',
        'app.yaml:7:41 spec.dependencies[3]: duplicate item "db" (also at index 2)',
      ],
    ],
    [
      'environment and label values that are not strings',
      '  cmd: run\n  env: {WORKERS: 4}\n  labels: {canary: true}\n',
      [
        'app.yaml:7:18 spec.env.WORKERS: must be a string (got 4); quote it: "4"',
        'app.yaml:8:20 spec.labels.canary: must be a string (got true); quote it: "true"',
      ],
    ],
  ])('rejects %s', (_, spec, expected) => {
    expect(problems(app(spec))).toEqual(expected);
  });

  it.each([
    [
      'a name with capitals and underscores',
      'metadata:\n  name: Web_1\n',
      [
        'app.yaml:4:9 metadata.name: must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (got "Web_1")',
      ],
    ],
    [
      'a name with a leading dash',
      'metadata:\n  name: -web\n',
      [
        'app.yaml:4:9 metadata.name: must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (got "-web")',
      ],
    ],
    [
      'a name that is too long',
      `metadata:\n  name: ${'a'.repeat(254)}\n`,
      ['app.yaml:4:9 metadata.name: must be at most 253 characters long (got 254)'],
    ],
    [
      'a namespace with a dot, an unknown field and a bad label',
      'metadata:\n  name: web\n  namespace: shop.eu\n  lables: {}\n  labels: {team: "store front"}\n',
      [
        'app.yaml:5:14 metadata.namespace: must be lowercase letters, digits and "-", starting and ending with a letter or digit (got "shop.eu")',
        'app.yaml:6:3 metadata.lables: unknown field "lables" (did you mean "labels"?)',
        'app.yaml:7:18 metadata.labels.team: the value must be at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (got "store front")',
      ],
    ],
    ['no name', 'metadata:\n  namespace: shop\n', ['app.yaml:4:3 metadata.name: is required']],
  ])('rejects metadata with %s', (_, metadata, expected) => {
    const text = `apiVersion: meseta.io/v1\nkind: App\n${metadata}spec:\n  cmd: run\n`;
    expect(problems(text)).toEqual(expected);
  });

  it('rejects the wrong kind and version, and a missing spec, pointing at the document', () => {
    expect(problems('apiVersion: meseta.io/v2\nkind: Deployment\nmetadata: {name: web}\n')).toEqual(
      [
        'app.yaml:1:1 spec: is required',
        'app.yaml:1:13 apiVersion: must be one of meseta.io/v1 (got "meseta.io/v2")',
        'app.yaml:2:7 kind: must be one of App (got "Deployment")',
      ],
    );
  });

  it('reports the problems of every document in a file', () => {
    const text = `${app('  cmd: run\n  mem: -1\n')}---\n${app('  cpus: 0\n  cmd: run\n')}`;
    expect(problems(text)).toEqual([
      'app.yaml:7:8 spec.mem: must be >= 0',
      'app.yaml:14:9 spec.cpus: must be >= 0.001',
    ]);
  });

  it('reports YAML syntax errors with their line and column', () => {
    expect(problems(`${app('  cmd: run\n')}---\nspec: [a\n`)).toEqual([
      'app.yaml:9:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(problems('a: 1\na: 2\n')).toEqual([
      'app.yaml:2:1: invalid YAML: Map keys must be unique',
    ]);
  });

  it('positions problems in JSON files too', () => {
    const json =
      '{\n  "apiVersion": "meseta.io/v1",\n  "kind": "App",\n  "metadata": {"name": "web"},\n  "spec": {"cmd": "run", "cpus": -2}\n}\n';
    const loaded = parseManifests(json, 'web.json');
    const doc = loaded.documents[0]!;
    expect(
      validateApp(doc.value, { file: 'web.json', positions: doc.positions }).map((p) => p.format()),
    ).toEqual(['web.json:5:34 spec.cpus: must be >= 0.001']);
  });

  it('accepts the status a controller writes, and checks it like the spec', () => {
    const base = {
      apiVersion: 'meseta.io/v1',
      kind: 'App',
      metadata: { name: 'web' },
      spec: { cmd: 'x' },
    };
    const condition = {
      type: 'Available',
      status: 'True',
      reason: 'MinimumHealthy',
      message: '3 of 3 healthy',
      lastTransitionTime: '2026-01-31T12:00:00Z',
      observedGeneration: 2,
    };
    const status = {
      observedGeneration: 2,
      conditions: [condition],
      instances: 3,
      running: 3,
      healthy: 3,
      ready: 3,
      updated: 3,
      currentRevision: 4,
      targetRevision: 4,
    };
    expect(validateApp({ ...base, status })).toEqual([]);
    const bad = {
      ...status,
      running: -1,
      conditions: [condition, { ...condition, status: 'Yes', lastTransitionTime: 'yesterday' }],
    };
    expect(validateApp({ ...base, status: bad }).map((e) => e.format())).toEqual([
      'status.conditions[1].lastTransitionTime: must be an RFC 3339 date-time like 2024-01-31T12:00:00Z',
      'status.conditions[1].status: must be one of True, False, Unknown (got "Yes")',
      'status.conditions[1].type: duplicate type "Available" (also at index 0)',
      'status.running: must be >= 0',
    ]);
  });

  it('validates objects that come from no file (the store, the API) with paths only', () => {
    const errors = validateApp({
      apiVersion: 'meseta.io/v1',
      kind: 'App',
      metadata: { name: 'web' },
      spec: { cmd: 'x', instances: 'two' },
    });
    expect(errors.map((e) => e.format())).toEqual([
      'spec.instances: must be an integer (got "two")',
    ]);
    expect(validateApp('nope').map((e) => e.format())).toEqual(['must be a mapping (got "nope")']);
  });

  it('parseApp returns the defaulted app, or throws one ValidationError with every problem', () => {
    const parsed = parseApp({
      apiVersion: 'meseta.io/v1',
      kind: 'App',
      metadata: { name: 'web' },
      spec: { cmd: 'x' },
    });
    expect(parsed.metadata.namespace).toBe('default');
    expect(parsed.spec.instances).toBe(1);
    let thrown: unknown;
    try {
      parseApp({
        apiVersion: 'meseta.io/v1',
        kind: 'App',
        metadata: { name: 'web' },
        spec: { cpus: 0 },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).problems.map((p) => p.format())).toEqual([
      'spec: says nothing to run: set cmd, args or container',
      'spec.cpus: must be >= 0.001',
    ]);
  });
});

describe('parseAppDocuments', () => {
  it('returns the defaulted apps of the valid documents and the problems of the others', () => {
    const text = `${app('  cmd: run\n')}---\n${app('  cpus: 0\n  cmd: run\n').replace('name: web', 'name: db')}`;
    const result = parseAppDocuments(parseManifests(text, 'apps.yaml').documents);
    expect(
      result.apps.map(({ app, document }) => [app.metadata.name, app.spec.mem, document.index]),
    ).toEqual([['web', 128, 0]]);
    expect(result.invalidDocuments).toBe(1);
    expect(result.problems.map((p) => p.format())).toEqual([
      'apps.yaml:13:9 spec.cpus: must be >= 0.001',
    ]);
  });

  it('reports an app that a later document defines again, and keeps the first', () => {
    const documents = [
      ...parseManifests(app('  cmd: one\n'), 'a.yaml').documents,
      ...parseManifests(`# again\n${app('  cmd: two\n')}`, 'b.yaml').documents,
    ];
    const result = parseAppDocuments(documents);
    expect(result.apps.map(({ app }) => app.spec.cmd)).toEqual(['one']);
    expect(result.problems.map((p) => p.format())).toEqual([
      'b.yaml:5:9 metadata.name: app default/web is already defined at a.yaml:4',
    ]);
  });
});
