/**
 * `meseta validate -f FILE|DIR|-`: checks App manifests without storing them. Prints one line
 * per valid object and every problem as `file:line:col field.path: message`, then a summary.
 * Exit codes: 0 all valid, 1 something invalid, 2 the command was used wrongly.
 */
import type { Command } from 'commander';
import { APP_RESOURCE } from '../api/crd.ts';
import { parseAppDocuments } from '../api/app.ts';
import { loadManifests } from '../api/load.ts';
import { MesetaError, UsageError } from '../errors.ts';
import { Exit, ExitCode } from './main.ts';

export interface ValidateReport {
  valid: string[];
  problems: MesetaError[];
  documents: number;
  invalidDocuments: number;
}

/** Validates every manifest under `sources`; pure reporting, no printing. */
export async function validateSources(
  sources: string[],
  options: { recursive?: boolean; stdin?: AsyncIterable<Buffer | string> } = {},
): Promise<ValidateReport> {
  const report: ValidateReport = { valid: [], problems: [], documents: 0, invalidDocuments: 0 };
  // Two documents for one app would overwrite each other when applied: say where both are.
  const seen = new Map<string, string>();
  for (const source of sources) {
    const loaded = await loadManifests(source, options);
    const parsed = parseAppDocuments(loaded.documents);
    report.documents += loaded.documents.length;
    report.invalidDocuments += parsed.invalidDocuments;
    report.problems.push(...loaded.problems, ...parsed.problems);
    for (const { app, document } of parsed.apps) {
      const key = `${app.metadata.namespace}/${app.metadata.name}`;
      const at = document.positions.valueAt(['metadata', 'name']);
      const first = seen.get(key);
      if (first !== undefined) {
        report.invalidDocuments++;
        report.problems.push(
          new MesetaError('Duplicate', `app ${key} is already defined at ${first}`, {
            file: document.file,
            ...(at ? { line: at.line, column: at.column } : {}),
            path: 'metadata.name',
          }),
        );
        continue;
      }
      seen.set(key, `${document.file}:${at?.line ?? document.line}`);
      report.valid.push(
        `${document.file}: ${APP_RESOURCE}/${app.metadata.name} (namespace ${app.metadata.namespace}) valid`,
      );
    }
    if (loaded.documents.length === 0 && loaded.problems.length === 0) {
      report.problems.push(noManifests(source));
    }
  }
  return report;
}

function noManifests(source: string): MesetaError {
  const message = 'no manifests found (looked for .yaml, .yml and .json files)';
  return new MesetaError('NoManifests', message, { file: source });
}

export function summary(report: ValidateReport): string {
  const objects = (n: number) => `${n} object${n === 1 ? '' : 's'}`;
  if (report.problems.length === 0) return `${objects(report.documents)} valid`;
  const parts = [`${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`];
  if (report.documents > 0)
    parts.push(`${report.invalidDocuments} of ${objects(report.documents)} invalid`);
  return parts.join(', ');
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('Check App manifests (YAML or JSON) without applying them')
    .option('-f, --filename <path...>', 'a file, a directory, or - for stdin (repeatable)')
    .option('-R, --recursive', 'also read the subdirectories of a directory', false)
    .option('-q, --quiet', 'print only problems and the summary', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 valid, 1 invalid, 2 usage error.\n\nExamples:\n  meseta validate -f manifests/\n  cat web.yaml | meseta validate -f -',
    )
    .action(async (options: { filename?: string[]; recursive: boolean; quiet: boolean }) => {
      const sources = options.filename ?? [];
      if (sources.length === 0)
        throw new UsageError('say what to validate: -f FILE, -f DIR or -f -');
      const report = await validateSources(sources, { recursive: options.recursive });
      if (!options.quiet) for (const line of report.valid) process.stdout.write(`${line}\n`);
      for (const problem of report.problems) process.stderr.write(`${problem.format()}\n`);
      const out = report.problems.length === 0 ? process.stdout : process.stderr;
      out.write(`${summary(report)}\n`);
      if (report.problems.length > 0) throw new ExitCode(Exit.failed);
    });
}
