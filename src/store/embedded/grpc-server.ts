/**
 * A small gRPC server on node:http2: the part of the gRPC-over-HTTP/2 protocol that etcd's
 * clients use (unary and bidirectional-streaming calls, uncompressed messages, status in
 * trailers). The embedded store uses it instead of @grpc/grpc-js's server because every client
 * write pays for the server's per-call machinery, and this one does only what the protocol needs:
 * one header block, the framed message, one trailer.
 *
 * Promises: a call to a path with no method answers UNIMPLEMENTED; a request that is not
 * `application/grpc` answers HTTP 415; a message longer than the limit answers
 * RESOURCE_EXHAUSTED; a compressed message answers UNIMPLEMENTED (no etcd client compresses); a
 * message that does not decode answers INTERNAL, as grpc-js does.
 */
import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { GrpcCode } from './errors.ts';

export interface GrpcStatus {
  code: number;
  details: string;
}

/** A decoded request in, a response out; a rejection carries the status to answer with. */
export type UnaryHandler = (request: unknown) => Promise<unknown>;

export interface GrpcMethod {
  /** `/package.Service/Method` */
  path: string;
  decode(bytes: Buffer): unknown;
  encode(message: unknown): Buffer;
  /** Exactly one of the two. */
  unary?: UnaryHandler;
  bidi?: (call: DuplexCall) => void;
}

const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' };
const OK_TRAILERS = { 'grpc-status': '0' };
// Node's `sendDate: false` (missing from its typings) leaves out the Date header, which gRPC
// clients ignore and which costs a clock read and a string per response.
const WITH_TRAILERS = {
  waitForTrailers: true,
  sendDate: false,
} as http2.ServerStreamResponseOptions;
const END_STREAM = { endStream: true, sendDate: false } as http2.ServerStreamResponseOptions;
const PREFIX = 5;

/** gRPC's percent-encoding of grpc-message: anything outside printable ASCII, and '%'. */
export function encodeGrpcMessage(text: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(text)) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function statusTrailers(status: GrpcStatus): Record<string, string> {
  return status.code === GrpcCode.ok
    ? OK_TRAILERS
    : { 'grpc-status': String(status.code), 'grpc-message': encodeGrpcMessage(status.details) };
}

/** A response with no message: the status goes in the one header block. */
function trailersOnly(stream: http2.ServerHttp2Stream, status: GrpcStatus): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond({ ...RESPONSE_HEADERS, ...statusTrailers(status) }, END_STREAM);
}

function framed(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(PREFIX + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, PREFIX);
  return out;
}

export class StatusError extends Error {
  constructor(readonly status: GrpcStatus) {
    super(status.details);
  }
}

/** Splits a stream's DATA into gRPC messages (`[u8 compressed][u32 length][message]`). */
export class MessageReader {
  private chunks: Buffer[] = [];
  private total = 0;
  /** Length of the message being read, once its prefix is in; -1 before. */
  private need = -1;

  constructor(private readonly maxBytes: number) {}

  get midMessage(): boolean {
    return this.total > 0;
  }

  /** Adds a chunk and hands over each message it completes; throws StatusError on bad framing. */
  push(chunk: Buffer, each: (message: Buffer) => void): void {
    this.chunks.push(chunk);
    this.total += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.total < PREFIX) return;
        const head = this.joined();
        if (head[0] !== 0) {
          throw new StatusError({
            code: GrpcCode.unimplemented,
            details: 'compressed messages are not supported',
          });
        }
        this.need = head.readUInt32BE(1);
        if (this.need > this.maxBytes) {
          throw new StatusError({
            code: GrpcCode.resourceExhausted,
            details: `Received message larger than max (${this.need} vs. ${this.maxBytes})`,
          });
        }
      }
      if (this.total < PREFIX + this.need) return;
      const all = this.joined();
      const message = all.subarray(PREFIX, PREFIX + this.need);
      const rest = all.subarray(PREFIX + this.need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.total = rest.length;
      this.need = -1;
      each(message);
    }
  }

  /** Everything buffered as one Buffer (copying only when it spans chunks). */
  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.total)];
    return this.chunks[0]!;
  }
}

