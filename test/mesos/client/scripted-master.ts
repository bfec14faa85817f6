/**
 * A scripted Mesos master for the scheduler client's tests: a real `node:http` server on
 * 127.0.0.1 that speaks the v1 scheduler API's transport exactly as MESOS.md describes
 * (exact Content-Type match, SUBSCRIBE without Mesos-Stream-Id, RecordIO stream with a
 * Mesos-Stream-Id header, 202 for calls), and that a test drives step by step: what the next
 * SUBSCRIBE gets (a stream, a 307, a 503, an ERROR, a 4xx), which events to send and how
 * chunked, when to drop a connection or stop heartbeats, and malformed or truncated records.
 * It records every request it receives, decoded, with its headers.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeCall,
  encodeEvent,
  formatOfContentType,
  ContentTypes,
  type Format,
} from '../../../src/mesos/codec.ts';
import { encodeRecord } from '../../../src/mesos/recordio.ts';
import type { Call, CallType, Event } from '../../../src/mesos/scheduler-types.ts';
import { until } from '../../support/until.ts';

export interface ReceivedCall {
  call: Call;
  format: Format;
  headers: IncomingHttpHeaders;
  /** Origin of the master that received it. */
  master: string;
}

export type SubscribeAnswer =
  | {
      kind: 'stream';
      /** Send SUBSCRIBED at once (default true). */
      subscribed?: boolean;
      heartbeatSeconds?: number;
      /** Override the response Content-Type. */
      contentType?: string;
      /** Leave out the Mesos-Stream-Id header. */
      noStreamId?: boolean;
    }
  | { kind: 'redirect'; location: string }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'error'; message: string }
  | { kind: 'hang' };

export interface CallAnswer {
  status: number;
  body?: string;
  /** Never answer. */
  hang?: boolean;
}

