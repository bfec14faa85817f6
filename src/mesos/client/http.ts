/**
 * The client's HTTP transport over `node:http`/`node:https`: one POST, answered with the
 * response head so the caller decides whether to stream the body (SUBSCRIBE) or read it whole
 * (every other call). Cancellation is by AbortSignal; when the signal fires, the request and its
 * response are destroyed and the caller sees the signal's reason, not Node's generic AbortError.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../clock.ts';
import { MasterUnreachableError } from './errors.ts';

export interface PostOptions {
  headers: Record<string, string>;
  /** Connection pool to use; `false` for a connection of its own. */
  agent: http.Agent | false;
  signal: AbortSignal;
}

/** Sends a POST and resolves with the response head; its body is left unread. */
export function post(url: URL, body: Buffer, options: PostOptions): Promise<IncomingMessage> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {
      method: 'POST',
      headers: { ...options.headers, 'Content-Length': String(body.length) },
      agent: options.agent,
      signal,
    });
    request.once('response', resolve);
    request.once('error', (error) =>
      reject(signal.aborted ? signal.reason : unreachable(url, error)),
    );
    request.end(body);
  });
}

/** Reads a whole (small) response body; at most `limit` bytes are kept. */
export async function readBody(
  response: IncomingMessage,
  signal: AbortSignal,
  limit = 1 << 20,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (size < limit) parts.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    }
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  }
  return Buffer.concat(parts);
}

/** Discards a body we do not need, so the connection can be reused or closed. */
export function discard(response: IncomingMessage): void {
  response.resume();
  response.on('error', () => {});
}

/**
 * An AbortController that also fires after `ms` on `clock` with a MasterUnreachableError, and
 * when `parent` aborts. `dispose` cancels the timer (call it when the request is done).
 */
export function deadline(
  clock: Clock,
  ms: number,
  what: string,
  parent?: AbortSignal,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = clock.setTimeout(
    () => controller.abort(new MasterUnreachableError(`${what}: no answer within ${ms} ms`)),
    ms,
  );
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      timer.cancel();
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** The origin of a URL, which is all we ever print of it. */
export function origin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function unreachable(url: URL, error: Error): MasterUnreachableError {
  const code = (error as NodeJS.ErrnoException).code;
  return new MasterUnreachableError(
    `Cannot reach the master at ${origin(url)}: ${code ? `${code} ` : ''}${error.message}`,
    { cause: error },
  );
}
