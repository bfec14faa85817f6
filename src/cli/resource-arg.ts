/**
 * The resource words verbs accept, as kubectl does: plural, singular, short name and
 * `<kind>.meseta.io`, and the `TYPE/NAME` form. `get` reads every stored kind (apps,
 * instances, revisions, events, agents); `describe` apps and agents; the verbs that change
 * objects work on apps only.
 */
import { UsageError } from '../errors.ts';

export type ResourceKind = 'apps' | 'instances' | 'revisions' | 'events' | 'agents';

const kindOfWord = new Map<string, ResourceKind>();
for (const [kind, words] of [
  ['apps', ['app', 'apps']],
  ['instances', ['instance', 'instances', 'inst']],
  ['revisions', ['revision', 'revisions', 'rev']],
  ['events', ['event', 'events', 'ev']],
  ['agents', ['agent', 'agents']],
] as const) {
  for (const word of words) kindOfWord.set(word, kind);
}
// The kinds' full names, as in their CRDs (the revision kind is AppRevision).
for (const [kind, singular] of [
  ['apps', 'app'],
  ['instances', 'instance'],
  ['revisions', 'apprevision'],
  ['events', 'event'],
  ['agents', 'agent'],
] as const) {
  for (const name of [singular, `${singular}s`]) {
    kindOfWord.set(name, kind);
    kindOfWord.set(`${name}.meseta.io`, kind);
  }
}

/** Splits `TYPE NAME...` or `TYPE/NAME...` into the kind and the names; one kind at a time. */
export function resourceArguments(words: readonly string[]): {
  kind: ResourceKind;
  names: string[];
} {
  if (words.length === 0) throw new UsageError('say which resource: app NAME (or apps)');
  const [first, ...rest] = words;
  const slash = first!.indexOf('/');
  const kind = kindOf(slash >= 0 ? first!.slice(0, slash) : first!);
  const names = slash >= 0 ? [first!.slice(slash + 1)] : [];
  for (const word of rest) {
    const at = word.indexOf('/');
    if (at >= 0 && kindOf(word.slice(0, at)) !== kind) {
      throw new UsageError(`one resource type at a time: "${word}" is not one of ${kind}`);
    }
    names.push(at >= 0 ? word.slice(at + 1) : word);
  }
  return { kind, names };
}

/** As resourceArguments, for verbs that work on Apps only. */
export function appArguments(words: readonly string[]): string[] {
  const { kind, names } = resourceArguments(words);
  if (kind !== 'apps') {
    const writer = kind === 'agents' ? 'the Mesos bridge' : "meseta's controllers";
    throw new UsageError(
      `this verb works on apps only; ${kind} are written by ${writer} (read them with \`meseta get ${kind}\`)`,
    );
  }
  return names;
}

function kindOf(word: string): ResourceKind {
  const kind = kindOfWord.get(word);
  if (kind) return kind;
  throw new UsageError(
    `unknown resource type "${word}": meseta serves apps, instances (inst), revisions (rev), events (ev) and agents`,
  );
}