export class ScriptedMaster {
  readonly calls: ReceivedCall[] = [];
  readonly streams: ScriptedStream[] = [];
  /** Answers for the next SUBSCRIBEs, in order; then `defaultSubscribe`. */
  readonly subscribeAnswers: SubscribeAnswer[] = [];
  defaultSubscribe: SubscribeAnswer = { kind: 'stream' };
  /** Answers for the next calls, in order; then 202 (200 for UPDATE_FRAMEWORK). */
  readonly callAnswers: CallAnswer[] = [];
  /** Interval of automatic HEARTBEATs on new streams, in ms; 0 for none. */
  heartbeatMs = 0;
  private sequence = 0;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: http.Server,
    readonly id: string,
  ) {}

  static async start(id = 'scripted'): Promise<ScriptedMaster> {
    const server = http.createServer();
    const master = new ScriptedMaster(server, id);
    server.on('request', (req, res) => master.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return master;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The master's view of the most recent stream. */
  get stream(): ScriptedStream | undefined {
    return this.streams.at(-1);
  }

  callsOf(type: CallType): ReceivedCall[] {
    return this.calls.filter((received) => received.call.type === type);
  }

  async waitForCall(type: CallType, count = 1): Promise<ReceivedCall> {
    return until(() => this.callsOf(type)[count - 1], {
      what: `${count} ${type} call(s) at ${this.id}`,
    });
  }

  async waitForStream(count: number): Promise<ScriptedStream> {
    return until(() => this.streams[count - 1], { what: `stream ${count} at ${this.id}` });
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.drop();
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const contentType = req.headers['content-type'];
    if (req.method !== 'POST') return reply(res, 405, '');
    if (!contentType) return reply(res, 400, "Expecting 'Content-Type' to be present");
    const format = formatOfContentType(contentType);
    if (!format) return reply(res, 415, `Unsupported 'Content-Type': ${contentType}`);
    let call: Call;
    try {
      call = decodeCall(Buffer.concat(chunks), format);
    } catch (error) {
      return reply(
        res,
        400,
        `Failed to convert JSON into Call protobuf: ${(error as Error).message}`,
      );
    }
    this.calls.push({ call, format, headers: req.headers, master: this.url });
    if (call.type === 'SUBSCRIBE') return this.subscribe(call, req.headers, res);
    if (!req.headers['mesos-stream-id']) {
      return reply(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    }
    const answer = this.callAnswers.shift() ?? {
      status: call.type === 'UPDATE_FRAMEWORK' ? 200 : 202,
    };
    if (answer.hang) return void this.hanging.add(res);
    reply(res, answer.status, answer.body ?? '');
    // Like Mesos, removing the framework closes its stream.
    if (call.type === 'TEARDOWN' && answer.status === 202) this.stream?.end();
  }

  private subscribe(call: Call, headers: IncomingHttpHeaders, res: ServerResponse): void {
    if (headers['mesos-stream-id']) {
      return reply(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    }
    const answer = this.subscribeAnswers.shift() ?? this.defaultSubscribe;
    if (answer.kind === 'redirect') {
      res.writeHead(307, { Location: answer.location, 'Content-Length': '0' });
      return void res.end();
    }
    if (answer.kind === 'status') return reply(res, answer.status, answer.body ?? '');
    if (answer.kind === 'hang') return void this.hanging.add(res);
    const accept = headers.accept;
    const format: Format = accept === ContentTypes.protobuf ? 'protobuf' : 'json';
    const streamId = randomUUID();
    const head: Record<string, string> = {
      'Content-Type':
        answer.kind === 'stream' && answer.contentType ? answer.contentType : ContentTypes[format],
    };
    if (!(answer.kind === 'stream' && answer.noStreamId)) head['Mesos-Stream-Id'] = streamId;
    res.writeHead(200, head);
    res.flushHeaders();
    const frameworkId =
      call.framework_id?.value ?? `${this.id}-${String(this.sequence++).padStart(4, '0')}`;
    const stream = new ScriptedStream(res, format, streamId, frameworkId, call);
    this.streams.push(stream);
    if (answer.kind === 'error') {
      stream.send({ type: 'ERROR', error: { message: answer.message } });
      return stream.end();
    }
    if (answer.subscribed !== false) {
      stream.send({
        type: 'SUBSCRIBED',
        subscribed: {
          framework_id: { value: frameworkId },
          heartbeat_interval_seconds: answer.heartbeatSeconds ?? 15,
          master_info: { id: this.id, ip: 16777343, port: this.port, hostname: '127.0.0.1' },
        },
      });
    }
    if (this.heartbeatMs > 0) stream.startHeartbeats(this.heartbeatMs);
  }
}

/** One subscriber's event stream, as the master holds it. */
export class ScriptedStream {
  private heartbeat: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    private readonly res: ServerResponse,
    readonly format: Format,
    readonly streamId: string,
    readonly frameworkId: string,
    readonly subscribeCall: Call,
  ) {
    res.on('close', () => {
      this.closed = true;
      this.stopHeartbeats();
    });
  }

  /** Encodes an event as one RecordIO record, written as one chunk or split at `splitAt` offsets. */
  send(event: Event, splitAt: number[] = []): void {
    const record = encodeRecord(encodeEvent(event, this.format));
    let from = 0;
    for (const at of [...splitAt, record.length]) {
      if (at > from) this.res.write(record.subarray(from, at));
      from = at;
    }
  }

  /** Several events as records in a single chunk. */
  sendTogether(events: Event[]): void {
    this.res.write(
      Buffer.concat(events.map((event) => encodeRecord(encodeEvent(event, this.format)))),
    );
  }

  /** Writes raw bytes as one chunk (for malformed streams). */
  writeRaw(bytes: Buffer | string): void {
    this.res.write(bytes);
  }

  /** The RecordIO bytes of an event, for tests that cut them up themselves. */
  record(event: Event): Buffer {
    return encodeRecord(encodeEvent(event, this.format));
  }

  startHeartbeats(ms: number): void {
    this.stopHeartbeats();
    this.heartbeat = setInterval(() => {
      if (!this.closed) this.send({ type: 'HEARTBEAT' });
    }, ms);
  }

  stopHeartbeats(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Ends the response cleanly (the chunked terminator). */
  end(): void {
    this.stopHeartbeats();
    this.res.end();
  }

  /** Drops the connection without ending the response, as a crashing master does. */
  drop(): void {
    this.stopHeartbeats();
    this.res.socket?.destroy();
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
