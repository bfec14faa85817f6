/**
 * `meseta config get-contexts|current-context|use-context|set-context|delete-context`: manage
 * the named contexts of the config file, as `kubectl config` does. `set-context` takes what to
 * record from the global flags (`--etcd`, `--prefix`, `-n`) plus its own TLS and auth flags.
 * The config file module (and its YAML parser) is loaded only when a sub-verb runs.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { ContextConfig } from './config-file.ts';
import type { GlobalOptions } from './connection.ts';
import { renderTable } from './table.ts';

interface SetContextOptions extends GlobalOptions {
  ca?: string;
  cert?: string;
  key?: string;
  username?: string;
  password?: string;
  use?: boolean;
}

const configFile = () => import('./config-file.ts');

export function register(program: Command): void {
  const config = program
    .command('config')
    .description('Manage the contexts of the config file (~/.meseta/config)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  meseta config set-context prod --etcd https://etcd-1:2379,https://etcd-2:2379 -n shop --ca ca.pem\n' +
        '  meseta config use-context prod\n' +
        '  meseta config get-contexts',
    );

  config
    .command('get-contexts')
    .description('List the contexts; * marks the current one')
    .action(async (_options: unknown, command: Command) => {
      const { configPath, readConfig } = await configFile();
      const path = configPath(command.optsWithGlobals<GlobalOptions>().config);
      const file = await readConfig(path);
      const rows = Object.entries(file.contexts).map(([name, c]) => [
        name === file.currentContext ? '*' : '',
        name,
        c.endpoints.join(','),
        c.prefix ?? '',
        c.namespace ?? '',
      ]);
      if (rows.length === 0) {
        process.stderr.write(
          `no contexts in ${path}; add one with \`meseta config set-context NAME --etcd URL\`\n`,
        );
        return;
      }
      process.stdout.write(
        renderTable(['CURRENT', 'NAME', 'ENDPOINTS', 'PREFIX', 'NAMESPACE'], rows),
      );
    });

  config
    .command('current-context')
    .description('Print the name of the current context')
    .action(async (_options: unknown, command: Command) => {
      const { configPath, readConfig } = await configFile();
      const path = configPath(command.optsWithGlobals<GlobalOptions>().config);
      const file = await readConfig(path);
      if (file.currentContext === undefined) {
        throw new UsageError(
          `no current context in ${path}; choose one with \`meseta config use-context NAME\``,
        );
      }
      process.stdout.write(`${file.currentContext}\n`);
    });

  config
    .command('use-context')
    .argument('<name>', 'the context to make current')
    .description('Make a context the current one')
    .action(async (name: string, _options: unknown, command: Command) => {
      const { configPath, contextNamed, readConfig, writeConfig } = await configFile();
      const path = configPath(command.optsWithGlobals<GlobalOptions>().config);
      const file = await readConfig(path);
      contextNamed(file, name, path);
      await writeConfig(path, { ...file, currentContext: name });
      process.stdout.write(`Switched to context "${name}".\n`);
    });

  config
    .command('set-context')
    .argument('<name>', 'the context to add or change')
    .description(
      'Add a context or change one (flags not given keep their value); the endpoints, prefix and namespace come from --etcd, --prefix and -n',
    )
    .option('--ca <file>', 'CA certificate that signed the etcd server certificate')
    .option('--cert <file>', 'client certificate for etcd')
    .option('--key <file>', 'client key for etcd')
    .option('--username <name>', 'etcd user')
    .option('--password <password>', 'etcd password')
    .option('--use', 'also make it the current context')
    .action(async (name: string, _options: unknown, command: Command) => {
      const { configPath, readConfig, withContext, writeConfig } = await configFile();
      const options = command.optsWithGlobals<SetContextOptions>();
      if (options.context !== undefined) {
        throw new UsageError('set-context takes the context name as its argument, not --context');
      }
      const path = configPath(options.config);
      const file = await readConfig(path);
      const before = file.contexts[name];
      const changes: Partial<ContextConfig> = {};
      if (options.etcd) changes.endpoints = options.etcd.split(',').map((e) => e.trim());
      if (options.prefix) changes.prefix = options.prefix;
      if (options.namespace) changes.namespace = options.namespace;
      const tls = { ...before?.tls };
      if (options.ca) tls.ca = options.ca;
      if (options.cert) tls.cert = options.cert;
      if (options.key) tls.key = options.key;
      if (Object.keys(tls).length > 0) changes.tls = tls;
      if (options.username || options.password) {
        const username = options.username ?? before?.auth?.username;
        const password = options.password ?? before?.auth?.password;
        if (!username || !password) {
          throw new UsageError('etcd auth needs both --username and --password');
        }
        changes.auth = { username, password };
      }
      const next = withContext(file, name, changes, { use: options.use ?? false });
      await writeConfig(path, next);
      process.stdout.write(`Context "${name}" ${before ? 'modified' : 'created'}.\n`);
    });

  config
    .command('delete-context')
    .argument('<name>', 'the context to remove')
    .description('Remove a context from the config file')
    .action(async (name: string, _options: unknown, command: Command) => {
      const { configPath, contextNamed, readConfig, writeConfig } = await configFile();
      const path = configPath(command.optsWithGlobals<GlobalOptions>().config);
      const file = await readConfig(path);
      contextNamed(file, name, path);
      const { [name]: _removed, ...contexts } = file.contexts;
      const next = { ...file, contexts };
      if (file.currentContext === name) delete next.currentContext;
      await writeConfig(path, next);
      process.stdout.write(`Deleted context "${name}" from ${path}.\n`);
    });
}
