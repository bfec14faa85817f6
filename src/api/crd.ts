/**
 * The App CustomResourceDefinition in `crds/apps.meseta.io.yaml`, read once. Its
 * `openAPIV3Schema` is the single source of truth for App's structure, defaults and types:
 * validation compiles it, defaulting walks it, and `app-types.ts` is generated from it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The subset of OpenAPI v3 schema that structural CRD schemas use. */
export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  required?: string[];
  items?: OpenApiSchema;
  enum?: unknown[];
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export const APP_GROUP = 'meseta.io';
export const APP_VERSION = 'v1';
export const APP_API_VERSION = `${APP_GROUP}/${APP_VERSION}`;
export const APP_KIND = 'App';
export const APP_RESOURCE = `app.${APP_GROUP}`;

export const appCrdUrl = new URL('../../crds/apps.meseta.io.yaml', import.meta.url);

interface Crd {
  spec: { versions: { name: string; schema: { openAPIV3Schema: OpenApiSchema } }[] };
}

function readAppSchema(): OpenApiSchema {
  const crd = parse(readFileSync(appCrdUrl, 'utf8')) as Crd;
  const version = crd.spec.versions.find((v) => v.name === APP_VERSION);
  if (!version) throw new Error(`${appCrdUrl.pathname} has no version ${APP_VERSION}`);
  return version.schema.openAPIV3Schema;
}

/** The App schema exactly as the CRD declares it. Treat it as read-only. */
export const appSchema: OpenApiSchema = readAppSchema();
