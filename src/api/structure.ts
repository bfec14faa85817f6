/**
 * Structural validation of an App against the CRD's OpenAPI schema, compiled once with Ajv.
 * Unlike Kubernetes (which prunes unknown fields) every unknown field is an error, as with
 * `kubectl --validate=strict`: a misspelt `healthCheck` must not silently vanish. Ajv's errors
 * are rewritten into short human messages that point at the offending node; list-map keys and
 * sets (which Ajv does not know) are checked here too, from the same schema.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { appSchema } from './crd.ts';
import type { OpenApiSchema } from './crd.ts';
import { pathFromPointer } from './field-path.ts';
import { isJsonObject } from './json-object.ts';
import type { PathSegment } from './field-path.ts';
import type { Problem } from './problem.ts';
import { shown, unknownField } from './messages.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Copies the schema, closing every object that lists its properties to unknown fields. */
function strictCopy(schema: OpenApiSchema): OpenApiSchema {
  const copy: OpenApiSchema = { ...schema };
  if (schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, sub]) => [key, strictCopy(sub)]),
    );
    if (copy.additionalProperties === undefined) copy.additionalProperties = false;
  }
  if (schema.items) copy.items = strictCopy(schema.items);
  if (typeof schema.additionalProperties === 'object') {
    copy.additionalProperties = strictCopy(schema.additionalProperties);
  }
  return copy;
}

function compile(schema: OpenApiSchema): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  addFormats(ajv);
  for (const keyword of ['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'example']) {
    ajv.addKeyword(keyword);
  }
  return ajv.compile(schema);
}

const validate = compile(strictCopy(appSchema));

// A status write keeps the stored, already admitted spec: only its status needs checking, and
// the whole App's validation (schema, rules, defaults) costs far more than a status.
const statusOnly: OpenApiSchema = {
  type: 'object',
  properties: { status: strictCopy(appSchema.properties!.status!) },
};
// Compiled on first use: only controllers write statuses.
let validateStatus: ValidateFunction | undefined;

/** Every structural problem of `value` as an App, in no particular order. */
export function checkStructure(value: unknown): Problem[] {
  return problemsOf(validate, appSchema, value);
}

/** Every structural problem of `value.status` as an App's status; the rest is not looked at. */
export function checkStatusStructure(value: unknown): Problem[] {
  validateStatus ??= compile(statusOnly);
  return problemsOf(validateStatus, statusOnly, value);
}

function problemsOf(check: ValidateFunction, schema: OpenApiSchema, value: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!check(value)) {
    for (const error of check.errors ?? []) {
      // A non-integer fails both `type: integer` and `format: int32`; the type error says it.
      const integerFormat = ['int32', 'int64'].includes(String(error.params.format));
      if (error.keyword === 'format' && integerFormat && !Number.isInteger(error.data)) continue;
      problems.push(describe(error, value));
    }
  }
  checkLists(schema, value, [], problems);
  return problems;
}

