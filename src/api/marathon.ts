/**
 * Conversion of Marathon app definitions (the JSON of `/v2/apps`) into App manifests. Maps the
 * app id to namespace and name, Marathon's constraint triples to objects, Marathon-run health
 * checks (HTTP, HTTPS, TCP) to their Mesos-native forms, the deprecated `ports`, `ipAddress`,
 * `container.docker.network` and `container.docker.portMappings` to today's fields, and says in
 * a note every field it could not carry over or had to change. The result is a manifest as a
 * user would write it (no defaults filled in); validate it with `validateApp`.
 */
import { MesetaError } from '../errors.ts';
import { validateApp } from './app.ts';
import { APP_API_VERSION, APP_KIND, appSchema } from './crd.ts';
import { formatPath } from './field-path.ts';
import type { PathSegment } from './field-path.ts';
import { isJsonObject } from './json-object.ts';
import type { JsonObject } from './json-object.ts';
import type { ManifestDocument } from './load.ts';
import { DEFAULT_NAMESPACE, nameProblem, namespaceProblem } from './metadata.ts';

export interface ConversionNote {
  /** Field path in the Marathon definition. */
  path: string;
  message: string;
}

export interface Conversion {
  /** The Marathon app id as given. */
  id: string;
  manifest: Record<string, unknown>;
  notes: ConversionNote[];
}

/** Accepts one app, `{app: …}` (GET /v2/apps/ID), `{apps: […]}` (GET /v2/apps) or a list. */
export function convertMarathon(input: unknown): Conversion[] {
  if (Array.isArray(input)) return input.map((app, i) => convertMarathonApp(app, [i]));
  if (isJsonObject(input) && Array.isArray(input.apps)) {
    return input.apps.map((app, i) => convertMarathonApp(app, ['apps', i]));
  }
  if (isJsonObject(input) && isJsonObject(input.app))
    return [convertMarathonApp(input.app, ['app'])];
  return [convertMarathonApp(input, [])];
}

export interface ConvertedDocuments {
  conversions: Conversion[];
  /** Input that is no Marathon app, and conversions that are no valid App. */
  problems: MesetaError[];
}

/** Converts loaded Marathon documents and validates what comes out; keeps going past errors. */
export function convertMarathonDocuments(
  documents: readonly ManifestDocument[],
): ConvertedDocuments {
  const result: ConvertedDocuments = { conversions: [], problems: [] };
  for (const document of documents) {
    let conversions: Conversion[];
    try {
      conversions = convertMarathon(document.value);
    } catch (error) {
      if (!(error instanceof MesetaError)) throw error;
      result.problems.push(
        new MesetaError(error.code, error.message, { ...error.where, file: document.file }),
      );
      continue;
    }
    for (const conversion of conversions) {
      for (const problem of validateApp(conversion.manifest)) {
        const message = `the converted app ${conversion.id} is invalid: ${problem.message}`;
        result.problems.push(
          new MesetaError(problem.code, message, { file: document.file, path: problem.where.path }),
        );
      }
    }
    result.conversions.push(...conversions);
  }
  return result;
}

/** Where meseta puts a Marathon app id: the last segment is the name, the groups the namespace. */
export function namespaceAndName(
  id: string,
  at: PathSegment[] = ['id'],
): { namespace: string; name: string } {
  const segments = id.split('/').filter((s) => s !== '');
  const name = segments.pop();
  const where = { path: formatPath(at) };
  if (!name)
    throw new MesetaError('Invalid', `the app id ${JSON.stringify(id)} names no app`, where);
  const namespace = segments.length > 0 ? segments.join('-') : DEFAULT_NAMESPACE;
  const problem = nameProblem(name) ?? namespaceProblem(namespace);
  if (problem) {
    throw new MesetaError(
      'Invalid',
      `the app id ${JSON.stringify(id)} cannot become a name and namespace: ${problem}`,
      where,
    );
  }
  return { namespace, name };
}