/**
 * One bidirectional-streaming call. Events: `data` (a decoded client message), `end` (the client
 * finished sending), `closed` (the stream is gone, for whatever reason; emitted once).
 */
export class DuplexCall extends EventEmitter {
  private finished = false;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    private readonly encode: (message: unknown) => Buffer,
  ) {
    super();
  }

  write(message: unknown): void {
    if (this.finished || this.stream.destroyed || this.stream.closed) return;
    if (!this.stream.headersSent) {
      this.stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
    }
    this.stream.write(framed(this.encode(message)));
  }

  /** Ends the call with `status` (OK by default). */
  end(status: GrpcStatus = { code: GrpcCode.ok, details: '' }): void {
    if (this.finished) return;
    this.finished = true;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    if (!stream.headersSent) {
      trailersOnly(stream, status);
      return;
    }
    stream.once('wantTrailers', () => stream.sendTrailers(statusTrailers(status)));
    stream.end();
  }
}

const CALL = Symbol('unary call');
type UnaryStream = http2.ServerHttp2Stream & { [CALL]: UnaryCall };

// Listeners shared by every call (`this` is the stream): a call allocates no closures for them.
function onUnaryData(this: UnaryStream, chunk: Buffer): void {
  this[CALL].data(chunk);
}
function onUnaryEnd(this: UnaryStream): void {
  this[CALL].end();
}
function sendOkTrailers(this: http2.ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}
// Stream errors are followed by 'close', which is where calls end.
function ignoreError(): void {}

/** One unary call: collects its request, runs the handler, answers once. */
class UnaryCall {
  private request: Buffer | undefined;
  /** Only made for a request that does not arrive as one whole message in one chunk. */
  private reader: MessageReader | undefined;
  private failed = false;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    private readonly method: GrpcMethod,
    private readonly handle: UnaryHandler,
    private readonly maxReceiveBytes: number,
    private readonly failureStatus: (error: unknown) => GrpcStatus,
  ) {}

  data(chunk: Buffer): void {
    if (this.failed) return;
    if (this.reader === undefined && this.request === undefined && isOneMessage(chunk)) {
      if (chunk.length - PREFIX <= this.maxReceiveBytes) {
        this.request = chunk.subarray(PREFIX);
        return;
      }
    }
    this.reader ??= new MessageReader(this.maxReceiveBytes);
    try {
      this.reader.push(chunk, (message) => {
        if (this.request) throw new StatusError(unaryCardinality('more than one request'));
        this.request = message;
      });
    } catch (error) {
      this.fail(statusOf(error, this.failureStatus));
    }
  }

  end(): void {
    if (this.failed) return;
    const midMessage = this.reader?.midMessage === true;
    if (!this.request || midMessage) {
      this.fail(unaryCardinality(midMessage ? 'a truncated request' : 'no request'));
      return;
    }
    let decoded: unknown;
    try {
      decoded = this.method.decode(this.request);
    } catch {
      this.fail({ code: GrpcCode.internal, details: 'Error deserializing request' });
      return;
    }
    let pending: Promise<unknown>;
    try {
      pending = this.handle(decoded);
    } catch (error) {
      this.fail(statusOf(error, this.failureStatus));
      return;
    }
    pending.then(
      (response) => this.reply(response),
      (error: unknown) => trailersOnly(this.stream, statusOf(error, this.failureStatus)),
    );
  }

  private reply(response: unknown): void {
    const stream = this.stream;
    // The client may have cancelled while the request was being served.
    if (stream.destroyed || stream.closed) return;
    let bytes: Buffer;
    try {
      bytes = framed(this.method.encode(response));
    } catch {
      trailersOnly(stream, { code: GrpcCode.internal, details: 'Error serializing response' });
      return;
    }
    stream.respond(RESPONSE_HEADERS, WITH_TRAILERS);
    stream.on('wantTrailers', sendOkTrailers);
    stream.end(bytes);
  }

  private fail(status: GrpcStatus): void {
    this.failed = true;
    trailersOnly(this.stream, status);
  }
}

