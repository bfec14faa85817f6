/**
 * Names for new Instances: `<app>-<revision>-<ordinal>`, the lowest ordinals not in use by any
 * instance of the App. Deterministic on purpose: two reconciles that decide from the same
 * (possibly stale) cache pick the same names, so the store's create-if-absent turns a would-be
 * duplicate into a conflict instead of an extra instance — no "expectations" bookkeeping needed.
 * The revision in the name tells old from new at a glance during a rollout.
 */
import { childName } from '../../api/child-name.ts';

/** `count` names for new instances of `app`'s `revision` that none of `taken` has. */
export function newInstanceNames(
  app: string,
  revision: number,
  count: number,
  taken: ReadonlySet<string>,
): string[] {
  const names: string[] = [];
  for (let ordinal = 0; names.length < count; ordinal++) {
    const name = childName(app, revision, ordinal);
    if (!taken.has(name)) names.push(name);
  }
  return names;
}
