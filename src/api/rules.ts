/**
 * The App rules no schema can say: what to run (cmd, args, container), networking and ports,
 * health and readiness checks against the declared ports, constraint operators and their
 * values, the unreachable strategy's ordering, dependencies. Runs on a defaulted App; written
 * defensively, because it also runs when the structure has errors, so that one pass reports
 * everything.
 */
import type { FieldPath } from './field-path.ts';
import { isJsonObject } from './json-object.ts';
import type { JsonObject } from './json-object.ts';
import { shown } from './messages.ts';
import type { Problem } from './problem.ts';

function list(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** Every semantic problem of a defaulted App. */
export function checkRules(app: unknown): Problem[] {
  const out: Problem[] = [];
  if (!isJsonObject(app) || !isJsonObject(app.spec)) return out;
  const spec = app.spec;
  const namespace = isJsonObject(app.metadata) ? app.metadata.namespace : undefined;
  const name = isJsonObject(app.metadata) ? app.metadata.name : undefined;
  checkCommand(spec, out);
  const ports = checkNetworking(spec, out);
  checkHealthChecks(spec, ports, out);
  checkReadinessChecks(spec, ports, out);
  checkConstraints(spec, out);
  checkUnreachable(spec, out);
  checkDependencies(spec, namespace, name, out);
  checkEnv(spec, out);
  return out;
}

function checkCommand(spec: JsonObject, out: Problem[]): void {
  const container = isJsonObject(spec.container) ? spec.container : undefined;
  if (spec.cmd === undefined && spec.args === undefined && container === undefined) {
    out.push({ path: ['spec'], message: 'says nothing to run: set cmd, args or container' });
  }
  if (spec.cmd !== undefined && spec.args !== undefined) {
    out.push({
      path: ['spec', 'args'],
      message: 'cannot be used together with cmd: keep one of them',
    });
  }
  if (!container) return;
  const docker = isJsonObject(container.docker) ? container.docker : undefined;
  if (container.type === 'DOCKER' && !docker) {
    out.push({
      path: ['spec', 'container', 'docker'],
      message: 'is required when type is DOCKER',
      anchor: 'parent',
    });
  }
  if (container.type === 'MESOS' && !docker && spec.cmd === undefined && spec.args === undefined) {
    out.push({
      path: ['spec', 'container'],
      message: 'a MESOS container without docker.image needs cmd or args to know what to run',
    });
  }
  if (container.type === 'MESOS' && docker?.privileged === true) {
    out.push({
      path: ['spec', 'container', 'docker', 'privileged'],
      message: 'is only supported with type DOCKER',
    });
  }
}

/** Checks networks and ports; returns the names of the app's ports in index order. */
function checkNetworking(spec: JsonObject, out: Problem[]): string[] {
  const networks = list(spec.networks);
  let exclusive = 0;
  networks.forEach((network, i) => {
    const path = ['spec', 'networks', i];
    if (network.mode === 'host' || network.mode === 'container/bridge') {
      exclusive++;
      if (network.name !== undefined) {
        out.push({
          path: [...path, 'name'],
          message: `only a container network has a name, not mode ${String(network.mode)}`,
        });
      }
    } else if (network.mode === 'container' && network.name === undefined) {
      out.push({
        path: [...path, 'name'],
        message: 'is required for mode container',
        anchor: 'parent',
      });
    }
  });
  if (exclusive > 0 && networks.length > 1) {
    out.push({
      path: ['spec', 'networks'],
      message: 'host and container/bridge networking cannot be combined with other networks',
    });
  }
  const containerNetworking = networks.some((n) => n.mode !== 'host');
  const container = isJsonObject(spec.container) ? spec.container : undefined;
  const mappings = list(container?.portMappings);
  const definitions = list(spec.portDefinitions);
  if (mappings.length > 0 && !containerNetworking) {
    out.push({
      path: ['spec', 'container', 'portMappings'],
      message:
        'need container networking: add networks: [{mode: container/bridge}] (or a container network)',
    });
  }
  if (definitions.length > 0 && containerNetworking) {
    out.push({
      path: ['spec', 'portDefinitions'],
      message: 'are for host networking; with container networking declare container.portMappings',
    });
  }
  if (spec.requirePorts === true) {
    const seen = new Map<unknown, number>();
    definitions.forEach((definition, i) => {
      if (definition.port === 0 || definition.port === undefined) return;
      const first = seen.get(definition.port);
      if (first !== undefined) {
        out.push({
          path: ['spec', 'portDefinitions', i, 'port'],
          message: `port ${String(definition.port)} is already required by portDefinitions[${first}]; with requirePorts host ports must differ`,
        });
      } else seen.set(definition.port, i);
    });
  }
  const ports = containerNetworking ? mappings : definitions;
  return ports.map((p) => String(p.name));
}

function checkHealthChecks(spec: JsonObject, ports: string[], out: Problem[]): void {
  list(spec.healthChecks).forEach((check, i) => {
    const path = ['spec', 'healthChecks', i];
    if (check.protocol === 'COMMAND') {
      if (check.command === undefined) {
        out.push({
          path: [...path, 'command'],
          message: 'is required for protocol COMMAND',
          anchor: 'parent',
        });
      }
      for (const field of ['port', 'portIndex', 'path']) {
        if (check[field] !== undefined)
          out.push({
            path: [...path, field],
            message: 'only applies to port-based checks, not COMMAND',
            anchor: 'key',
          });
      }
      return;
    }
    if (check.command !== undefined) {
      out.push({
        path: [...path, 'command'],
        message: `only applies to protocol COMMAND, not ${String(check.protocol)}`,
        anchor: 'key',
      });
    }
    if (check.path !== undefined && check.protocol === 'MESOS_TCP') {
      out.push({
        path: [...path, 'path'],
        message: 'only applies to MESOS_HTTP and MESOS_HTTPS checks',
        anchor: 'key',
      });
    }
    if (check.port !== undefined && check.portIndex !== undefined) {
      out.push({
        path: [...path, 'port'],
        message: 'cannot be used together with portIndex: keep one of them',
      });
    } else if (typeof check.portIndex === 'number' && check.portIndex >= ports.length) {
      out.push({ path: [...path, 'portIndex'], message: portIndexMessage(check.portIndex, ports) });
    }
  });
}

function portIndexMessage(index: number, ports: string[]): string {
  if (ports.length === 0) {
    return `refers to port index ${index}, but the app declares no ports (portDefinitions or container.portMappings); declare one or set port`;
  }
  return `refers to port index ${index}, but the app declares ${ports.length} port${ports.length === 1 ? '' : 's'} (${ports.join(', ')}); the highest index is ${ports.length - 1}`;
}

function checkReadinessChecks(spec: JsonObject, ports: string[], out: Problem[]): void {
  list(spec.readinessChecks).forEach((check, i) => {
    const path = ['spec', 'readinessChecks', i];
    if (typeof check.portName === 'string' && !ports.includes(check.portName)) {
      const known = ports.length
        ? `the app's ports are ${ports.join(', ')}`
        : 'the app declares no ports';
      out.push({ path: [...path, 'portName'], message: `names no port of the app (${known})` });
    }
    if (
      typeof check.timeoutSeconds === 'number' &&
      typeof check.intervalSeconds === 'number' &&
      check.timeoutSeconds >= check.intervalSeconds
    ) {
      out.push({
        path: [...path, 'timeoutSeconds'],
        message: `must be less than intervalSeconds (${check.intervalSeconds})`,
      });
    }
  });
}

const specialFields = new Set(['@hostname', '@region', '@zone']);
const wholeNumber = /^[1-9][0-9]*$/;

function checkConstraints(spec: JsonObject, out: Problem[]): void {
  list(spec.constraints).forEach((constraint, i) => {
    const path: FieldPath = ['spec', 'constraints', i];
    const { field, operator, value } = constraint;
    if (typeof field === 'string' && field.startsWith('@') && !specialFields.has(field)) {
      out.push({
        path: [...path, 'field'],
        message: `unknown special field ${shown(field)}: use hostname, @hostname, @region, @zone or an agent attribute name`,
      });
    }
    const valuePath = [...path, 'value'];
    const missing = (what: string) =>
      out.push({
        path: valuePath,
        message: `is required for ${String(operator)}: ${what}`,
        anchor: 'parent',
      });
    switch (operator) {
      case 'UNIQUE':
        if (value !== undefined) out.push({ path: valuePath, message: 'UNIQUE takes no value' });
        break;
      case 'MAX_PER':
        if (value === undefined) missing('the most instances per value');
        else if (typeof value === 'string' && !wholeNumber.test(value))
          out.push({
            path: valuePath,
            message: `MAX_PER needs a whole number >= 1 (got ${shown(value)})`,
          });
        break;
      case 'GROUP_BY':
        if (typeof value === 'string' && !wholeNumber.test(value))
          out.push({
            path: valuePath,
            message: `GROUP_BY takes a whole number >= 1 of values to spread over, or nothing (got ${shown(value)})`,
          });
        break;
      case 'LIKE':
      case 'UNLIKE':
        if (value === undefined) missing('a regular expression');
        else if (typeof value === 'string') {
          const problem = regexProblem(value);
          if (problem)
            out.push({ path: valuePath, message: `is not a valid regular expression: ${problem}` });
        }
        break;
      case 'IS':
        if (value === undefined) missing('the value the agent must have');
        break;
    }
  });
}

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(`^(?:${source})$`);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: \/.*\/: /, '');
  }
}

