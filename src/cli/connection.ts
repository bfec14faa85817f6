/**
 * How a verb reaches the store: the global flags (`--config`, `--context`, `--etcd`,
 * `--prefix`, `-n`), which work before or after the verb as in kubectl, layered over the
 * config file's current context; then one session (a Kv, the object store, the internal
 * records) per command, closed when the command ends. Flags win over the context, the context
 * over the defaults (the embedded store's default address, prefix `/meseta`, namespace
 * `default`).
 *
 * Registering the flags loads nothing heavy: the config file reader, the etcd client and the
 * object store are imported when a command first connects, so `meseta version` stays fast.
 */
import type { Command } from 'commander';
import { DEFAULT_NAMESPACE } from '../api/metadata.ts';
import { MesetaError, UsageError } from '../errors.ts';
import { UnavailableError } from '../store/errors.ts';
import type { EtcdConfig } from '../store/etcd-kv.ts';
import type { InternalRecords } from '../store/internal-records.ts';
import { DEFAULT_PREFIX } from '../store/keys.ts';
import type { Kv } from '../store/kv.ts';
import type { ObjectStore } from '../store/object-store.ts';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';

export interface GlobalOptions {
  config?: string;
  context?: string;
  etcd?: string;
  prefix?: string;
  namespace?: string;
}

/** What a command connects to, after flags, environment and config file. */
export interface Connection {
  etcd: EtcdConfig;
  prefix: string;
  namespace: string;
  /** The context used, if any. */
  context?: string;
}

export interface Session {
  kv: Kv;
  objects: ObjectStore;
  records: InternalRecords;
  namespace: string;
  connection: Connection;
  close(): Promise<void>;
}

export function register(program: Command): void {
  // Verbs registered from here on list these flags in their own --help too.
  program.configureHelp({ ...program.configureHelp(), showGlobalOptions: true });
  program
    .option('--config <file>', 'config file (default $MESETA_CONFIG or ~/.meseta/config)')
    .option('--context <name>', 'use this context of the config file instead of the current one')
    .option('--etcd <urls>', 'etcd endpoints, comma-separated (overrides the context)')
    .option('--prefix <prefix>', 'key prefix of the installation (overrides the context)')
    .option('-n, --namespace <namespace>', 'namespace (overrides the context)');
}

export async function resolveConnection(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection> {
  const { configPath, contextNamed, readConfig } = await import('./config-file.ts');
  const file = configPath(options.config, env);
  const config = await readConfig(file);
  const name = options.context ?? config.currentContext;
  if (options.context !== undefined && options.context === '') {
    throw new UsageError('--context needs a name');
  }
  const context = name !== undefined ? contextNamed(config, name, file) : undefined;
  const endpoints = options.etcd
    ? options.etcd
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)
    : (context?.endpoints ?? [DEFAULT_ENDPOINT]);
  if (endpoints.length === 0) throw new UsageError('--etcd needs at least one URL');
  for (const endpoint of endpoints) {
    if (!/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
      throw new UsageError(`etcd endpoint "${endpoint}" must look like http://host:port`);
    }
  }
  const etcd: EtcdConfig = { endpoints };
  if (context?.tls) etcd.tls = context.tls;
  if (context?.auth) etcd.auth = context.auth;
  return {
    etcd,
    prefix: options.prefix ?? context?.prefix ?? DEFAULT_PREFIX,
    namespace: options.namespace ?? context?.namespace ?? DEFAULT_NAMESPACE,
    ...(name !== undefined ? { context: name } : {}),
  };
}

/** Opens a session for `command` (its own and the program's flags). */
export async function openSession(command: Command): Promise<Session> {
  const connection = await resolveConnection(command.optsWithGlobals<GlobalOptions>());
  const [{ openEtcdKv }, { ObjectStore }, { InternalRecords }] = await Promise.all([
    import('../store/etcd-kv.ts'),
    import('../store/object-store.ts'),
    import('../store/internal-records.ts'),
  ]);
  const kv = openEtcdKv(connection.etcd);
  return {
    kv,
    objects: new ObjectStore({ kv, prefix: connection.prefix }),
    records: new InternalRecords(kv, { prefix: connection.prefix }),
    namespace: connection.namespace,
    connection,
    close: () => kv.close(),
  };
}

/** Runs `work` with a session that is closed however `work` ends. */
export async function withSession<T>(
  command: Command,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(command);
  try {
    return await work(session);
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
    const via = session.connection.context
      ? `context "${session.connection.context}"`
      : 'the default address (no context set)';
    throw new MesetaError(
      'Unavailable',
      `${error.message}\nCannot reach the store through ${via}. Is it running (\`meseta store serve\`)? ` +
        'Check the endpoints with `meseta config get-contexts`, or pass --etcd URL',
      {},
      { cause: error },
    );
  } finally {
    await session.close();
  }
}
