/**
 * `POST /api/v1/scheduler` (also `/master/api/v1/scheduler`): the v1 scheduler HTTP API over
 * the master core, with Mesos's transport rules checked in Mesos's order (405, Content-Type
 * 400/415, parse 400, validation 400, SUBSCRIBE's Accept 406 and stream-id 400, framework 400/
 * 403, Mesos-Stream-Id 400) and its answers: a RecordIO SUBSCRIBE stream with one record per
 * HTTP chunk, 202 for calls, 200/400 for UPDATE_FRAMEWORK, 501 for UNKNOWN.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ContentTypes, encodeEvent, formatOfContentType, type Format } from '../../mesos/codec.ts';
import { CodecError } from '../../mesos/errors.ts';
import { fromJsonNode } from '../../mesos/json.ts';
import { parseJsonText } from '../../mesos/json-text.ts';
import { decodeProtobuf } from '../../mesos/protobuf.ts';
import { encodeRecord } from '../../mesos/recordio.ts';
import { MessageNames } from '../../mesos/schema.ts';
import type { Call, Event } from '../../mesos/scheduler-types.ts';
import type { Master } from '../master.ts';
import { isValidUuidBytes } from '../random.ts';
import type { Subscriber } from '../state.ts';
import { acceptsMediaType, methodNotAllowed, readBody, sendText } from './exchange.ts';

/** Parses a request body as `name` in the request's Content-Type; an HTTP error otherwise. */
export function parseCallBody<T>(
  name: string,
  contentType: string | undefined,
  body: Buffer,
): { call: T } | { status: number; error: string } {
  if (contentType === undefined) {
    return { status: 400, error: "Expecting 'Content-Type' to be present" };
  }
  const format = formatOfContentType(contentType);
  if (format === 'protobuf') {
    try {
      return { call: decodeProtobuf<T>(name, body) };
    } catch {
      return { status: 400, error: 'Failed to parse body into Call protobuf' };
    }
  }
  if (format === 'json') {
    let node;
    try {
      node = parseJsonText(body.toString('utf8'));
    } catch (error) {
      return { status: 400, error: `Failed to parse body into JSON: ${(error as Error).message}` };
    }
    try {
      return { call: fromJsonNode<T>(name, node) };
    } catch (error) {
      const message = error instanceof CodecError ? error.message : String(error);
      return { status: 400, error: `Failed to convert JSON into Call protobuf: ${message}` };
    }
  }
  return {
    status: 415,
    error: `Expecting 'Content-Type' of ${ContentTypes.json} or ${ContentTypes.protobuf}`,
  };
}