function checkUnreachable(spec: JsonObject, out: Problem[]): void {
  const strategy = spec.unreachableStrategy;
  if (!isJsonObject(strategy)) return;
  const { inactiveAfterSeconds: inactive, expungeAfterSeconds: expunge } = strategy;
  const path = ['spec', 'unreachableStrategy'];
  if (strategy.disabled === true) {
    for (const field of ['inactiveAfterSeconds', 'expungeAfterSeconds']) {
      const v = strategy[field];
      if (v !== undefined && v !== 0)
        out.push({
          path: [...path, field],
          message: 'has no effect when disabled is true: remove it',
        });
    }
    return;
  }
  if (typeof inactive === 'number' && typeof expunge === 'number' && expunge < inactive) {
    out.push({
      path: [...path, 'expungeAfterSeconds'],
      message: `must be >= inactiveAfterSeconds (${inactive})`,
    });
  }
}

function checkDependencies(
  spec: JsonObject,
  namespace: unknown,
  name: unknown,
  out: Problem[],
): void {
  if (!Array.isArray(spec.dependencies)) return;
  spec.dependencies.forEach((dependency, i) => {
    if (typeof dependency !== 'string') return;
    const [ns, app] = dependency.includes('/') ? dependency.split('/', 2) : [namespace, dependency];
    if (ns === namespace && app === name) {
      out.push({ path: ['spec', 'dependencies', i], message: 'an app cannot depend on itself' });
    }
  });
}

function checkEnv(spec: JsonObject, out: Problem[]): void {
  if (!isJsonObject(spec.env)) return;
  for (const key of Object.keys(spec.env)) {
    if (key === '' || key.includes('=') || key.includes('\0')) {
      out.push({
        path: ['spec', 'env', key],
        message: 'is not a valid environment variable name (empty, or contains "=")',
        anchor: 'key',
      });
    }
  }
}