// Fields of a Marathon app that describe its state, not its definition: not carried, not noted.
const readOnly = new Set([
  'version',
  'versionInfo',
  'tasks',
  'tasksStaged',
  'tasksRunning',
  'tasksHealthy',
  'tasksUnhealthy',
  'deployments',
  'lastTaskFailure',
  'readinessCheckResults',
  'taskStats',
]);

// Fields copied as they are.
const copied = [
  'instances',
  'cpus',
  'mem',
  'disk',
  'gpus',
  'cmd',
  'args',
  'user',
  'requirePorts',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'killSelection',
  'taskKillGracePeriodSeconds',
];

const handled = new Set([
  'id',
  ...copied,
  'container',
  'networks',
  'ipAddress',
  'ports',
  'portDefinitions',
  'env',
  'secrets',
  'labels',
  'constraints',
  'healthChecks',
  'readinessChecks',
  'upgradeStrategy',
  'unreachableStrategy',
  'dependencies',
  'fetch',
  'uris',
  'acceptedResourceRoles',
  'residency',
  'storeUrls',
  'tty',
  'role',
  'executor',
]);

const notCarried: Record<string, string> = {
  fetch:
    'not carried over: meseta does not fetch artifacts; bake them into an image or download them in cmd',
  uris: 'not carried over: meseta does not fetch artifacts; bake them into an image or download them in cmd',
  acceptedResourceRoles: 'not carried over: meseta uses the framework role for every app',
  residency: 'not carried over: meseta has no local persistent volumes',
  storeUrls: 'not carried over: meseta has no store URLs',
  secrets:
    'not carried over: meseta has no secret store; put secrets into env from your own tooling',
  tty: 'not carried over: meseta allocates no TTY',
  role: "not carried over: meseta offers every app the framework's role",
};

export function convertMarathonApp(input: unknown, at: PathSegment[] = []): Conversion {
  if (!isJsonObject(input)) {
    throw new MesetaError('Invalid', 'a Marathon app definition must be a JSON object', {
      path: formatPath(at) || undefined,
    });
  }
  const notes: ConversionNote[] = [];
  const note = (path: PathSegment[], message: string) =>
    notes.push({ path: formatPath([...at, ...path]), message });
  if (typeof input.id !== 'string') {
    throw new MesetaError('Invalid', 'the app has no "id"', { path: formatPath([...at, 'id']) });
  }
  const { namespace, name } = namespaceAndName(input.id, [...at, 'id']);
  if (input.id.split('/').filter(Boolean).length > 2) {
    note(['id'], `the groups of ${input.id} became the namespace "${namespace}"`);
  }
  const spec: JsonObject = {};
  for (const field of copied)
    if (input[field] !== undefined && input[field] !== null) spec[field] = input[field];
  if (Array.isArray(spec.args) && spec.args.length === 0) delete spec.args;

  const container = convertContainer(input, note);
  if (container.container) spec.container = container.container;
  if (container.networks) spec.networks = container.networks;
  const portNames = convertPorts(input, spec, note);
  convertEnv(input, spec, note);
  if (isJsonObject(input.labels) && Object.keys(input.labels).length > 0) {
    spec.labels = Object.fromEntries(Object.entries(input.labels).map(([k, v]) => [k, String(v)]));
  }
  convertConstraints(input, spec, note);
  convertHealthChecks(input, spec, note);
  convertReadinessChecks(input, spec, portNames, note);
  if (isJsonObject(input.upgradeStrategy)) spec.upgradeStrategy = input.upgradeStrategy;
  if (input.unreachableStrategy === 'disabled') spec.unreachableStrategy = { disabled: true };
  else if (isJsonObject(input.unreachableStrategy))
    spec.unreachableStrategy = input.unreachableStrategy;
  convertDependencies(input, namespace, spec, note);

  for (const [field, value] of Object.entries(input)) {
    if (field === 'executor') {
      if (value !== '' && value !== '//cmd' && value !== null) {
        note([field], 'not carried over: meseta runs tasks with the default executor');
      }
    } else if (notCarried[field] && !isEmpty(value)) note([field], notCarried[field]);
    else if (!handled.has(field) && !readOnly.has(field))
      note([field], 'not carried over: meseta has no such field');
  }
  const manifest: JsonObject = {
    apiVersion: APP_API_VERSION,
    kind: APP_KIND,
    metadata: { name, namespace },
    spec: inSchemaOrder(spec),
  };
  return { id: input.id, manifest, notes };
}

