/**
 * The protobuf encoding of Mesos messages. Objects in and out are in meseta's wire
 * representation (`types.ts`): enums by name, 64-bit integers as decimal strings, bytes as
 * base64. Encoding checks required fields first (protobufjs does not), so a message this
 * module writes is always one Mesos can parse.
 */
import type protobuf from 'protobufjs';
import { CodecError } from './errors.ts';
import { missingRequiredFields } from './required.ts';
import { messageType, type MessageName } from './schema.ts';

const toObjectOptions: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
};

/** Encodes `object` as the protobuf message `name`; throws CodecError when it is invalid. */
export function encodeProtobuf(name: MessageName, object: object): Uint8Array {
  const type = messageType(name);
  const missing = missingRequiredFields(name, object);
  if (missing.length > 0) {
    throw new CodecError(`Missing required fields: ${missing.join(', ')}`);
  }
  const message = type.fromObject(object);
  const problem = type.verify(message);
  if (problem) throw new CodecError(`Invalid ${type.name}: ${problem}`);
  return type.encode(message).finish();
}

/**
 * Decodes protobuf bytes into the wire representation. Throws CodecError for bytes that are
 * not a valid `name` message, including one that lacks required fields.
 */
export function decodeProtobuf<T = Record<string, unknown>>(
  name: MessageName,
  bytes: Uint8Array,
): T {
  const type = messageType(name);
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    // Also covers a missing required field: protobufjs's generated decoder checks every
    // required field of every message it decodes, at any depth, so no second walk is needed.
    throw new CodecError(`Failed to parse ${type.name} protobuf: ${(error as Error).message}`);
  }
  return type.toObject(message, toObjectOptions) as T;
}
