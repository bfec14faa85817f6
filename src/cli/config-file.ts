/**
 * The CLI's config file (`~/.meseta/config`, or `--config`, or `$MESETA_CONFIG`): named
 * contexts, each saying how to reach one meseta installation — etcd endpoints with TLS and
 * auth, the key prefix, the default namespace — and which context is current. Reading checks
 * every field and names the file and field of a problem; a missing file is an empty config.
 * Writing replaces the file atomically and keeps it private (it may hold a password).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { isJsonObject } from '../api/json-object.ts';
import { MesetaError, UsageError } from '../errors.ts';

export interface ContextConfig {
  /** e.g. `http://127.0.0.1:2379`; all `https://` or all `http://`. */
  endpoints: string[];
  /** Key prefix of the installation; `/meseta` when absent. */
  prefix?: string;
  /** Namespace used when a command names none; `default` when absent. */
  namespace?: string;
  /** Each a file path or PEM text. */
  tls?: { ca?: string; cert?: string; key?: string };
  auth?: { username: string; password: string };
}

export interface MesetaConfig {
  currentContext?: string;
  contexts: Record<string, ContextConfig>;
}

/** `--config`, else `$MESETA_CONFIG`, else `~/.meseta/config`. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.MESETA_CONFIG ?? join(homedir(), '.meseta', 'config');
}

export async function readConfig(path: string): Promise<MesetaConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw new MesetaError('Unreadable', `cannot read: ${(error as Error).message}`, {
      file: path,
    });
  }
  const document = parseDocument(text);
  const syntax = document.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0];
    throw new MesetaError('Syntax', `invalid YAML: ${syntax.message.split('\n')[0]}`, {
      file: path,
      ...(at ? { line: at.line, column: at.col } : {}),
    });
  }
  return checkConfig(document.toJS() ?? {}, path);
}

function checkConfig(value: unknown, file: string): MesetaConfig {
  const fail = (path: string, message: string) => {
    throw new MesetaError('Invalid', `${message} (fix or remove it)`, { file, path });
  };
  if (!isJsonObject(value)) fail('', 'must be a mapping');
  const root = value as Record<string, unknown>;
  const config: MesetaConfig = { contexts: {} };
  if (root.currentContext !== undefined) {
    if (typeof root.currentContext !== 'string') fail('currentContext', 'must be a string');
    config.currentContext = root.currentContext as string;
  }
  const contexts = root.contexts ?? {};
  if (!isJsonObject(contexts)) fail('contexts', 'must be a mapping of name to context');
  for (const [name, raw] of Object.entries(contexts as Record<string, unknown>)) {
    const at = `contexts.${name}`;
    if (!isJsonObject(raw)) fail(at, 'must be a mapping');
    const context = raw as Record<string, unknown>;
    const endpoints = context.endpoints;
    if (!Array.isArray(endpoints) || endpoints.length === 0 || !endpoints.every(isString)) {
      fail(`${at}.endpoints`, 'must be a non-empty list of URLs such as http://127.0.0.1:2379');
    }
    for (const field of ['prefix', 'namespace'] as const) {
      if (context[field] !== undefined && !isString(context[field]))
        fail(`${at}.${field}`, 'must be a string');
    }
    for (const [group, fields] of [
      ['tls', ['ca', 'cert', 'key']],
      ['auth', ['username', 'password']],
    ] as const) {
      const part = context[group];
      if (part === undefined) continue;
      if (!isJsonObject(part)) fail(`${at}.${group}`, 'must be a mapping');
      for (const field of fields) {
        const v = (part as Record<string, unknown>)[field];
        if (v !== undefined && !isString(v)) fail(`${at}.${group}.${field}`, 'must be a string');
      }
    }
    if (isJsonObject(context.auth) && !(context.auth.username && context.auth.password)) {
      fail(`${at}.auth`, 'needs both username and password');
    }
    config.contexts[name] = context as unknown as ContextConfig;
  }
  return config;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** Replaces the file in one step (write a sibling, rename), readable by its owner only. */
export async function writeConfig(path: string, config: MesetaConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, stringify(config), { mode: 0o600 });
  await rename(temporary, path);
}

/** The context named `name`, or a usage error listing the ones that exist. */
export function contextNamed(config: MesetaConfig, name: string, file: string): ContextConfig {
  const context = config.contexts[name];
  if (context) return context;
  const known = Object.keys(config.contexts);
  const choices = known.length
    ? `known contexts: ${known.join(', ')}`
    : 'there are none yet; add one with `meseta config set-context NAME --etcd URL`';
  throw new UsageError(`no context "${name}" in ${file} (${choices})`);
}

/**
 * Adds or changes one context (fields absent from `changes` stay as they were), and makes it
 * current if `use` or if it is the only one. Pure: returns a new config.
 */
export function withContext(
  config: MesetaConfig,
  name: string,
  changes: Partial<ContextConfig>,
  options: { use?: boolean } = {},
): MesetaConfig {
  const before = config.contexts[name];
  const merged = { ...before, ...changes } as ContextConfig;
  if (!merged.endpoints || merged.endpoints.length === 0) {
    throw new UsageError(`context "${name}" needs endpoints: add --etcd URL`);
  }
  const contexts = { ...config.contexts, [name]: merged };
  const current = options.use || config.currentContext === undefined ? name : config.currentContext;
  return { currentContext: current, contexts };
}

/** Records `context` under `name` in the file at `path` and makes it current. */
export async function recordContext(
  path: string,
  name: string,
  context: ContextConfig,
): Promise<void> {
  const config = await readConfig(path);
  await writeConfig(path, withContext(config, name, context, { use: true }));
}
