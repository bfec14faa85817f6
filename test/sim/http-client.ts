/**
 * A deliberately minimal Mesos HTTP client for the simulator's tests, independent of meseta's
 * scheduler client: plain requests over node:http, and SUBSCRIBE over a raw socket so that the
 * chunked framing itself can be checked (one RecordIO record per HTTP chunk).
 */
import { until } from '../support/until.ts';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { encodeCall, decodeEvent, type Format, ContentTypes } from '../../src/mesos/codec.ts';
import { RecordDecoder } from '../../src/mesos/recordio.ts';
import type { Call, Event } from '../../src/mesos/scheduler-types.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export function post(
  url: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: data,
          text: data.toString(),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function postCall(
  base: string,
  call: Call,
  streamId?: string,
  format: Format = 'json',
): Promise<Reply> {
  return post(`${base}/api/v1/scheduler`, encodeCall(call, format), {
    'Content-Type': ContentTypes[format],
    ...(streamId ? { 'Mesos-Stream-Id': streamId } : {}),
  });
}

/** A RecordIO stream (scheduler or operator SUBSCRIBE) read straight off the socket. */
export class RecordStream<E> {
  status = 0;
  headers: Record<string, string> = {};
  readonly events: E[] = [];
  /** Raw payload of every HTTP chunk, to check the framing. */
  readonly chunks: Buffer[] = [];
  readonly records: Buffer[] = [];
  ended = false;
  errorBody = '';
  private buffer = Buffer.alloc(0);
  private headerDone = false;
  private readonly decoder = new RecordDecoder();
  private readonly socket: Socket;

  constructor(
    base: string,
    path: string,
    body: Buffer,
    readonly format: Format,
    private readonly decode: (record: Buffer, format: Format) => E,
    extraHeaders: Record<string, string> = {},
  ) {
    const url = new URL(`${base}${path}`);
    this.socket = connect(Number(url.port), url.hostname);
    const headers = {
      Host: url.host,
      'Content-Type': ContentTypes[format],
      Accept: ContentTypes[format],
      'Content-Length': String(body.length),
      ...extraHeaders,
    };
    this.socket.write(
      `POST ${url.pathname} HTTP/1.1\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n',
    );
    this.socket.write(body);
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => (this.ended = true));
    this.socket.on('close', () => (this.ended = true));
    this.socket.on('error', () => (this.ended = true));
  }

  async next(type: string, after = 0, withinMs = 5000): Promise<E> {
    return until(
      () => this.events.slice(after).find((e) => (e as { type?: string }).type === type),
      { within: withinMs, what: `${type} event` },
    );
  }

  ofType(type: string): E[] {
    return this.events.filter((e) => (e as { type?: string }).type === type);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    if (!this.headerDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buffer.subarray(0, end).toString().split('\r\n');
      this.status = Number(lines[0]!.split(' ')[1]);
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        this.headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      this.buffer = this.buffer.subarray(end + 4);
      this.headerDone = true;
    }
    if (this.headers['transfer-encoding'] !== 'chunked') {
      this.errorBody += this.buffer.toString();
      this.buffer = Buffer.alloc(0);
      return;
    }
    for (;;) {
      const lineEnd = this.buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const size = parseInt(this.buffer.subarray(0, lineEnd).toString(), 16);
      if (this.buffer.length < lineEnd + 2 + size + 2) return;
      const chunk = this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size);
      this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2);
      if (size === 0) {
        this.ended = true;
        return;
      }
      this.chunks.push(Buffer.from(chunk));
      for (const record of this.decoder.push(chunk)) {
        this.records.push(record);
        this.events.push(this.decode(record, this.format));
      }
    }
  }
}

/** The scheduler API's SUBSCRIBE stream. */
export class EventStream extends RecordStream<Event> {
  constructor(
    base: string,
    call: Call,
    format: Format = 'json',
    extraHeaders: Record<string, string> = {},
  ) {
    super(base, '/api/v1/scheduler', encodeCall(call, format), format, decodeEvent, extraHeaders);
  }

  get streamId(): string {
    return this.headers['mesos-stream-id']!;
  }

  get frameworkId(): string {
    return this.events.find((e) => e.type === 'SUBSCRIBED')!.subscribed!.framework_id.value;
  }
}
