/**
 * `meseta convert marathon FILE`: turns Marathon app definitions (JSON; one app, `{app}`,
 * `{apps: […]}` or a list) into App manifests on stdout, and says on stderr what it could not
 * carry over. Exit codes: 0 converted (notes are warnings), 1 the input or the result is
 * invalid, 2 the command was used wrongly.
 */
import type { Command } from 'commander';
import type { Conversion } from '../api/marathon.ts';
import { MesetaError, UsageError, ValidationError } from '../errors.ts';

export interface ConvertResult {
  conversions: Conversion[];
  /** The manifests, as the requested output text. */
  text: string;
}

/** Converts every Marathon definition in `source` (a file or `-`); throws on invalid input. */
export async function convertSource(
  source: string,
  options: { output?: 'yaml' | 'json'; stdin?: AsyncIterable<Buffer | string> } = {},
): Promise<ConvertResult> {
  // Loaded here, not at the top: the schema compiles on import, and `meseta --help` need not wait.
  const [{ stringify }, { loadManifests }, { convertMarathonDocuments }] = await Promise.all([
    import('yaml'),
    import('../api/load.ts'),
    import('../api/marathon.ts'),
  ]);
  const loaded = await loadManifests(source, options.stdin ? { stdin: options.stdin } : {});
  if (loaded.problems.length > 0) throw new ValidationError(loaded.problems);
  const { conversions, problems } = convertMarathonDocuments(loaded.documents);
  if (problems.length > 0) throw new ValidationError(problems);
  if (conversions.length === 0) {
    throw new MesetaError('Invalid', 'no Marathon app definition found', { file: source });
  }
  const manifests = conversions.map((c) => c.manifest);
  const text =
    options.output === 'json'
      ? `${JSON.stringify(manifests.length === 1 ? manifests[0] : manifests, null, 2)}\n`
      : conversions
          .map((c) => `# Converted from the Marathon app ${c.id}\n${stringify(c.manifest)}`)
          .join('---\n');
  return { conversions, text };
}

export function register(program: Command): void {
  const convert = program
    .command('convert')
    .description('Convert definitions from other systems into App manifests');
  convert
    .command('marathon')
    .description('Convert Marathon app definitions (JSON) into App manifests')
    .argument('<file>', 'a Marathon app definition, {"apps": [...]}, or - for stdin')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .addHelpText(
      'after',
      '\nWhat could not be carried over is printed to stderr as warnings.\n\nExamples:\n  meseta convert marathon app.json > web.yaml\n  curl -s $MARATHON/v2/apps/shop/web | meseta convert marathon -',
    )
    .action(async (file: string, options: { output: string }) => {
      if (options.output !== 'yaml' && options.output !== 'json') {
        throw new UsageError(
          `--output must be yaml or json (got ${JSON.stringify(options.output)})`,
        );
      }
      const result = await convertSource(file, { output: options.output });
      process.stdout.write(result.text);
      for (const c of result.conversions) {
        for (const n of c.notes) process.stderr.write(`warning: ${file} ${n.path}: ${n.message}\n`);
      }
    });
}