/** Orders the spec's fields as the CRD lists them, so converted manifests read like docs/apps.md. */
function inSchemaOrder(spec: JsonObject): JsonObject {
  const order = Object.keys(appSchema.properties?.spec?.properties ?? {});
  return Object.fromEntries(
    Object.entries(spec).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)),
  );
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (isJsonObject(value) && Object.keys(value).length === 0)
  );
}

type Note = (path: PathSegment[], message: string) => void;

const dockerNetworks: Record<string, string | undefined> = {
  BRIDGE: 'container/bridge',
  USER: 'container',
  HOST: undefined,
};

function convertContainer(
  input: JsonObject,
  note: Note,
): { container?: JsonObject; networks?: JsonObject[] } {
  let networks: JsonObject[] | undefined;
  if (Array.isArray(input.networks)) {
    networks = input.networks.filter(isJsonObject).map((n, i) => {
      if (n.labels !== undefined)
        note(['networks', i, 'labels'], 'not carried over: meseta networks have no labels');
      return { mode: n.mode ?? 'container', ...(n.name !== undefined ? { name: n.name } : {}) };
    });
    if (networks.every((n) => n.mode === 'host')) networks = undefined;
  }
  if (isJsonObject(input.ipAddress)) {
    const name = input.ipAddress.networkName;
    networks = [{ mode: 'container', ...(typeof name === 'string' ? { name } : {}) }];
    note(['ipAddress'], 'the deprecated ipAddress became networks: [{mode: container}]');
    if (isJsonObject(input.ipAddress.discovery)) {
      note(
        ['ipAddress', 'discovery'],
        'not carried over: declare the ports as container.portMappings',
      );
    }
  }
  const source = input.container;
  if (!isJsonObject(source)) return { networks };
  const container: JsonObject = {};
  if (source.type !== undefined) container.type = source.type;
  const docker = isJsonObject(source.docker) ? source.docker : undefined;
  if (docker) {
    const out: JsonObject = {};
    for (const field of ['image', 'forcePullImage', 'privileged', 'parameters']) {
      if (docker[field] !== undefined) out[field] = docker[field];
    }
    container.docker = out;
    if (typeof docker.network === 'string') {
      const mode = dockerNetworks[docker.network];
      if (docker.network === 'NONE')
        note(
          ['container', 'docker', 'network'],
          'not carried over: meseta has no "none" networking',
        );
      else if (mode && !networks) networks = [{ mode }];
    }
    for (const field of ['credential', 'pullConfig']) {
      if (docker[field] !== undefined)
        note(
          ['container', 'docker', field],
          'not carried over: meseta has no registry credentials',
        );
    }
  }
  if (isJsonObject(source.appc))
    note(['container', 'appc'], 'not carried over: meseta runs no AppC images');
  const bridged = networks?.some((n) => n.mode === 'container/bridge') ?? false;
  const mappingsAt = Array.isArray(source.portMappings)
    ? ['container', 'portMappings']
    : ['container', 'docker', 'portMappings'];
  const mappings = Array.isArray(source.portMappings) ? source.portMappings : docker?.portMappings;
  if (Array.isArray(mappings) && mappings.length > 0) {
    const names = uniqueNames(mappings);
    container.portMappings = mappings.filter(isJsonObject).map((m, i) => {
      const out: JsonObject = { name: names[i] };
      for (const field of ['containerPort', 'hostPort', 'servicePort', 'protocol', 'labels']) {
        if (m[field] !== undefined) out[field] = m[field];
      }
      if (bridged && out.hostPort === undefined) out.hostPort = 0;
      if (m.networkNames !== undefined)
        note(
          [...mappingsAt, i, 'networkNames'],
          'not carried over: a mapping applies to every container network',
        );
      return out;
    });
    if (mappingsAt[1] === 'docker')
      note(mappingsAt, 'the deprecated docker.portMappings became container.portMappings');
    if (!networks) networks = [{ mode: 'container/bridge' }];
  }
  if (Array.isArray(source.volumes)) {
    const volumes: JsonObject[] = [];
    source.volumes.forEach((v, i) => {
      if (
        isJsonObject(v) &&
        typeof v.hostPath === 'string' &&
        typeof v.containerPath === 'string'
      ) {
        volumes.push({
          containerPath: v.containerPath,
          hostPath: v.hostPath,
          mode: v.mode ?? 'RW',
        });
      } else
        note(
          ['container', 'volumes', i],
          'not carried over: meseta mounts host paths only (no persistent, external or secret volumes)',
        );
    });
    if (volumes.length > 0) container.volumes = volumes;
  }
  return { container, networks };
}

