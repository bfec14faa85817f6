/**
 * The one entry point to Mesos's wire encodings, shared by the scheduler client and the
 * simulator. A message is encoded as JSON (Mesos-faithful, `json.ts`) or protobuf
 * (`protobuf.ts`), chosen by content type exactly as Mesos does (exact string match, no
 * parameters). Decoding either encoding yields the same object (`types.ts` representation).
 */
import { CodecError } from './errors.ts';
import { readMesosJson, writeMesosJson } from './json.ts';
import type { MasterCall, MasterEvent, MasterResponse } from './master-types.ts';
import { decodeProtobuf, encodeProtobuf } from './protobuf.ts';
import { MessageNames, type MessageName } from './schema.ts';
import type { Call, Event } from './scheduler-types.ts';

export type Format = 'json' | 'protobuf';

export const ContentTypes = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
} as const satisfies Record<Format, string>;

/** The format of a Content-Type header, compared by exact equality as Mesos does. */
export function formatOfContentType(contentType: string | undefined): Format | undefined {
  if (contentType === ContentTypes.json) return 'json';
  if (contentType === ContentTypes.protobuf) return 'protobuf';
  return undefined;
}

/** Encodes any Mesos message; JSON as UTF-8 bytes. */
export function encodeMessage(name: MessageName, object: object, format: Format): Buffer {
  if (format === 'json') return Buffer.from(writeMesosJson(name, object), 'utf8');
  const bytes = encodeProtobuf(name, object);
  // protobufjs writes into a Buffer under Node; wrap (not copy) whatever else it returns.
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Decodes any Mesos message from bytes in the given format. */
export function decodeMessage<T>(name: MessageName, bytes: Uint8Array, format: Format): T {
  if (format === 'json') {
    return readMesosJson<T>(name, Buffer.from(bytes).toString('utf8'));
  }
  return decodeProtobuf<T>(name, bytes);
}

export const encodeCall = (call: Call, format: Format) =>
  encodeMessage(MessageNames.Call, call, format);
export const decodeCall = (bytes: Uint8Array, format: Format) =>
  decodeMessage<Call>(MessageNames.Call, bytes, format);
export const encodeEvent = (event: Event, format: Format) =>
  encodeMessage(MessageNames.Event, event, format);
export const decodeEvent = (bytes: Uint8Array, format: Format) =>
  decodeMessage<Event>(MessageNames.Event, bytes, format);
export const encodeMasterCall = (call: MasterCall, format: Format) =>
  encodeMessage(MessageNames.MasterCall, call, format);
export const decodeMasterCall = (bytes: Uint8Array, format: Format) =>
  decodeMessage<MasterCall>(MessageNames.MasterCall, bytes, format);
export const encodeMasterResponse = (response: MasterResponse, format: Format) =>
  encodeMessage(MessageNames.MasterResponse, response, format);
export const decodeMasterResponse = (bytes: Uint8Array, format: Format) =>
  decodeMessage<MasterResponse>(MessageNames.MasterResponse, bytes, format);
export const encodeMasterEvent = (event: MasterEvent, format: Format) =>
  encodeMessage(MessageNames.MasterEvent, event, format);
export const decodeMasterEvent = (bytes: Uint8Array, format: Format) =>
  decodeMessage<MasterEvent>(MessageNames.MasterEvent, bytes, format);

/** A 16-byte UUID as the base64 text the wire uses for `bytes uuid` fields. */
export function uuidToBase64(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new CodecError(`A UUID has 16 bytes, got ${bytes.length}`);
  return Buffer.from(bytes).toString('base64');
}

/** True if `base64` decodes to exactly 16 bytes, as ACKNOWLEDGE's uuid must. */
export function isUuidBase64(base64: string): boolean {
  return Buffer.from(base64, 'base64').length === 16;
}

export { MessageNames, CodecError };