/** The field each call type must carry its payload in. */
const payloadOf: Partial<Record<NonNullable<Call['type']>, keyof Call>> = {
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

/** `validation::scheduler::call::validate`. */
export function validateSchedulerCall(call: Call): string | undefined {
  if (!call.type) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (!call.subscribe) return "Expecting 'subscribe' to be present";
    if (call.subscribe.framework_info.id?.value !== call.framework_id?.value) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    return undefined;
  }
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  const field = payloadOf[call.type];
  if (field && call[field] === undefined) return `Expecting '${field}' to be present`;
  if (call.type === 'ACKNOWLEDGE') {
    if (!isValidUuidBytes(Buffer.from(call.acknowledge!.uuid, 'base64'))) return 'Not a valid UUID';
  }
  if (call.type === 'ACKNOWLEDGE_OPERATION_STATUS') {
    const ack = call.acknowledge_operation_status!;
    if (!isValidUuidBytes(Buffer.from(ack.uuid, 'base64'))) return 'Not a valid UUID';
    if (!ack.agent_id) return "Expecting 'agent_id' to be present";
  }
  if (
    call.type === 'UPDATE_FRAMEWORK' &&
    call.update_framework!.framework_info.id?.value !== call.framework_id.value
  ) {
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}

/**
 * A SUBSCRIBE stream over a chunked HTTP response: one RecordIO record per chunk. The events
 * sent in one synchronous burst (an offer cycle, the updates of one ACCEPT's launches) leave
 * in one socket write: the socket is corked at the first and uncorked on the next tick. Each
 * record is still its own chunk. Not later than the next tick: holding events for a whole
 * loop turn (setImmediate) saved more writes but slowed the scheduler's round trips enough to
 * stall a concurrency-limited bridge (e2e-scale 300 × 10: 13.6–17 s against 8–10.5 s).
 */
class HttpSubscriber implements Subscriber {
  private closed = false;
  private corked = false;
  constructor(
    readonly streamId: string,
    private readonly response: ServerResponse,
    private readonly format: Format,
  ) {}

  send(event: Event): void {
    // The client may have gone; the master learns of it from the 'close' event.
    if (this.closed || this.response.destroyed) return;
    const socket = this.response.socket;
    if (!this.corked && socket) {
      // The socket itself, not the response: a response that ends in between detaches from
      // its socket, and its uncork would then leave the socket corked.
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.response.write(encodeRecord(encodeEvent(event, this.format)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.response.end();
  }
}

export async function handleSchedulerRequest(
  master: Master,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'POST') return methodNotAllowed(response, request.method);
  const body = await readBody(request);
  const parsed = parseCallBody<Call>(MessageNames.Call, request.headers['content-type'], body);
  if ('error' in parsed) return sendText(response, parsed.status, parsed.error);
  const call = parsed.call;
  const invalid = validateSchedulerCall(call);
  if (invalid) return sendText(response, 400, `Failed to validate scheduler::Call: ${invalid}`);

  if (call.type === 'SUBSCRIBE' || call.type === 'RECONCILE_OPERATIONS') {
    const format: Format | undefined = acceptsMediaType(request, ContentTypes.json)
      ? 'json'
      : acceptsMediaType(request, ContentTypes.protobuf)
        ? 'protobuf'
        : undefined;
    if (!format) {
      return sendText(
        response,
        406,
        `Expecting 'Accept' to allow '${ContentTypes.protobuf}' or '${ContentTypes.json}'`,
      );
    }
    if (call.type === 'SUBSCRIBE') return subscribe(master, request, response, call, format);
  }

  const framework = master.framework(call.framework_id!.value);
  if (!framework) return sendText(response, 400, 'Framework cannot be found');
  if (!framework.subscriber) return sendText(response, 403, 'Framework is not subscribed');
  const streamId = request.headers['mesos-stream-id'];
  if (streamId === undefined) {
    return sendText(
      response,
      400,
      "All non-subscribe calls should include the 'Mesos-Stream-Id' header",
    );
  }
  if (streamId !== framework.subscriber.streamId) {
    return sendText(
      response,
      400,
      `The stream ID '${streamId}' included in this request didn't match the stream ID ` +
        `currently associated with framework ID ${framework.id}`,
    );
  }
  if (call.type === 'UNKNOWN') return sendText(response, 501);
  if (call.type === 'UPDATE_FRAMEWORK') {
    const result = master.updateFramework(framework, call.update_framework!);
    return sendText(response, result.status, 'error' in result ? result.error : '');
  }
  master.handle(framework, call);
  sendText(response, 202);
}

function subscribe(
  master: Master,
  request: IncomingMessage,
  response: ServerResponse,
  call: Call,
  format: Format,
): void {
  if (request.headers['mesos-stream-id'] !== undefined) {
    return sendText(
      response,
      400,
      "Subscribe calls should not include the 'Mesos-Stream-Id' header",
    );
  }
  const streamId = master.random.uuid();
  response.writeHead(200, {
    'Content-Type': ContentTypes[format],
    'Mesos-Stream-Id': streamId,
    'Cache-Control': 'no-cache',
  });
  response.flushHeaders();
  const subscriber = new HttpSubscriber(streamId, response, format);
  response.on('close', () => master.disconnect(subscriber));
  master.subscribe(call.subscribe!, subscriber);
}