function describe(error: ErrorObject, root: unknown): Problem {
  const path = pathFromPointer(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      // Marathon's ports may be nameless; meseta's may not, so say why.
      const isPort = path.includes('portDefinitions') || path.includes('portMappings');
      const why = isPort && field === 'name' ? ': meseta names every port (e.g. name: http)' : '';
      return { path: [...path, field], message: `is required${why}`, anchor: 'parent' };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as OpenApiSchema).properties ?? {});
      return { path: [...path, field], message: unknownField(field, known), anchor: 'key' };
    }
    case 'type': {
      const quote =
        params.type === 'string' && ['number', 'boolean'].includes(typeof error.data)
          ? `; quote it: "${String(error.data)}"`
          : '';
      return {
        path,
        message: `must be ${article(String(params.type))} (got ${shown(error.data)})${quote}`,
      };
    }
    case 'enum':
      return { path, message: enumMessage(params.allowedValues as unknown[], error.data) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'minLength':
      return {
        path,
        message:
          params.limit === 1
            ? 'must not be empty'
            : `must be at least ${String(params.limit)} characters long`,
      };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters long` };
    case 'minItems':
      return {
        path,
        message:
          params.limit === 1
            ? 'must not be empty'
            : `must have at least ${String(params.limit)} items`,
      };
    case 'maxItems':
      return {
        path,
        message: `must have at most ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`,
      };
    case 'pattern':
      return { path, message: patternMessage(String(params.pattern), error.data) };
    case 'format':
      return { path, message: formatMessage(String(params.format)) };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
  };
  return names[type] ?? type;
}

// Marathon users will write Marathon's names; say what meseta calls them.
const enumHints: Record<string, string> = {
  HTTP: 'Marathon\'s HTTP health checks are MESOS_HTTP here ("meseta convert marathon" does this)',
  HTTPS: "Marathon's HTTPS health checks are MESOS_HTTPS here",
  TCP: "Marathon's TCP health checks are MESOS_TCP here",
};

function enumMessage(allowed: unknown[], got: unknown): string {
  const list = allowed.map((v) => String(v)).join(', ');
  const hint =
    typeof got === 'string' && allowed.includes(`MESOS_${got}`) ? enumHints[got] : undefined;
  return `must be one of ${list} (got ${shown(got)})${hint ? `; ${hint}` : ''}`;
}

const patternMessages: Record<string, string> = {
  '^[a-z][-a-z0-9]*$': 'must be lowercase letters, digits and "-", starting with a letter',
  '^[a-z][-a-zA-Z0-9]*$': 'must be letters, digits and "-", starting with a lowercase letter',
  '^/': 'must be an absolute path starting with "/"',
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$':
    'must be lowercase letters, digits and "-", starting and ending with a letter or digit',
  '^[A-Z][A-Za-z0-9]*$': 'must be a CamelCase word',
  '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$': 'must be a CamelCase word',
};

const dependencyPattern = appSchema.properties?.spec?.properties?.dependencies?.items?.pattern;
if (dependencyPattern) {
  patternMessages[dependencyPattern] =
    'must name an app as "name" or "namespace/name" in lowercase letters, digits, "-" and "."';
}

function patternMessage(pattern: string, got: unknown): string {
  const known = patternMessages[pattern] ?? `must match ${pattern}`;
  return `${known} (got ${shown(got)})`;
}

function formatMessage(format: string): string {
  switch (format) {
    case 'date-time':
      return 'must be an RFC 3339 date-time like 2024-01-31T12:00:00Z';
    case 'int32':
      return 'must be between -2147483648 and 2147483647';
    case 'int64':
      return 'must be a safe integer';
    default:
      return `must be a valid ${format}`;
  }
}

/** Checks `x-kubernetes-list-type` set and map lists: no repeated items or keys. */
function checkLists(
  schema: OpenApiSchema,
  value: unknown,
  path: PathSegment[],
  out: Problem[],
): void {
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    const seen = new Map<string, number>();
    value.forEach((item, index) => {
      let identity: string | undefined;
      let keyPath: PathSegment[] = [...path, index];
      let what = 'item';
      if (listType === 'set') identity = JSON.stringify(item);
      if (listType === 'map' && isJsonObject(item)) {
        const keys = schema['x-kubernetes-list-map-keys'] ?? [];
        const values = keys.map((k) => item[k]);
        if (values.every((v) => v !== undefined)) identity = JSON.stringify(values);
        if (keys.length === 1) keyPath = [...path, index, keys[0]!];
        what = keys.join('+');
      }
      if (identity !== undefined) {
        const first = seen.get(identity);
        if (first !== undefined) {
          out.push({
            path: keyPath,
            message: `duplicate ${what} ${identity.replace(/^\[(.*)\]$/, '$1')} (also at index ${first})`,
          });
        } else seen.set(identity, index);
      }
      if (schema.items) checkLists(schema.items, item, [...path, index], out);
    });
  } else if (isJsonObject(value)) {
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      const child = value[key];
      if (child !== undefined) checkLists(sub, child, [...path, key], out);
    }
  }
}
