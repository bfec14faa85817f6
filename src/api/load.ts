/**
 * Reading manifests: YAML (several documents per file) and JSON, from files, directories and
 * stdin. Every document comes with the positions of its fields, and every syntax error names
 * the file, line and column. Reading never throws for bad content — problems are returned, so a
 * caller can report all of them — only for a path that does not exist (a usage error).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { MesetaError, UsageError } from '../errors.ts';
import { SourcePositions } from './positions.ts';

export interface ManifestDocument {
  /** The file as the user named it (`-` for stdin). */
  file: string;
  /** 0-based index of the document within its file. */
  index: number;
  /** Line of the document's first content. */
  line: number;
  value: unknown;
  positions: SourcePositions;
}

export interface LoadResult {
  documents: ManifestDocument[];
  /** Syntax errors and unreadable files; documents with syntax errors are left out. */
  problems: MesetaError[];
}

const manifestExtensions = /\.(ya?ml|json)$/i;

/** Parses the text of one file (YAML or JSON) into its documents. Pure. */
export function parseManifests(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const documents: ManifestDocument[] = [];
  const problems: MesetaError[] = [];
  if (/\.json$/i.test(file)) {
    const problem = strictJsonProblem(text, file);
    if (problem) return { documents, problems: [problem] };
  }
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const all = Array.isArray(parsed) ? parsed : [];
  all.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const pos = error.linePos?.[0];
        problems.push(
          new MesetaError('Syntax', `invalid ${syntaxOf(file)}: ${firstLine(error.message)}`, {
            file,
            ...(pos ? { line: pos.line, column: pos.col } : {}),
          }),
        );
      }
      return;
    }
    // An empty document, e.g. after a trailing `---`.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    const start = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
    documents.push({
      file,
      index,
      line: start.line,
      value: doc.toJS({ maxAliasCount: 100 }),
      positions: SourcePositions.fromDocument(doc, lineCounter),
    });
  });
  return { documents, problems };
}

// YAML accepts what JSON does not (trailing commas, comments): a .json file must be JSON.
function strictJsonProblem(text: string, file: string): MesetaError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? text.length);
    const before = text.slice(0, offset).split('\n');
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    return new MesetaError('Syntax', `invalid JSON: ${reason}`, {
      file,
      line: before.length,
      column: before[before.length - 1]!.length + 1,
    });
  }
}

function syntaxOf(file: string): string {
  if (/\.json$/i.test(file)) return 'JSON';
  if (/\.ya?ml$/i.test(file)) return 'YAML';
  return 'YAML or JSON';
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

export interface LoadOptions {
  /** Descend into subdirectories. */
  recursive?: boolean;
  /** Where `-` reads from; process.stdin by default. */
  stdin?: AsyncIterable<Buffer | string>;
}

/** Loads every manifest from a file, a directory (its .yaml/.yml/.json files, sorted) or `-`. */
export async function loadManifests(
  source: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  if (source === '-') return parseManifests(await readAll(options.stdin ?? process.stdin), '-');
  const result: LoadResult = { documents: [], problems: [] };
  const files = await manifestFiles(source, options.recursive ?? false, result.problems);
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      result.problems.push(
        new MesetaError('Unreadable', `cannot read: ${(error as Error).message}`, { file }),
      );
      continue;
    }
    const one = parseManifests(text, file);
    result.documents.push(...one.documents);
    result.problems.push(...one.problems);
  }
  return result;
}

async function manifestFiles(
  source: string,
  recursive: boolean,
  problems: MesetaError[],
): Promise<string[]> {
  let info;
  try {
    info = await stat(source);
  } catch {
    throw new UsageError(`the path "${source}" does not exist`);
  }
  if (!info.isDirectory()) return [source];
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      problems.push(
        new MesetaError('Unreadable', `cannot read: ${(error as Error).message}`, { file: dir }),
      );
      return;
    }
    // Byte order, not the locale's: the same directory reads the same everywhere.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recursive) await walk(path);
      } else if (manifestExtensions.test(entry.name)) files.push(path);
    }
  };
  await walk(source);
  return files;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
