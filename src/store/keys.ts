/**
 * Where everything lives in etcd, under one configurable prefix (default `/meseta`) so that
 * several meseta installations can share an etcd:
 *   <prefix>/registry/<group>/<plural>/<namespace>/<name>   namespaced objects
 *   <prefix>/registry/<group>/<plural>/<name>               cluster-scoped objects
 *   <prefix>/internal/<name>                                 internal records
 *   <prefix>/leases/<role>                                   leader keys
 * Every prefix handed out ends in `/`, so that namespace `a` never matches namespace `ab`.
 */
import { MesetaError, ValidationError } from '../errors.ts';

export interface KeyLayout {
  readonly prefix: string;
  /** The key of one object. */
  object(type: TypeKeyParts, namespace: string | undefined, name: string): string;
  /** The prefix of every object of a type, or of a type in one namespace. */
  typePrefix(type: TypeKeyParts, namespace?: string): string;
  internal(name: string): string;
  leader(role: string): string;
}

export interface TypeKeyParts {
  group: string;
  plural: string;
  namespaced: boolean;
}

export const DEFAULT_PREFIX = '/meseta';

// Kubernetes' DNS-1123 subdomain, which also keeps `/` out of keys.
const namePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function keyLayout(prefix: string = DEFAULT_PREFIX): KeyLayout {
  if (!prefix.startsWith('/') || prefix.endsWith('/')) {
    throw new MesetaError('Invalid', `store prefix must start with "/" and not end with it`, {
      path: 'prefix',
    });
  }
  const registry = `${prefix}/registry/`;
  const typeRoot = (type: TypeKeyParts) => `${registry}${type.group || 'core'}/${type.plural}/`;
  return {
    prefix,
    object(type, namespace, name) {
      checkName(name, 'metadata.name');
      if (!type.namespaced) return typeRoot(type) + name;
      if (!namespace) throw invalid('metadata.namespace', 'is required for this kind');
      checkName(namespace, 'metadata.namespace');
      return `${typeRoot(type)}${namespace}/${name}`;
    },
    typePrefix(type, namespace) {
      if (!type.namespaced || namespace === undefined) return typeRoot(type);
      checkName(namespace, 'metadata.namespace');
      return `${typeRoot(type)}${namespace}/`;
    },
    internal(name) {
      checkSegments(name, 'name');
      return `${prefix}/internal/${name}`;
    },
    leader(role) {
      checkName(role, 'role');
      return `${prefix}/leases/${role}`;
    },
  };
}

export function checkName(name: string, path: string): void {
  if (name.length > 253 || !namePattern.test(name)) {
    throw invalid(
      path,
      `"${name}" must be lowercase letters, digits, "-" and ".", start and end with a letter or digit, at most 253 characters`,
    );
  }
}

/** Internal record names may have `/`-separated parts (e.g. `applysets/web`), each a name. */
function checkSegments(name: string, path: string): void {
  for (const part of name.split('/')) checkName(part, path);
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([new MesetaError('Invalid', message, { path })]);
}

/**
 * The end of the range of keys starting with `prefix`, in etcd's byte order: the prefix with its
 * last byte incremented (trailing 0xff bytes dropped).
 */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i]! += 1;
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, i + 1));
      } catch {
        throw new MesetaError('Invalid', `prefix ${JSON.stringify(prefix)} has no UTF-8 range end`);
      }
    }
  }
  return '\0';
}
