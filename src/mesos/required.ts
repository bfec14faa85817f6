/**
 * proto2 `required` checking, which protobufjs's `encode()` does not do. Reports missing fields
 * the way protobuf's InitializationErrorString does (`subscribe.framework_info.user`,
 * `tasks[0].task_id`), which is what Mesos puts after "Missing required fields: ".
 */
import type protobuf from 'protobufjs';
import { messageType, type MessageName } from './schema.ts';

/** Paths of the required fields missing anywhere in `object`, in protobuf's order. */
export function missingRequiredFields(name: MessageName, object: unknown): string[] {
  const missing: string[] = [];
  walk(messageType(name), object, '', missing);
  return missing;
}

function walk(type: protobuf.Type, object: unknown, prefix: string, missing: string[]): void {
  if (object === null || typeof object !== 'object') return;
  const record = object as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    if (field.required && !isSet(record[field.name])) missing.push(prefix + field.name);
  }
  // Nested messages are visited by field number, as protobuf lists set fields.
  for (const field of nestedMessageFields(type)) {
    const value = record[field.name];
    if (!isSet(value)) continue;
    const nested = field.resolvedType as protobuf.Type;
    if (field.map) {
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
        walk(nested, entry, `${prefix}${field.name}[${key}].value.`, missing);
      }
    } else if (field.repeated && Array.isArray(value)) {
      value.forEach((item, i) => walk(nested, item, `${prefix}${field.name}[${i}].`, missing));
    } else {
      walk(nested, value, `${prefix}${field.name}.`, missing);
    }
  }
}

const nestedCache = new WeakMap<protobuf.Type, protobuf.Field[]>();

function nestedMessageFields(type: protobuf.Type): protobuf.Field[] {
  let fields = nestedCache.get(type);
  if (!fields) {
    fields = type.fieldsArray
      .filter((field) => field.resolvedType && 'fieldsArray' in field.resolvedType)
      .sort((a, b) => a.id - b.id);
    nestedCache.set(type, fields);
  }
  return fields;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
