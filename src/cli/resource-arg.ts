/**
 * The resource words verbs accept, as kubectl does: `app`, `apps`, `app.meseta.io`, and the
 * `app/NAME` form. Other kinds (instances, revisions, events, agents) arrive with their
 * controllers; naming one says so instead of guessing.
 */
import { UsageError } from '../errors.ts';

const appWords = new Set(['app', 'apps', 'app.meseta.io', 'apps.meseta.io']);
const later = new Set([
  'instances',
  'instance',
  'revisions',
  'revision',
  'events',
  'event',
  'agents',
  'agent',
]);

/** Splits `app/web` into the type and name; checks that the type is App. */
export function appArguments(words: readonly string[]): string[] {
  if (words.length === 0) throw new UsageError('say which resource: app NAME (or apps)');
  const [first, ...rest] = words;
  const slash = first!.indexOf('/');
  if (slash >= 0) {
    checkAppWord(first!.slice(0, slash));
    return [first!.slice(slash + 1), ...rest.map((w) => nameAfterSlash(w))];
  }
  checkAppWord(first!);
  return rest;
}

function nameAfterSlash(word: string): string {
  const slash = word.indexOf('/');
  if (slash < 0) return word;
  checkAppWord(word.slice(0, slash));
  return word.slice(slash + 1);
}

function checkAppWord(word: string): void {
  if (appWords.has(word)) return;
  if (later.has(word)) {
    throw new UsageError(
      `"${word}" are not stored by this version of meseta yet; only apps are (try \`meseta get apps\`)`,
    );
  }
  throw new UsageError(
    `unknown resource type "${word}": meseta serves apps (app, apps, app.meseta.io)`,
  );
}