/** Port names, made up where Marathon had none: `port0`, `port1`, … by position. */
function uniqueNames(ports: unknown[]): string[] {
  const taken = new Set(
    ports.map((p) => (isJsonObject(p) && typeof p.name === 'string' ? p.name : undefined)),
  );
  return ports.map((p, i) => {
    if (isJsonObject(p) && typeof p.name === 'string') return p.name;
    let name = `port${i}`;
    for (let n = 0; taken.has(name); n++) name = `port${i}-${n}`;
    taken.add(name);
    return name;
  });
}

/** Converts portDefinitions (or the deprecated ports); returns the app's port names in order. */
function convertPorts(input: JsonObject, spec: JsonObject, note: Note): string[] {
  const container = isJsonObject(spec.container) ? spec.container : undefined;
  if (Array.isArray(container?.portMappings)) {
    return container.portMappings.map((m) => String((m as JsonObject).name));
  }
  let definitions: JsonObject[] = [];
  if (Array.isArray(input.portDefinitions))
    definitions = input.portDefinitions.filter(isJsonObject);
  else if (Array.isArray(input.ports)) {
    definitions = input.ports.map((port) => ({ port }));
    if (input.ports.length > 0) note(['ports'], 'the deprecated ports became portDefinitions');
  } else if (!Array.isArray(spec.networks)) {
    // Marathon gives a host-networking app without ports one port, named "default".
    spec.portDefinitions = [{ name: 'default', port: 0 }];
    note(['portDefinitions'], "absent: added Marathon's default port {name: default, port: 0}");
    return ['default'];
  }
  if (definitions.length === 0) return [];
  const names = uniqueNames(definitions);
  const made = names.filter((_, i) => typeof definitions[i]!.name !== 'string');
  if (made.length > 0) {
    note(
      [Array.isArray(input.portDefinitions) ? 'portDefinitions' : 'ports'],
      `ports without a name were named ${made.join(', ')} (meseta needs a name per port)`,
    );
  }
  spec.portDefinitions = definitions.map((d, i) => {
    const out: JsonObject = { name: names[i] };
    for (const field of ['port', 'protocol', 'labels'])
      if (d[field] !== undefined) out[field] = d[field];
    return out;
  });
  return names;
}

function convertEnv(input: JsonObject, spec: JsonObject, note: Note): void {
  if (!isJsonObject(input.env)) return;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.env)) {
    if (isJsonObject(value)) note(['env', key], 'not carried over: meseta has no secret store');
    else env[key] = String(value);
  }
  if (Object.keys(env).length > 0) spec.env = env;
}

function convertConstraints(input: JsonObject, spec: JsonObject, note: Note): void {
  if (!Array.isArray(input.constraints) || input.constraints.length === 0) return;
  const constraints: JsonObject[] = [];
  input.constraints.forEach((c, i) => {
    if (Array.isArray(c) && c.length >= 2) {
      constraints.push({
        field: String(c[0]),
        operator: String(c[1]).toUpperCase(),
        ...(c[2] !== undefined && c[2] !== null ? { value: String(c[2]) } : {}),
      });
    } else if (isJsonObject(c) && c.field !== undefined) {
      constraints.push({
        field: c.field,
        operator: String(c.operator).toUpperCase(),
        ...(c.value !== undefined ? { value: String(c.value) } : {}),
      });
    } else note(['constraints', i], 'not carried over: expected [field, OPERATOR, value]');
  });
  spec.constraints = constraints;
}

