/**
 * Flags and signals shared by the verbs that run something in the foreground (`controller`,
 * `up`): lists given as `a,b` or repeated, port numbers, Mesos master URLs, and stopping on
 * SIGINT/SIGTERM. Light on purpose: verbs import it while registering.
 */
import { UsageError } from '../errors.ts';

/** `a,b` and repeated flags alike, trimmed, empties dropped. */
export function listFlag(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((value) => value.split(',').map((part) => part.trim())).filter(Boolean);
}

export function mesosUrls(values: readonly string[] | undefined): string[] {
  const urls = listFlag(values) ?? [];
  for (const url of urls) {
    if (!/^https?:\/\/[^/]+\/?$/.test(url)) {
      throw new UsageError(`--mesos "${url}" must look like http://host:5050`);
    }
  }
  return urls.map((url) => url.replace(/\/$/, ''));
}

export function portFlag(text: string, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`${flag} must be a port number, 0 for any free one (got "${text}")`);
  }
  return port;
}

/**
 * An AbortSignal that aborts on the first SIGINT or SIGTERM; a second one calls `onSecond`
 * (exit at once). `dispose()` removes the handlers.
 */
export function stopOnSignals(onSecond: () => void = () => process.exit(130)): {
  signal: AbortSignal;
  dispose(): void;
} {
  const stop = new AbortController();
  const handler = () => {
    if (stop.signal.aborted) return onSecond();
    stop.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: stop.signal,
    dispose: () => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}
