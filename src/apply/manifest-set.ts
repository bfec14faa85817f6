/**
 * The Apps a set of manifests asks for, as `apply`, `diff` and `delete -f` (and later the
 * GitOps sync) read them: every document of every source, validated and defaulted by the
 * shared API library, each App with its document as written (the three-way merge needs the
 * file's own fields, not the defaulted ones). A file with any problem contributes no App at
 * all, so that a half-valid file is never half applied. A source may be an http(s) URL of
 * one manifest file.
 */
import {
  APP_RESOURCE,
  loadManifests,
  parseAppDocuments,
  parseManifests,
  type App,
  type LoadResult,
} from '../api/index.ts';
import type { ManifestDocument } from '../api/index.ts';
import { isJsonObject, type JsonObject } from '../api/json-object.ts';
import { MesetaError } from '../errors.ts';

export interface ManifestApp {
  /** Validated and defaulted. */
  app: App;
  /** The document as written, with the namespace filled in. */
  written: JsonObject;
  document: ManifestDocument;
}

export interface ManifestSet {
  apps: ManifestApp[];
  problems: MesetaError[];
  /** Files left out because they have problems. */
  rejectedFiles: string[];
}

export interface ManifestSetOptions {
  recursive?: boolean;
  stdin?: AsyncIterable<Buffer | string>;
  /** Namespace of documents that name none. */
  namespace: string;
  /** When set, a document naming another namespace is a problem (kubectl's `-n` rule). */
  requireNamespace?: string;
}

export async function readManifestSet(
  sources: readonly string[],
  options: ManifestSetOptions,
): Promise<ManifestSet> {
  const documents: ManifestDocument[] = [];
  const problems: MesetaError[] = [];
  for (const source of sources) {
    const loaded = isUrl(source) ? await loadUrl(source) : await loadManifests(source, options);
    problems.push(...loaded.problems);
    documents.push(...loaded.documents);
    if (loaded.documents.length === 0 && loaded.problems.length === 0) {
      problems.push(
        new MesetaError('NoManifests', 'no manifests found (looked for .yaml, .yml and .json)', {
          file: source,
        }),
      );
    }
  }
  for (const document of documents) problems.push(...fillNamespace(document, options));
  const parsed = parseAppDocuments(documents);
  problems.push(...parsed.problems);
  problems.push(...duplicates(parsed.apps.map((p) => p.document)));
  const rejected = new Set(problems.map((p) => p.where.file).filter((f) => f !== undefined));
  const apps = parsed.apps
    .filter(({ document }) => !rejected.has(document.file))
    .map(({ app, document }) => ({ app, written: document.value as JsonObject, document }));
  return { apps, problems, rejectedFiles: [...rejected] };
}

function fillNamespace(document: ManifestDocument, options: ManifestSetOptions): MesetaError[] {
  const value = document.value;
  if (!isJsonObject(value) || !isJsonObject(value.metadata)) return [];
  const named = value.metadata.namespace;
  if (named === undefined) {
    value.metadata.namespace = options.namespace;
    return [];
  }
  if (options.requireNamespace !== undefined && named !== options.requireNamespace) {
    const at = document.positions.valueAt(['metadata', 'namespace']);
    const message = `the document's namespace "${String(named)}" differs from -n ${options.requireNamespace}: pass -n ${String(named)} or drop one of them`;
    return [
      new MesetaError('NamespaceMismatch', message, {
        file: document.file,
        ...(at ? { line: at.line, column: at.column } : {}),
        path: 'metadata.namespace',
      }),
    ];
  }
  return [];
}

// Two documents for one App would overwrite each other: say where both are.
function duplicates(documents: readonly ManifestDocument[]): MesetaError[] {
  const seen = new Map<string, string>();
  const problems: MesetaError[] = [];
  for (const document of documents) {
    const meta = (document.value as { metadata: { namespace: string; name: string } }).metadata;
    const key = `${meta.namespace}/${meta.name}`;
    const at = document.positions.valueAt(['metadata', 'name']);
    const where = `${document.file}:${at?.line ?? document.line}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, where);
      continue;
    }
    problems.push(
      new MesetaError('Duplicate', `${APP_RESOURCE}/${meta.name} is already defined at ${first}`, {
        file: document.file,
        ...(at ? { line: at.line, column: at.column } : {}),
        path: 'metadata.name',
      }),
    );
  }
  return problems;
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** One manifest file fetched over HTTP(S); a failed fetch is a problem naming the URL. */
async function loadUrl(url: string): Promise<LoadResult> {
  const fail = (message: string): LoadResult => ({
    documents: [],
    problems: [new MesetaError('Unreadable', message, { file: url })],
  });
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return fail(`cannot fetch: ${cause}`);
  }
  if (!response.ok) return fail(`cannot fetch: HTTP ${response.status} ${response.statusText}`);
  return parseManifests(await response.text(), url);
}
