/**
 * The client's HTTP transport over `node:http`/`node:https`. `post` sends one POST, answered
 * with the response head so the caller decides whether to stream the body (SUBSCRIBE) or read
 * it whole; cancellation is by AbortSignal, and when the signal fires the request and its
 * response are destroyed and the caller sees the signal's reason, not Node's generic
 * AbortError. `CallEndpoint` is the lighter path of every other call, the hot one: request
 * options and headers built once per stream, the body read whole, cancellation through the
 * call's `PendingCall` (see `call-deadlines.ts`).
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
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

/** Where one stream's calls go: a URL, its headers and a connection pool, prepared once. */
export class CallEndpoint {
  private readonly transport: typeof http | typeof https;
  private readonly base: http.RequestOptions;
  // Raw header pairs: Node sends them as they are, without a setHeader check per call. Private
  // (#) so that printing the endpoint cannot print an Authorization header.
  readonly #headers: string[];
  private readonly host: string;

  constructor(
    private readonly url: URL,
    headers: Record<string, string>,
    agent: http.Agent,
    private readonly maxBodyBytes = 64 * 1024,
  ) {
    this.transport = url.protocol === 'https:' ? https : http;
    this.base = {
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: 'POST',
      agent,
    };
    this.host = url.host;
    this.#headers = [];
    for (const [name, value] of Object.entries(headers)) this.#headers.push(name, value);
  }

  /** POSTs `body`; resolves with the whole answer, rejects with the call's abort reason or MasterUnreachableError. */
  send(body: Buffer, call: PendingCall): Promise<CallAnswer> {
    if (call.reason) return Promise.reject(call.reason);
    return new Promise((resolve, reject) => {
      const request = this.transport.request({
        ...this.base,
        headers: [...this.#headers, 'Content-Length', String(body.length), 'Host', this.host],
      });
      call.onAbort = (reason) => request.destroy(reason);
      request.once('error', (error) => reject(call.reason ?? unreachable(this.url, error)));
      request.once('response', (response: IncomingMessage) => {
        const parts: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < this.maxBodyBytes) parts.push(chunk.subarray(0, this.maxBodyBytes - size));
          size += chunk.length;
        });
        response.once('end', () => {
          const answer = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          resolve({ status: response.statusCode ?? 0, body: answer });
        });
        const cut = (error?: Error) =>
          reject(call.reason ?? unreachable(this.url, error ?? new Error('answer cut short')));
        response.once('error', cut);
        response.once('close', () => {
          if (!response.complete) cut();
        });
      });
      request.end(body);
    });
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
