/**
 * The client's HTTP transport. `post` (over `node:http`/`node:https`) sends one POST, answered
 * with the response head so the caller decides whether to stream the body (SUBSCRIBE) or read
 * it whole; cancellation is by AbortSignal, and when the signal fires the request and its
 * response are destroyed and the caller sees the signal's reason, not Node's generic
 * AbortError. `CallEndpoint` is the path of every other call, the hot one (an ACKNOWLEDGE per
 * status update): over an `undici` pool of kept-alive connections. A call that is safe to send
 * twice (`repeatable`: an ACKNOWLEDGE, a KILL…) is pipelined — written behind the calls in
 * flight on a connection, answered in order — so that thousands in flight need no free
 * connection each; any other call (an ACCEPT) goes out alone on a connection with nothing in
 * flight, since a connection lost under a pipeline may have delivered it or not. Headers are
 * built once per stream, the body read whole, cancellation through the call's `PendingCall`
 * (see `call-deadlines.ts`).
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import type { PendingCall } from './call-deadlines.ts';
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

export interface CallAnswer {
  status: number;
  /** The body, at most the endpoint's limit of it. */
  body: Buffer;
}

export interface CallPoolOptions {
  /** Kept-alive connections at most. */
  connections: number;
  /** Calls in flight on one connection at most (1: no pipelining). */
  pipelining: number;
  /** Certificate authorities to trust for https (default: the system's). */
  ca?: string;
}

/** A pool of connections for the calls to one master (`origin`). Destroy it when done. */
export function callPool(origin: string, options: CallPoolOptions): Pool {
  return new Pool(origin, {
    connections: options.connections,
    pipelining: options.pipelining,
    ...(options.ca ? { connect: { ca: options.ca } } : {}),
  });
}

/** Where one stream's calls go: a URL, its headers and a connection pool, prepared once. */
export class CallEndpoint {
  private readonly path: string;
  // Raw header pairs, sent as they are. Private (#) so that printing the endpoint cannot print
  // an Authorization header.
  readonly #headers: string[];

  constructor(
    private readonly url: URL,
    headers: Record<string, string>,
    private readonly pool: Dispatcher,
    private readonly maxBodyBytes = 64 * 1024,
  ) {
    this.path = url.pathname + url.search;
    this.#headers = [];
    for (const [name, value] of Object.entries(headers)) this.#headers.push(name, value);
  }

  /**
   * POSTs `body`; resolves with the whole answer, rejects with the call's abort reason or
   * MasterUnreachableError. `repeatable`: Mesos may see the call twice without harm, so it may be
   * pipelined (and resent on a new connection if its own was lost).
   */
  async send(body: Buffer, call: PendingCall, repeatable = false): Promise<CallAnswer> {
    if (call.reason) throw call.reason;
    const abort = new AbortController();
    call.onAbort = (reason) => abort.abort(reason);
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: this.#headers,
        body,
        signal: abort.signal,
        // undici pipelines only requests it may repeat and that do not block the connection.
        idempotent: repeatable,
        blocking: !repeatable,
      });
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (size < this.maxBodyBytes) parts.push(chunk.subarray(0, this.maxBodyBytes - size));
        size += chunk.length;
      }
      const answer = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      return { status: response.statusCode, body: answer };
    } catch (error) {
      throw call.reason ?? unreachable(this.url, error as Error);
    }
  }
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
