/** `meseta version`: the version of this build. */
import type { Command } from 'commander';
import { createRequire } from 'node:module';

export function mesetaVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

export function register(program: Command): void {
  program.version(mesetaVersion(), '--version', 'print the version and exit');
  program
    .command('version')
    .description('Print the version of meseta')
    .addHelpText('after', '\nExample:\n  meseta version')
    .action(() => {
      process.stdout.write(`meseta ${mesetaVersion()}\n`);
    });
}
