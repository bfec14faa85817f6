/**
 * Object metadata, the Kubernetes way: a name (DNS subdomain), a namespace (DNS label, default
 * "default"), labels with Kubernetes' key and value rules, annotations, and the fields the store
 * sets. A CRD may not constrain metadata beyond the name, so these rules live here and every
 * writer applies them through `validateApp`.
 */
import { shown, unknownField } from './messages.ts';
import type { PathSegment } from './field-path.ts';
import { isJsonObject } from './json-object.ts';
import type { Problem } from './problem.ts';

export interface ObjectMeta {
  /** Unique within the namespace: lowercase a–z, 0–9, "-" and ".", at most 253 characters. */
  name: string;
  /** A DNS label (at most 63 characters); "default" when not given. */
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Set by the store. */
  uid?: string;
  /** Set by the store: etcd's mod_revision of the object, as a string. */
  resourceVersion?: string;
  /** Set by the store: counts changes of spec. */
  generation?: number;
  /** Set by the store: RFC 3339. */
  creationTimestamp?: string;
}

export const DEFAULT_NAMESPACE = 'default';

const dnsLabel = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dnsLabelPattern = new RegExp(`^${dnsLabel}$`);
const dnsSubdomainPattern = new RegExp(`^${dnsLabel}(\\.${dnsLabel})*$`);
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const known: Record<keyof ObjectMeta, true> = {
  name: true,
  namespace: true,
  labels: true,
  annotations: true,
  uid: true,
  resourceVersion: true,
  generation: true,
  creationTimestamp: true,
};

/** Why `name` is not a valid object name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name.length > 253) return `must be at most 253 characters long (got ${name.length})`;
  if (!dnsSubdomainPattern.test(name)) {
    return `must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (got ${shown(name)})`;
  }
  return undefined;
}

/** Why `namespace` is not a valid namespace, or undefined when it is. */
export function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length > 63) return `must be at most 63 characters long (got ${namespace.length})`;
  if (!dnsLabelPattern.test(namespace)) {
    return `must be lowercase letters, digits and "-", starting and ending with a letter or digit (got ${shown(namespace)})`;
  }
  return undefined;
}

export function checkMetadata(meta: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!isJsonObject(meta)) return problems;
  const at = (...path: PathSegment[]) => ['metadata', ...path];
  for (const key of Object.keys(meta)) {
    if (!(key in known)) {
      problems.push({
        path: at(key),
        message: unknownField(key, Object.keys(known)),
        anchor: 'key',
      });
    }
  }
  if (meta.name === undefined)
    problems.push({ path: at('name'), message: 'is required', anchor: 'parent' });
  else if (typeof meta.name !== 'string')
    problems.push({ path: at('name'), message: `must be a string (got ${shown(meta.name)})` });
  else {
    const problem = nameProblem(meta.name);
    if (problem) problems.push({ path: at('name'), message: problem });
  }
  if (meta.namespace !== undefined) {
    const problem =
      typeof meta.namespace === 'string'
        ? namespaceProblem(meta.namespace)
        : `must be a string (got ${shown(meta.namespace)})`;
    if (problem) problems.push({ path: at('namespace'), message: problem });
  }
  checkStringMap(meta.labels, at('labels'), problems, labelProblem);
  checkStringMap(meta.annotations, at('annotations'), problems, () => undefined);
  for (const field of ['uid', 'resourceVersion', 'creationTimestamp'] as const) {
    if (meta[field] !== undefined && typeof meta[field] !== 'string') {
      problems.push({ path: at(field), message: `must be a string (got ${shown(meta[field])})` });
    }
  }
  if (
    meta.generation !== undefined &&
    !(Number.isInteger(meta.generation) && (meta.generation as number) >= 0)
  ) {
    problems.push({
      path: at('generation'),
      message: `must be an integer >= 0 (got ${shown(meta.generation)})`,
    });
  }
  return problems;
}

function checkStringMap(
  value: unknown,
  path: PathSegment[],
  out: Problem[],
  entryProblem: (key: string, value: string) => Omit<Problem, 'path'> | undefined,
): void {
  if (value === undefined) return;
  if (!isJsonObject(value)) {
    out.push({ path, message: `must be a mapping (got ${shown(value)})` });
    return;
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      out.push({
        path: [...path, key],
        message: `must be a string (got ${shown(entry)}); quote numbers and booleans`,
      });
      continue;
    }
    const problem = entryProblem(key, entry);
    if (problem) out.push({ path: [...path, key], ...problem });
  }
}

/** Kubernetes' label rules: an optional DNS-subdomain prefix and "/", a name, a short value. */
function labelProblem(key: string, value: string): Omit<Problem, 'path'> | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomainPattern.test(prefix))) {
    return {
      message: 'the key prefix must be a DNS subdomain (lowercase letters, digits, "-" and ".")',
      anchor: 'key',
    };
  }
  if (name.length > 63 || !labelNamePattern.test(name)) {
    return {
      message:
        'the key must be at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
      anchor: 'key',
    };
  }
  if (value.length > 63 || !labelValuePattern.test(value)) {
    return {
      message: `the value must be at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (got ${shown(value)})`,
    };
  }
  return undefined;
}
