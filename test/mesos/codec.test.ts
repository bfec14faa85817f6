import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  ContentTypes,
  MessageNames,
  decodeCall,
  decodeEvent,
  decodeMessage,
  encodeCall,
  encodeEvent,
  encodeMessage,
  formatOfContentType,
  isUuidBase64,
  uuidToBase64,
  type Format,
} from '../../src/mesos/codec.ts';
import { readMesosJson, writeMesosJson } from '../../src/mesos/json.ts';
import { messageType } from '../../src/mesos/schema.ts';

const { Writer } = protobuf;
import { calls, events, masterCalls, masterEvents, masterResponses } from './fixtures.ts';

const formats: Format[] = ['json', 'protobuf'];

/**
 * The canonical form of a message is what reading its Mesos JSON gives (defaults filled in).
 * Every encoding must carry that form through unchanged.
 */
function roundTrips(name: string, message: object): void {
  const json = writeMesosJson(name, message);
  const canonical = readMesosJson(name, json);
  expect(writeMesosJson(name, canonical)).toBe(json);
  for (const format of formats) {
    const bytes = encodeMessage(name, canonical, format);
    expect(decodeMessage(name, bytes, format)).toEqual(canonical);
  }
  // JSON -> protobuf -> JSON is exact.
  const viaProtobuf = decodeMessage(name, encodeMessage(name, canonical, 'protobuf'), 'protobuf');
  expect(writeMesosJson(name, viaProtobuf as object)).toBe(json);
}

describe('codec round trips', () => {
  it.each(calls.map((call) => [call.type, call]))('scheduler Call %s', (_type, call) => {
    roundTrips(MessageNames.Call, call);
  });

  it.each(events.map((event) => [event.type, event]))('scheduler Event %s', (_type, event) => {
    roundTrips(MessageNames.Event, event);
  });

  it.each(masterCalls.map((call) => [call.type, call]))('master Call %s', (_type, call) => {
    roundTrips(MessageNames.MasterCall, call);
  });

  it.each(masterResponses.map((r) => [r.type, r]))('master Response %s', (_type, response) => {
    roundTrips(MessageNames.MasterResponse, response);
  });

  it.each(masterEvents.map((e) => [e.type, e]))('master Event %s', (_type, event) => {
    roundTrips(MessageNames.MasterEvent, event);
  });

  it('decodes the same object from JSON and from protobuf', () => {
    for (const event of events) {
      const fromJson = decodeEvent(encodeEvent(event, 'json'), 'json');
      const fromProtobuf = decodeEvent(encodeEvent(fromJson, 'protobuf'), 'protobuf');
      expect(fromProtobuf).toEqual(fromJson);
    }
  });

  it('keeps 64-bit integers beyond 2^53 exact in both encodings', () => {
    const event = events.find((e) => e.type === 'UPDATE')!;
    for (const format of formats) {
      const decoded = decodeEvent(encodeEvent(event, format), format);
      expect(decoded.update?.status.unreachable_time?.nanoseconds).toBe('1700000000999999999');
    }
    expect(encodeEvent(event, 'json').toString()).toContain('"nanoseconds":1700000000999999999}');
  });
});

