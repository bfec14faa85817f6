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
import { ValidationError } from '../errors.ts';
import type { MesetaError } from '../errors.ts';
import type { App } from './app-types.ts';
import type { ManifestDocument } from './load.ts';
import { defaultApp } from './defaults.ts';
import { isJsonObject } from './json-object.ts';
import { checkMetadata } from './metadata.ts';
import { byPosition, locate } from './problem.ts';
import type { ProblemSource } from './problem.ts';
import { checkRules } from './rules.ts';
import { checkStructure } from './structure.ts';

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

/** Validates and defaults loaded documents, keeping going past invalid ones. */
export function parseAppDocuments(documents: readonly ManifestDocument[]): ParsedDocuments {
  const result: ParsedDocuments = { apps: [], problems: [], invalidDocuments: 0 };
  for (const document of documents) {
    const { errors, app } = check(document.value, document);
    if (errors.length > 0 || !app) {
      result.invalidDocuments++;
      result.problems.push(...errors);
    } else {
      result.apps.push({ app, document });
    }
  }
  return result;
}

export { defaultApp };
