/**
 * Mesos-faithful JSON, as Mesos's stout library converts protobuf to and from JSON.
 *
 * Writing (`writeMesosJson`): fields in declaration order; set fields, plus unset optional
 * fields that have a non-deprecated explicit `[default]` (so `Filters{}` is
 * `{"refuse_seconds":5.0}`); repeated fields and maps only when non-empty; enums by name; bytes
 * as padded base64; 64-bit integers as JSON numbers written digit for digit from their string
 * form (no precision loss); doubles as rapidjson prints them (`15.0`, `1.5e-7`); non-finite
 * doubles as the strings "Infinity"/"-Infinity"/"NaN"; compact, one line.
 *
 * Reading (`readMesosJson`): keys matched by exact field name, unknown keys and nulls ignored;
 * enums by name (an unknown name drops an optional field and fails a required one); numbers and
 * booleans also accepted as strings, doubles as "Infinity"; 64-bit integers kept exactly;
 * bytes validated as base64; then required fields are checked. Error texts are stout's.
 */
import type protobuf from 'protobufjs';
import { CodecError } from './errors.ts';
import { parseJsonText, type JsonNode } from './json-text.ts';
import { missingRequiredFields } from './required.ts';
import { explicitDefault, isDeprecated, messageType, type MessageName } from './schema.ts';

type Kind = 'double' | 'int' | 'long' | 'bool' | 'string' | 'bytes' | 'enum' | 'message';

interface FieldPlan {
  field: protobuf.Field;
  name: string;
  /** `"name":`, written before the value. */
  keyPrefix: string;
  kind: Kind;
  repeated: boolean;
  map: boolean;
  required: boolean;
  enumType?: protobuf.Enum;
  messageType?: protobuf.Type;
  /** The JSON text of a default to write when the field is unset. */
  defaultJson?: string;
}

const plans = new WeakMap<protobuf.Type, FieldPlan[]>();

function planOf(type: protobuf.Type): FieldPlan[] {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = type.fieldsArray.map((field) => {
    field.resolve();
    const resolved = field.resolvedType;
    const entry: FieldPlan = {
      field,
      name: field.name,
      keyPrefix: JSON.stringify(field.name) + ':',
      kind: kindOf(field),
      repeated: field.repeated,
      map: field.map,
      required: field.required,
    };
    if (resolved && 'values' in resolved) entry.enumType = resolved as protobuf.Enum;
    if (resolved && 'fieldsArray' in resolved) entry.messageType = resolved as protobuf.Type;
    const fallback = explicitDefault(field);
    if (fallback !== undefined && !field.repeated && !isDeprecated(field)) {
      entry.defaultJson = writeValue(entry, fallback);
    }
    return entry;
  });
  plans.set(type, plan);
  return plan;
}

function kindOf(field: protobuf.Field): Kind {
  switch (field.type) {
    case 'double':
    case 'float':
      return 'double';
    case 'int32':
    case 'uint32':
    case 'sint32':
    case 'fixed32':
    case 'sfixed32':
      return 'int';
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return 'long';
    case 'bool':
      return 'bool';
    case 'string':
      return 'string';
    case 'bytes':
      return 'bytes';
    default:
      return field.resolvedType && 'values' in field.resolvedType ? 'enum' : 'message';
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The Mesos JSON text of `object` as message `name`. */
export function writeMesosJson(name: MessageName, object: object): string {
  return writeMessage(messageType(name), object as Record<string, unknown>);
}

// Output goes into one array of parts joined at the end: building a 200 MB GET_STATE by string
// concatenation and per-field temporaries spends most of its time in the garbage collector.
function writeMessage(type: protobuf.Type, object: Record<string, unknown>): string {
  const out: string[] = [];
  writeMessageTo(out, type, object);
  return out.join('');
}

function writeMessageTo(out: string[], type: protobuf.Type, object: Record<string, unknown>): void {
  out.push('{');
  let first = true;
  for (const plan of planOf(type)) {
    const value = object[plan.name];
    if (value === undefined || value === null) {
      if (plan.defaultJson === undefined) continue;
      out.push(first ? plan.keyPrefix : ',' + plan.keyPrefix, plan.defaultJson);
    } else if (plan.map) {
      const record = value as Record<string, unknown>;
      let firstEntry = true;
      for (const key in record) {
        if (firstEntry) out.push(first ? plan.keyPrefix : ',' + plan.keyPrefix, '{');
        else out.push(',');
        firstEntry = false;
        out.push(quote(key), ':');
        writeValueTo(out, plan, record[key]);
      }
      if (firstEntry) continue;
      out.push('}');
    } else if (plan.repeated) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      out.push(first ? plan.keyPrefix : ',' + plan.keyPrefix, '[');
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out.push(',');
        writeValueTo(out, plan, items[i]);
      }
      out.push(']');
    } else {
      out.push(first ? plan.keyPrefix : ',' + plan.keyPrefix);
      writeValueTo(out, plan, value);
    }
    first = false;
  }
  out.push('}');
}

