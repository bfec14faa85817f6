#!/usr/bin/env node
// Entry point: runs the TypeScript sources through tsx, the one way meseta runs TypeScript.
import { register } from 'tsx/esm/api';

// `meseta get apps | head` closes the pipe early; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
