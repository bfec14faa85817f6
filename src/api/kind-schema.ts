/**
 * Structural validation of meseta's internal kinds (AppRevision, Instance, Event) against the
 * OpenAPI schema of their CRD in `crds/`, compiled once per kind with Ajv. As for App, objects
 * that list their properties are closed (an unknown field is an error, not silently kept) unless
 * they say `x-kubernetes-preserve-unknown-fields` (e.g. Mesos messages carried whole).
 * Every problem names its field path.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { MesetaError, ValidationError } from '../errors.ts';
import type { OpenApiSchema } from './crd.ts';
import { formatPath, pathFromPointer } from './field-path.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface Crd {
  spec: { versions: { name: string; schema: { openAPIV3Schema: OpenApiSchema } }[] };
}

/** Reads the schema of `version` from the CRD file at `url`. */
export function readCrdSchema(url: URL, version: string): OpenApiSchema {
  const crd = parse(readFileSync(url, 'utf8')) as Crd;
  const found = crd.spec.versions.find((v) => v.name === version);
  if (!found) throw new Error(`${url.pathname} has no version ${version}`);
  return found.schema.openAPIV3Schema;
}

function closed(schema: OpenApiSchema): OpenApiSchema {
  const copy: OpenApiSchema = { ...schema };
  if (schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, sub]) => [key, closed(sub)]),
    );
    const keepsUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true;
    if (copy.additionalProperties === undefined && !keepsUnknown) copy.additionalProperties = false;
  }
  if (schema.items) copy.items = closed(schema.items);
  if (typeof schema.additionalProperties === 'object') {
    copy.additionalProperties = closed(schema.additionalProperties);
  }
  return copy;
}

/**
 * The part of `schema` a status write needs checked: its `status`, closed as usual, while the
 * rest of the object (the stored spec and metadata, admitted when written) is not looked at.
 */
export function statusOnly(schema: OpenApiSchema): OpenApiSchema {
  return {
    type: 'object',
    properties: { status: schema.properties?.status ?? { type: 'object' } },
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

/** Checks values against `schema`; throws a ValidationError naming every bad field. */
export function schemaChecker(schema: OpenApiSchema, kind: string): (value: unknown) => void {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  addFormats(ajv);
  for (const keyword of [
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-preserve-unknown-fields',
  ]) {
    ajv.addKeyword(keyword);
  }
  const validate: ValidateFunction = ajv.compile(closed(schema));
  return (value) => {
    if (validate(value)) return;
    const problems = (validate.errors ?? []).map((error) => {
      const path = pathFromPointer(error.instancePath, value);
      const params = error.params as Record<string, unknown>;
      if (error.keyword === 'required') path.push(String(params.missingProperty));
      if (error.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
      const message =
        error.keyword === 'additionalProperties'
          ? `is not a field of ${kind}`
          : error.keyword === 'required'
            ? 'is required'
            : error.keyword === 'enum'
              ? `must be one of ${(params.allowedValues as unknown[]).join(', ')} (got ${JSON.stringify(error.data)})`
              : (error.message ?? `fails ${error.keyword}`);
      return new MesetaError('Invalid', `${kind}: ${message}`, { path: formatPath(path) });
    });
    throw new ValidationError(problems);
  };
}
