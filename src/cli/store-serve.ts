/**
 * `meseta store serve`: runs the embedded etcd-compatible store in the foreground until SIGINT
 * or SIGTERM, then stops serving and flushes its log before exiting. The server's modules load
 * only when the command runs.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { createLogger } from '../log.ts';

export const DEFAULT_STORE_DIR = '.meseta/store';
export const DEFAULT_LISTEN = '127.0.0.1:2379';

/** `host:port`, `[v6]:port` or a bare port (on 127.0.0.1). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--listen: expected host:port (e.g. ${DEFAULT_LISTEN}), got "${text}"`);
  }
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

export function register(program: Command): void {
  const store =
    program.commands.find((command) => command.name() === 'store') ??
    program.command('store').description("meseta's embedded etcd-compatible store");
  store
    .command('serve')
    .description('Serve the embedded etcd-compatible store in the foreground (stop with Ctrl-C)')
    .option('--data-dir <dir>', 'where the store keeps its snapshot and log', DEFAULT_STORE_DIR)
    .option('--listen <host:port>', 'address for etcd clients (port 0 picks one)', DEFAULT_LISTEN)
    .addHelpText(
      'after',
      '\nExample:\n  meseta store serve --data-dir /var/lib/meseta/store --listen 127.0.0.1:2379\n' +
        '  ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.1:2379 get --prefix /meseta',
    )
    .action(async (options: { dataDir: string; listen: string }) => {
      const { host, port } = parseListen(options.listen);
      const dataDir = resolve(options.dataDir);
      const { startEmbeddedEtcd } = await import('../store/embedded/server.ts');
      const log = createLogger({ fields: { component: 'store' } });
      const server = await startEmbeddedEtcd({ dataDir, host, port, log });
      process.stdout.write(`meseta store serving on ${server.endpoint} (data dir ${dataDir})\n`);
      const signal = await new Promise<NodeJS.Signals>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await server.close();
      log.info('store stopped', { signal });
    });
}
