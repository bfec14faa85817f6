/**
 * The App API every writer uses (CLI, GitOps, store, controllers): validate an object as an App
 * — structure from the CRD schema, then metadata and semantic rules — with every problem tied to
 * its file, line and field; default it; or both at once with `parseApp`. Pure and fast: the
 * schema is compiled once at import.
 *
 * @example
 *   const { documents } = await loadManifests('manifests/');
 *   for (const doc of documents) {
 *     const app = parseApp(doc.value, { file: doc.file, positions: doc.positions }); // throws ValidationError
 *   }
 */
import { MesetaError, ValidationError } from '../errors.ts';
import type { App } from './app-types.ts';
import type { ManifestDocument } from './load.ts';
import { defaultApp } from './defaults.ts';
import { isJsonObject } from './json-object.ts';
import { checkMetadata } from './metadata.ts';
import { byPosition, locate } from './problem.ts';
import type { ProblemSource } from './problem.ts';
import { checkRules } from './rules.ts';
import { checkStatusStructure, checkStructure } from './structure.ts';

export type ValidateOptions = ProblemSource;

/**
 * Every problem of `value` as an App manifest, ordered by position in the file; empty when it
 * is valid. Structure is checked as written (so positions are exact); rules are checked after
 * defaulting (so they see what will be stored).
 */
export function validateApp(value: unknown, options: ValidateOptions = {}): MesetaError[] {
  return check(value, options).errors;
}

/** Validates and defaults `value`; throws a ValidationError listing every problem. */
export function parseApp(value: unknown, options: ValidateOptions = {}): App {
  const { errors, app } = check(value, options);
  if (errors.length > 0 || !app) throw new ValidationError(errors);
  return app;
}

// Validation defaults the object anyway (the rules judge what will be stored); hand that copy
// on instead of defaulting twice.
function check(value: unknown, options: ValidateOptions): { errors: MesetaError[]; app?: App } {
  const problems = [...checkStructure(value)];
  let app: App | undefined;
  if (isJsonObject(value)) {
    app = defaultApp(value);
    problems.push(...checkMetadata(value.metadata));
    problems.push(...checkRules(app));
  }
  const errors = problems.map((p) => locate(p, options));
  const unique = new Map(errors.map((e) => [e.format(), e]));
  return { errors: [...unique.values()].sort(byPosition), app };
}

/**
 * Checks only the status of a stored App whose status is being written (its spec and metadata
 * are the stored ones, admitted when they were written); throws a ValidationError naming the
 * field.
 */
export function checkAppStatus(value: unknown): void {
  const errors = checkStatusStructure(value).map((p) => locate(p));
  if (errors.length > 0) throw new ValidationError(errors.sort(byPosition));
}

export interface ParsedApp {
  app: App;
  document: ManifestDocument;
}

export interface ParsedDocuments {
  /** The valid documents' Apps, defaulted, in document order. */
  apps: ParsedApp[];
  /** Every problem of every invalid document. */
  problems: MesetaError[];
  invalidDocuments: number;
}

/**
 * Validates and defaults documents that belong together (what one `apply` or `validate`
 * reads), keeping going past invalid ones. An app defined by two documents is a problem at the
 * second: applied, one would silently overwrite the other.
 */
export function parseAppDocuments(documents: readonly ManifestDocument[]): ParsedDocuments {
  const result: ParsedDocuments = { apps: [], problems: [], invalidDocuments: 0 };
  const seen = new Map<string, string>();
  for (const document of documents) {
    const { errors, app } = check(document.value, document);
    const duplicate = app && errors.length === 0 ? duplicateOf(app, document, seen) : undefined;
    if (duplicate) errors.push(duplicate);
    if (errors.length > 0 || !app) {
      result.invalidDocuments++;
      result.problems.push(...errors);
    } else {
      result.apps.push({ app, document });
    }
  }
  return result;
}

function duplicateOf(
  app: App,
  document: ManifestDocument,
  seen: Map<string, string>,
): MesetaError | undefined {
  const key = `${app.metadata.namespace}/${app.metadata.name}`;
  const at = document.positions.valueAt(['metadata', 'name']);
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, `${document.file}:${at?.line ?? document.line}`);
    return undefined;
  }
  return new MesetaError('Duplicate', `app ${key} is already defined at ${first}`, {
    file: document.file,
    ...(at ? { line: at.line, column: at.column } : {}),
    path: 'metadata.name',
  });
}

export { defaultApp };