/** True when `chunk` is exactly one uncompressed message. */
function isOneMessage(chunk: Buffer): boolean {
  return (
    chunk.length >= PREFIX && chunk[0] === 0 && chunk.readUInt32BE(1) === chunk.length - PREFIX
  );
}

export interface GrpcServerOptions {
  host: string;
  port: number;
  /** Largest request message accepted. */
  maxReceiveBytes: number;
  /**
   * The status for a handler's failure that is not already a status (a StatusError or a
   * `{ code, details }`); INTERNAL with the error's message by default.
   */
  failureStatus?: (error: unknown) => GrpcStatus;
}

export class GrpcServer {
  private readonly methods = new Map<string, GrpcMethod>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly server: http2.Http2Server;

  private constructor(
    methods: GrpcMethod[],
    private readonly maxReceiveBytes: number,
    private readonly failureStatus: (error: unknown) => GrpcStatus,
  ) {
    for (const method of methods) this.methods.set(method.path, method);
    this.server = http2.createServer({
      // The store bounds what it buffers itself; nghttp2's default 10 MB per session would
      // refuse streams of a client that reads a large range slowly.
      maxSessionMemory: 2 ** 30,
      settings: { maxConcurrentStreams: 2 ** 31 - 1 },
    });
    this.server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      // A broken connection only ends its own calls ('close' follows).
      session.on('error', () => {});
    });
    this.server.on('stream', (stream, headers) => this.onStream(stream, headers));
  }

  /** Listens; resolves with the bound port. */
  static async listen(methods: GrpcMethod[], options: GrpcServerOptions): Promise<GrpcServer> {
    const server = new GrpcServer(
      methods,
      options.maxReceiveBytes,
      options.failureStatus ?? internalStatus,
    );
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port, options.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection at once. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.destroy();
    await closed;
  }

  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    stream.on('error', ignoreError);
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, END_STREAM);
      return;
    }
    const path = headers[':path'] ?? '';
    const method = this.methods.get(path);
    if (!method) {
      trailersOnly(stream, {
        code: GrpcCode.unimplemented,
        details: `The server does not implement the method ${path}`,
      });
      return;
    }
    if (method.unary) this.serveUnary(stream, method, method.unary);
    else this.serveBidi(stream, method, method.bidi!);
  }

  private serveUnary(
    stream: http2.ServerHttp2Stream,
    method: GrpcMethod,
    handle: UnaryHandler,
  ): void {
    const call = new UnaryCall(stream, method, handle, this.maxReceiveBytes, this.failureStatus);
    (stream as UnaryStream)[CALL] = call;
    stream.on('data', onUnaryData);
    stream.on('end', onUnaryEnd);
  }

  private serveBidi(
    stream: http2.ServerHttp2Stream,
    method: GrpcMethod,
    handle: (call: DuplexCall) => void,
  ): void {
    const call = new DuplexCall(stream, method.encode);
    const reader = new MessageReader(this.maxReceiveBytes);
    stream.on('close', () => call.emit('closed'));
    stream.on('end', () => call.emit('end'));
    handle(call);
    stream.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, (message) => {
          let decoded: unknown;
          try {
            decoded = method.decode(message);
          } catch {
            throw new StatusError({
              code: GrpcCode.internal,
              details: 'Error deserializing request',
            });
          }
          call.emit('data', decoded);
        });
      } catch (error) {
        call.end(statusOf(error, this.failureStatus));
      }
    });
  }
}

function unaryCardinality(what: string): GrpcStatus {
  return { code: GrpcCode.unimplemented, details: `unary call received ${what}` };
}

/** A handler's failure: a status it chose, or what `otherwise` makes of it. */
function statusOf(error: unknown, otherwise: (error: unknown) => GrpcStatus): GrpcStatus {
  if (error instanceof StatusError) return error.status;
  if (error && typeof error === 'object' && 'code' in error && 'details' in error) {
    return error as GrpcStatus;
  }
  return otherwise(error);
}

function internalStatus(error: unknown): GrpcStatus {
  return {
    code: GrpcCode.internal,
    details: error instanceof Error ? error.message : String(error),
  };
}
