/**
 * Which instances go first when an App scales down: those worth least first. By condition —
 * unreachable, then not yet launched, staging, starting, and running last — then by age as the
 * App's `killSelection` says (YOUNGEST_FIRST by default). Ties (same creation second) are
 * broken by name, highest ordinal first for YOUNGEST_FIRST, so the order is total and stable.
 * GROUP_BY balance, which REFERENCE puts before condition, needs agent attributes and belongs to
 * placement; it is not applied here.
 */
import type { KillSelection } from '../../api/app-types.ts';
import type { Instance } from '../../api/instance.ts';

/** Lower goes first. */
export function conditionRank(instance: Instance): number {
  const state = instance.status?.state;
  if (state === 'TASK_UNREACHABLE' || state === 'TASK_UNKNOWN') return 0;
  if (!state) return 1;
  if (state === 'TASK_STAGING') return 2;
  if (state === 'TASK_STARTING') return 3;
  if (state === 'TASK_RUNNING') return 5;
  // Killing or ended: already on its way out, but not a running task to keep.
  return 4;
}

/** `instances` sorted so that the first ones are the first to stop. Does not modify the input. */
export function killOrder(
  instances: readonly Instance[],
  killSelection: KillSelection,
): Instance[] {
  const youngestFirst = killSelection !== 'OLDEST_FIRST';
  return [...instances].sort((a, b) => {
    const byCondition = conditionRank(a) - conditionRank(b);
    if (byCondition !== 0) return byCondition;
    const byAge = age(a) - age(b);
    if (byAge !== 0) return youngestFirst ? -byAge : byAge;
    const byName = compareNames(a.metadata.name, b.metadata.name);
    return youngestFirst ? -byName : byName;
  });
}

/** Milliseconds since the epoch when the instance was created (older: smaller). */
function age(instance: Instance): number {
  const created = instance.metadata.creationTimestamp;
  return created ? Date.parse(created) : 0;
}

// `web-1-10` after `web-1-9`: compare the trailing ordinals as numbers when both have one.
function compareNames(a: string, b: string): number {
  const ordinal = /-(\d+)$/;
  const [ma, mb] = [ordinal.exec(a), ordinal.exec(b)];
  if (ma && mb && a.slice(0, ma.index) === b.slice(0, mb.index)) {
    return Number(ma[1]) - Number(mb[1]);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