function writeValueTo(out: string[], plan: FieldPlan, value: unknown): void {
  if (plan.kind === 'message') {
    writeMessageTo(out, plan.messageType!, value as Record<string, unknown>);
  } else {
    out.push(writeValue(plan, value));
  }
}

function writeValue(plan: FieldPlan, value: unknown): string {
  switch (plan.kind) {
    case 'double':
      return formatDouble(typeof value === 'string' ? Number(value) : (value as number));
    case 'int':
      return String(Math.trunc(Number(value)));
    case 'long':
      return formatLong(value, plan.name);
    case 'bool':
      return value ? 'true' : 'false';
    case 'string':
      return quote(String(value));
    case 'bytes':
      return quote(
        value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value),
      );
    case 'enum':
      return quote(enumValueName(plan, value));
    case 'message':
      return writeMessage(plan.messageType!, value as Record<string, unknown>);
  }
}

function enumValueName(plan: FieldPlan, value: unknown): string {
  const type = plan.enumType!;
  if (typeof value === 'number') {
    const name = type.valuesById[value];
    if (name !== undefined) return name;
  } else if (typeof value === 'string' && value in type.values) {
    return value;
  }
  throw new CodecError(`Unknown value ${JSON.stringify(value)} for enum ${type.name}`, plan.name);
}

const integerText = /^-?\d+$/;

function formatLong(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value : String(value);
  if (!integerText.test(text)) {
    throw new CodecError(`Expected a 64-bit integer, got ${JSON.stringify(value)}`, field);
  }
  return text;
}

/** A JSON string literal the way rapidjson writes it (uppercase \u00XX escapes). */
function quote(text: string): string {
  const json = JSON.stringify(text);
  // JSON.stringify writes control characters other than \b\f\n\r\t as lowercase \u00xx;
  // only then (or for a literal backslash-u in the text) is the slower exact path needed.
  if (json.indexOf('\\u') < 0) return json;
  let out = '"';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20) {
      const short = shortEscapes[code];
      out += short ?? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else out += char;
  }
  return out + '"';
}

const shortEscapes: Record<number, string> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
};

/**
 * A double as rapidjson's Writer prints it: the shortest digits that round-trip, integers with
 * a trailing `.0`, exponent notation outside [1e-7, 1e21). Non-finite values become strings,
 * because bare `Infinity` is not JSON and no client can parse it.
 */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return '"NaN"';
  if (value === Infinity) return '"Infinity"';
  if (value === -Infinity) return '"-Infinity"';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // Fast paths: JavaScript's shortest round-trip digits agree with rapidjson's layout for
  // integers below 1e21 and for plain decimals (JavaScript switches to exponents below 1e-6,
  // rapidjson below 1e-6 too; both print 0.000001).
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value) + '.0';
  const plain = String(value);
  if (plain.indexOf('e') < 0) return plain;
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const k = Number(exponentText) - (length - 1);
  const kk = length + k;
  let body: string;
  if (k >= 0 && kk <= 21) {
    body = digits + '0'.repeat(k) + '.0';
  } else if (kk > 0 && kk <= 21) {
    body = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  } else if (kk > -6 && kk <= 0) {
    body = `0.${'0'.repeat(-kk)}${digits}`;
  } else if (length === 1) {
    body = `${digits}e${kk - 1}`;
  } else {
    body = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  }
  return sign + body;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Parses Mesos JSON text into message `name`; CodecError on bad JSON or a bad message. */
export function readMesosJson<T = Record<string, unknown>>(name: MessageName, text: string): T {
  return fromJsonNode<T>(name, parseJsonText(text));
}

/**
 * Converts an already-parsed JSON value into message `name` (the second half of
 * `readMesosJson`, separate so a server can tell bad JSON from a bad message).
 */
