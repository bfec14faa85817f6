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
  const problems = [...checkStructure(value)];
  if (isJsonObject(value)) {
    problems.push(...checkMetadata(value.metadata));
    problems.push(...checkRules(defaultApp(value)));
  }
  const errors = problems.map((p) => locate(p, options));
  const unique = new Map(errors.map((e) => [e.format(), e]));
  return [...unique.values()].sort(byPosition);
}

/** Validates and defaults `value`; throws a ValidationError listing every problem. */
export function parseApp(value: unknown, options: ValidateOptions = {}): App {
  const problems = validateApp(value, options);
  if (problems.length > 0) throw new ValidationError(problems);
  return defaultApp(value as Record<string, unknown>);
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
    const problems = validateApp(document.value, {
      file: document.file,
      positions: document.positions,
    });
    if (problems.length > 0) {
      result.invalidDocuments++;
      result.problems.push(...problems);
    } else {
      result.apps.push({ app: defaultApp(document.value as Record<string, unknown>), document });
    }
  }
  return result;
}

export { defaultApp };