const checkProtocols: Record<string, string> = {
  HTTP: 'MESOS_HTTP',
  HTTPS: 'MESOS_HTTPS',
  TCP: 'MESOS_TCP',
};

function convertHealthChecks(input: JsonObject, spec: JsonObject, note: Note): void {
  if (!Array.isArray(input.healthChecks) || input.healthChecks.length === 0) return;
  spec.healthChecks = input.healthChecks.filter(isJsonObject).map((check, i) => {
    const protocol = typeof check.protocol === 'string' ? check.protocol : 'HTTP';
    const out: JsonObject = { protocol: checkProtocols[protocol] ?? protocol };
    if (checkProtocols[protocol]) {
      note(
        ['healthChecks', i, 'protocol'],
        `${protocol} (checked by Marathon) became ${checkProtocols[protocol]} (checked by Mesos on the agent)`,
      );
    }
    for (const field of [
      'path',
      'portIndex',
      'port',
      'gracePeriodSeconds',
      'intervalSeconds',
      'timeoutSeconds',
      'maxConsecutiveFailures',
      'delaySeconds',
    ]) {
      if (check[field] !== undefined) out[field] = check[field];
    }
    if (protocol === 'COMMAND' && isJsonObject(check.command))
      out.command = { value: check.command.value };
    if (check.ignoreHttp1xx !== undefined)
      note(
        ['healthChecks', i, 'ignoreHttp1xx'],
        'not carried over: Mesos checks treat 1xx as failures',
      );
    if (check.ipProtocol !== undefined && check.ipProtocol !== 'IPv4')
      note(['healthChecks', i, 'ipProtocol'], 'not carried over: meseta checks over IPv4');
    return out;
  });
}

function convertReadinessChecks(
  input: JsonObject,
  spec: JsonObject,
  portNames: string[],
  note: Note,
): void {
  if (!Array.isArray(input.readinessChecks) || input.readinessChecks.length === 0) return;
  spec.readinessChecks = input.readinessChecks.filter(isJsonObject).map((check, i) => {
    const out: JsonObject = { portName: check.portName ?? 'http-api' };
    for (const field of [
      'name',
      'protocol',
      'path',
      'intervalSeconds',
      'timeoutSeconds',
      'httpStatusCodesForReady',
      'preserveLastResponse',
    ]) {
      if (check[field] !== undefined) out[field] = check[field];
    }
    if (check.portName === undefined && !portNames.includes('http-api')) {
      note(
        ['readinessChecks', i, 'portName'],
        'Marathon\'s default port name "http-api" names no port of this app: set portName',
      );
    }
    return out;
  });
}

function convertDependencies(
  input: JsonObject,
  namespace: string,
  spec: JsonObject,
  note: Note,
): void {
  if (
    !Array.isArray(input.dependencies) ||
    input.dependencies.length === 0 ||
    typeof input.id !== 'string'
  )
    return;
  const dependencies: string[] = [];
  input.dependencies.forEach((dependency, i) => {
    try {
      const target = namespaceAndName(resolveId(String(dependency), input.id as string), [
        'dependencies',
        i,
      ]);
      dependencies.push(
        target.namespace === namespace ? target.name : `${target.namespace}/${target.name}`,
      );
    } catch (error) {
      note(['dependencies', i], `not carried over: ${(error as MesetaError).message}`);
    }
  });
  if (dependencies.length > 0) spec.dependencies = dependencies;
}

/** Resolves a Marathon path id (absolute, or relative to the app's group) to an absolute id. */
export function resolveId(id: string, base: string): string {
  if (id.startsWith('/')) return id;
  const segments = base.split('/').filter(Boolean).slice(0, -1);
  for (const part of id.split('/')) {
    if (part === '..') segments.pop();
    else if (part !== '.' && part !== '') segments.push(part);
  }
  return `/${segments.join('/')}`;
}