describe('protobuf encoding', () => {
  it('refuses to encode a message that lacks required fields, naming them', () => {
    const call = { type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'x' } } };
    expect(() => encodeCall(call as never, 'protobuf')).toThrow(
      'Missing required fields: subscribe.framework_info.user',
    );
    const accept = {
      type: 'ACCEPT',
      framework_id: { value: 'f' },
      accept: { operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'a' }] } }] },
    };
    expect(() => encodeCall(accept as never, 'protobuf')).toThrow(
      'Missing required fields: accept.operations[0].launch.task_infos[0].task_id, ' +
        'accept.operations[0].launch.task_infos[0].agent_id',
    );
  });

  it('rejects bytes that are not a message, and messages lacking required fields', () => {
    expect(() => decodeCall(Buffer.from([0x0a, 0xff, 0xff]), 'protobuf')).toThrow(CodecError);
    // An Event.Error (field 8) with no message (required field 1).
    expect(() => decodeEvent(Buffer.from([0x08, 0x07, 0x42, 0x00]), 'protobuf')).toThrow(
      /missing required/,
    );
  });

  it('rejects a required field missing deep inside repeated messages, on both sides', () => {
    const task = (i: number) => ({
      name: 'a',
      task_id: { value: `t${i}` },
      agent_id: { value: 'S1' },
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
    });
    const broken = task(1) as Record<string, unknown>;
    broken.resources = [{ name: 'cpus', type: 'SCALAR', scalar: {} }];
    const accept = {
      type: 'ACCEPT',
      framework_id: { value: 'f' },
      accept: {
        offer_ids: [{ value: 'o' }],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [task(0), broken] } }],
      },
    };
    expect(() => encodeCall(accept as never, 'protobuf')).toThrow(
      'Missing required fields: accept.operations[0].launch.task_infos[1].resources[0].scalar.value',
    );
    // An UPDATE whose status has a state but no task_id, written field by field (protobufjs's
    // encoder would fill in the missing field): the decoder refuses it.
    const event = messageType(MessageNames.Event).fields;
    const status = messageType('mesos.v1.TaskStatus').fields;
    const update = messageType('mesos.v1.scheduler.Event.Update').fields;
    const statusBytes = Writer.create()
      .uint32((status.state!.id << 3) | 0)
      .int32(1)
      .finish();
    const updateBytes = Writer.create()
      .uint32((update.status!.id << 3) | 2)
      .bytes(statusBytes);
    const bytes = Writer.create()
      .uint32((event.type!.id << 3) | 0)
      .int32(4) // UPDATE
      .uint32((event.update!.id << 3) | 2)
      .bytes(updateBytes.finish())
      .finish();
    expect(() => decodeEvent(bytes, 'protobuf')).toThrow(/missing required 'task_id'/);
    const complete = structuredClone(accept);
    complete.accept.operations[0]!.launch.task_infos[1] = task(1);
    expect(decodeCall(encodeCall(complete as never, 'protobuf'), 'protobuf')).toEqual(complete);
  });

  it('uses Mesos field numbers on the wire', () => {
    // Event{type=HEARTBEAT(8)}: field 1, varint 8.
    expect([...encodeEvent({ type: 'HEARTBEAT' }, 'protobuf')]).toEqual([0x08, 0x08]);
    // Call{type=ACKNOWLEDGE_OPERATION_STATUS(15)}: field 2, varint 15.
    expect([...encodeCall({ type: 'ACKNOWLEDGE_OPERATION_STATUS' }, 'protobuf')]).toEqual([
      0x10, 0x0f,
    ]);
    // TaskState TASK_STAGING is 6, TASK_STARTING is 0.
    const update = {
      type: 'UPDATE' as const,
      update: { status: { task_id: { value: 't' }, state: 'TASK_STAGING' as const } },
    };
    const bytes = encodeEvent(update, 'protobuf');
    expect(bytes.includes(Buffer.from([0x10, 0x06]))).toBe(true);
  });
});

describe('content types', () => {
  it('matches Content-Type exactly, as Mesos does', () => {
    expect(formatOfContentType('application/json')).toBe('json');
    expect(formatOfContentType('application/x-protobuf')).toBe('protobuf');
    expect(formatOfContentType('application/json; charset=utf-8')).toBeUndefined();
    expect(formatOfContentType('Application/JSON')).toBeUndefined();
    expect(formatOfContentType(undefined)).toBeUndefined();
    expect(ContentTypes.protobuf).toBe('application/x-protobuf');
  });

  it('converts 16-byte UUIDs to and from base64', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i);
    const text = uuidToBase64(bytes);
    expect(text).toHaveLength(24);
    expect(isUuidBase64(text)).toBe(true);
    expect(isUuidBase64('AQID')).toBe(false);
    expect(() => uuidToBase64(new Uint8Array(3))).toThrow(CodecError);
  });
});
