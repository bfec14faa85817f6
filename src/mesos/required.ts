/**
 * proto2 `required` checking, which protobufjs's `encode()` does not do. Reports missing fields
 * the way protobuf's InitializationErrorString does (`subscribe.framework_info.user`,
 * `tasks[0].task_id`), which is what Mesos puts after "Missing required fields: ".
 *
 * Each message type gets a plan, built once: its required fields, and the message fields
 * whose type has a required field somewhere below; the rest of the tree is never visited. A
 * complete message (the usual case) is confirmed without building a single path string.
 */
import type protobuf from 'protobufjs';
import { messageType, type MessageName } from './schema.ts';

/** Paths of the required fields missing anywhere in `object`, in protobuf's order. */
export function missingRequiredFields(name: MessageName, object: unknown): string[] {
  const plan = planOf(messageType(name));
  if (isComplete(plan, object)) return [];
  const missing: string[] = [];
  collect(plan, object, '', missing);
  return missing;
}

interface Plan {
  /** Names of the required fields, in declaration order. */
  required: string[];
  /** Message fields that can hold a missing required field, by field number. */
  nested: NestedField[];
}

interface NestedField {
  name: string;
  kind: 'single' | 'repeated' | 'map';
  plan: Plan;
}

function isComplete(plan: Plan, object: unknown): boolean {
  if (object === null || typeof object !== 'object') return true;
  const record = object as Record<string, unknown>;
  for (const name of plan.required) if (!isSet(record[name])) return false;
  for (const field of plan.nested) {
    const value = record[field.name];
    if (!isSet(value)) continue;
    if (field.kind === 'map') {
      for (const key in value as Record<string, unknown>) {
        if (!isComplete(field.plan, (value as Record<string, unknown>)[key])) return false;
      }
    } else if (field.kind === 'repeated' && Array.isArray(value)) {
      for (const item of value) if (!isComplete(field.plan, item)) return false;
    } else if (!isComplete(field.plan, value)) return false;
  }
  return true;
}

function collect(plan: Plan, object: unknown, prefix: string, missing: string[]): void {
  if (object === null || typeof object !== 'object') return;
  const record = object as Record<string, unknown>;
  for (const name of plan.required) if (!isSet(record[name])) missing.push(prefix + name);
  // Nested messages are visited by field number, as protobuf lists set fields.
  for (const field of plan.nested) {
    const value = record[field.name];
    if (!isSet(value)) continue;
    if (field.kind === 'map') {
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
        collect(field.plan, entry, `${prefix}${field.name}[${key}].value.`, missing);
      }
    } else if (field.kind === 'repeated' && Array.isArray(value)) {
      value.forEach((item, i) =>
        collect(field.plan, item, `${prefix}${field.name}[${i}].`, missing),
      );
    } else {
      collect(field.plan, value, `${prefix}${field.name}.`, missing);
    }
  }
}

const plans = new WeakMap<protobuf.Type, Plan>();

function planOf(type: protobuf.Type): Plan {
  let plan = plans.get(type);
  if (plan) return plan;
  // Registered before its fields are planned, so that recursive types end.
  plan = { required: [], nested: [] };
  plans.set(type, plan);
  plan.required = type.fieldsArray.filter((field) => field.required).map((field) => field.name);
  plan.nested = messageFields(type)
    .filter((field) => canMissRequired(field.resolvedType as protobuf.Type, new Set()))
    .map((field) => ({
      name: field.name,
      kind: field.map ? 'map' : field.repeated ? 'repeated' : 'single',
      plan: planOf(field.resolvedType as protobuf.Type),
    }));
  return plan;
}

function messageFields(type: protobuf.Type): protobuf.Field[] {
  return type.fieldsArray
    .filter((field) => field.resolvedType && 'fieldsArray' in field.resolvedType)
    .sort((a, b) => a.id - b.id);
}

/** Whether `type` or any message type below it has a required field. */
function canMissRequired(type: protobuf.Type, visiting: Set<protobuf.Type>): boolean {
  if (visiting.has(type)) return false; // a cycle adds no type that is not already looked at
  visiting.add(type);
  if (type.fieldsArray.some((field) => field.required)) return true;
  return messageFields(type).some((field) =>
    canMissRequired(field.resolvedType as protobuf.Type, visiting),
  );
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
