/**
 * `meseta get TYPE [NAME...] [-o wide|yaml|json|name] [-l SELECTOR] [-A] [-w]`: the command's
 * flags and help; get-objects.ts does the work, loaded only when the command runs.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('get')
    .description('List apps, instances, revisions, events or agents, or show some by name')
    .argument('<resource...>', 'apps|instances|revisions|events|agents [NAME...], or TYPE/NAME')
    .option('-o, --output <format>', 'wide, yaml, json or name')
    .option('-l, --selector <selector>', 'only objects whose labels match, e.g. tier=web,env!=dev')
    .option('-A, --all-namespaces', 'objects of every namespace', false)
    .option('--app <app>', 'instances or revisions: only those of this App')
    .option('--for <kind/name>', 'events: only those about this object, e.g. app/web')
    .option('--no-headers', 'leave out the header line of tables')
    .option('-w, --watch', 'after listing, print every change until interrupted (Ctrl-C)', false)
    .addHelpText(
      'after',
      '\nResource types: apps (app), instances (inst), revisions (rev), events (ev), agents\n' +
        '\nExamples:\n' +
        '  meseta get apps\n' +
        '  meseta get apps -A -o wide\n' +
        '  meseta get app web -o yaml\n' +
        '  meseta get apps -l tier=web -o name\n' +
        '  meseta get apps -w\n' +
        '  meseta get instances --app web -o wide\n' +
        '  meseta get rev --app web\n' +
        '  meseta get events --for app/web\n' +
        '  meseta get agents -o wide',
    )
    .action(async (words: string[], _options: unknown, command: Command) => {
      const { runGet } = await import('./get-objects.ts');
      await runGet(words, command);
    });
}