export function fromJsonNode<T = Record<string, unknown>>(name: MessageName, node: JsonNode): T {
  if (node.kind !== 'object') throw new CodecError('Expecting a JSON object');
  const object = readMessage(messageType(name), node);
  const missing = missingRequiredFields(name, object);
  if (missing.length > 0) throw new CodecError(`Missing required fields: ${missing.join(', ')}`);
  return object as T;
}

const dropped = Symbol('dropped');

function readMessage(
  type: protobuf.Type,
  node: Extract<JsonNode, { kind: 'object' }>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const byName = planIndex(type);
  for (const [key, value] of node.entries) {
    const plan = byName.get(key);
    if (!plan || value.kind === 'null') continue;
    if (plan.map) {
      if (value.kind !== 'object') throw notExpecting(value, plan);
      const map = (result[key] as Record<string, unknown> | undefined) ?? {};
      for (const [mapKey, mapValue] of value.entries) {
        const converted = readValue(plan, mapValue);
        if (converted !== dropped) map[mapKey] = converted;
      }
      if (Object.keys(map).length > 0) result[key] = map;
    } else if (plan.repeated) {
      const items = value.kind === 'array' ? value.items : [value];
      const list = (result[key] as unknown[] | undefined) ?? [];
      for (const item of items) {
        if (item.kind === 'null') continue;
        if (item.kind === 'array') throw notExpecting(item, plan);
        const converted = readValue(plan, item);
        if (converted !== dropped) list.push(converted);
      }
      if (list.length > 0) result[key] = list;
    } else {
      if (value.kind === 'array') throw notExpecting(value, plan);
      const converted = readValue(plan, value);
      if (converted !== dropped) result[key] = converted;
    }
  }
  return result;
}

const indexes = new WeakMap<protobuf.Type, Map<string, FieldPlan>>();

function planIndex(type: protobuf.Type): Map<string, FieldPlan> {
  let index = indexes.get(type);
  if (!index) {
    index = new Map(planOf(type).map((plan) => [plan.name, plan]));
    indexes.set(type, index);
  }
  return index;
}

function readValue(plan: FieldPlan, node: JsonNode): unknown {
  switch (plan.kind) {
    case 'message':
      if (node.kind !== 'object') throw notExpecting(node, plan);
      return readMessage(plan.messageType!, node);
    case 'string':
      if (node.kind !== 'string') throw notExpecting(node, plan);
      return node.value;
    case 'bytes':
      if (node.kind !== 'string') throw notExpecting(node, plan);
      return canonicalBase64(node.value, plan.name);
    case 'enum': {
      if (node.kind !== 'string') throw notExpecting(node, plan);
      if (node.value in plan.enumType!.values) return node.value;
      if (plan.required) throw new CodecError(`Failed to find enum for '${node.value}'`);
      return dropped;
    }
    case 'bool':
      if (node.kind === 'boolean') return node.value;
      if (node.kind === 'string') {
        if (node.value === 'true' || node.value === 'false') return node.value === 'true';
        throw new CodecError(
          `Failed to parse '${node.value}' as a JSON boolean for field '${plan.name}'`,
        );
      }
      throw notExpecting(node, plan);
    case 'double':
      return Number(numberText(node, plan, true));
    case 'int':
      return Math.trunc(Number(numberText(node, plan, false)));
    case 'long': {
      const text = numberText(node, plan, false);
      return /^-?\d+$/.test(text)
        ? BigInt(text).toString()
        : BigInt(Math.trunc(Number(text))).toString();
    }
  }
}

const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function numberText(node: JsonNode, plan: FieldPlan, allowInfinity: boolean): string {
  let text: string;
  if (node.kind === 'number') text = node.text;
  else if (node.kind === 'string') text = node.value.trim();
  else throw notExpecting(node, plan);
  if (allowInfinity && (text === 'Infinity' || text === '-Infinity' || text === 'NaN')) return text;
  if (!jsonNumber.test(text)) {
    throw new CodecError(`Failed to parse '${text}' as a JSON number for field '${plan.name}'`);
  }
  return text;
}

function canonicalBase64(text: string, field: string): string {
  const bare = text.replace(/=+$/, '');
  const canonical = Buffer.from(bare, 'base64').toString('base64');
  if (!/^[A-Za-z0-9+/]*$/.test(bare) || canonical.replace(/=+$/, '') !== bare) {
    throw new CodecError(`Failed to base64 decode bytes field '${field}': Invalid base64 string`);
  }
  return canonical;
}

function notExpecting(node: JsonNode, plan: FieldPlan): CodecError {
  return new CodecError(`Not expecting a JSON ${node.kind} for field '${plan.name}'`);
}
