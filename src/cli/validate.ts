/**
 * `meseta validate -f FILE|DIR|-`: checks App manifests without storing them. Prints one line
 * per valid object and every problem as `file:line:col field.path: message`, then a summary.
 * Exit codes: 0 all valid, 1 something invalid, 2 the command was used wrongly.
 */
import type { Command } from 'commander';
import type { ManifestDocument } from '../api/load.ts';
import { MesetaError, UsageError } from '../errors.ts';

export interface ValidateReport {
  valid: string[];
  problems: MesetaError[];
  documents: number;
  invalidDocuments: number;
}

/** Validates every manifest under `sources` as one set; reports, prints nothing. */
export async function validateSources(
  sources: string[],
  options: { recursive?: boolean; stdin?: AsyncIterable<Buffer | string> } = {},
): Promise<ValidateReport> {
  // Loaded here, not at the top: the schema compiles on import, and `meseta --help` need not wait.
  const [{ APP_RESOURCE }, { parseAppDocuments }, { loadManifests }] = await Promise.all([
    import('../api/crd.ts'),
    import('../api/app.ts'),
    import('../api/load.ts'),
  ]);
  const documents: ManifestDocument[] = [];
  const problems: MesetaError[] = [];
  for (const source of sources) {
    const loaded = await loadManifests(source, options);
    if (loaded.documents.length === 0 && loaded.problems.length === 0) {
      problems.push(noManifests(source));
    }
    documents.push(...loaded.documents);
    problems.push(...loaded.problems);
  }
  const parsed = parseAppDocuments(documents);
  return {
    valid: parsed.apps.map(
      ({ app, document }) =>
        `${document.file}: ${APP_RESOURCE}/${app.metadata.name} (namespace ${app.metadata.namespace}) valid`,
    ),
    problems: [...problems, ...parsed.problems],
    documents: documents.length,
    invalidDocuments: parsed.invalidDocuments,
  };
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
      if (report.problems.length > 0) {
        const { Exit, ExitCode } = await import('./main.ts');
        throw new ExitCode(Exit.failed);
      }
    });
}
