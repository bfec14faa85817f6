/**
 * One line for `describe app` on launch backoff: how many times the instances of the revision
 * being rolled out have failed, when last, and the delay Marathon's rule gives for that count
 * (backoffSeconds, multiplied by backoffFactor per further failure, capped at
 * maxLaunchDelaySeconds, forgotten once maxLaunchDelaySeconds have passed since the last
 * failure). It reads the failure records the bridge keeps on each Instance; it describes, it
 * never decides when anything launches. Pure.
 */
import type { App } from '../api/index.ts';
import type { Instance } from '../api/instance.ts';
import { humanAge } from './age.ts';

export function backoffSummary(app: App, instances: readonly Instance[], now: number): string {
  const revision =
    app.status?.targetRevision ??
    instances.reduce((max, i) => Math.max(max, i.spec.revision), -Infinity);
  let failures = 0;
  let last: number | undefined;
  for (const instance of instances) {
    if (instance.spec.revision !== revision) continue;
    failures += instance.status?.failures ?? 0;
    const at = Date.parse(instance.status?.lastFailureAt ?? '');
    if (!Number.isNaN(at) && (last === undefined || at > last)) last = at;
  }
  if (failures === 0) return 'no failed launches';
  const { backoffSeconds, backoffFactor, maxLaunchDelaySeconds } = app.spec;
  const delay = Math.min(maxLaunchDelaySeconds, backoffSeconds * backoffFactor ** (failures - 1));
  const head = `${failures} failure${failures === 1 ? '' : 's'} of revision ${revision}`;
  if (last === undefined) return `${head}: launches wait ${seconds(delay)}`;
  const when = `the last ${humanAge(new Date(last).toISOString(), now)} ago`;
  const since = (now - last) / 1000;
  if (since >= maxLaunchDelaySeconds) return `${head}, ${when}: no delay any more`;
  const left = delay - since;
  return left > 0
    ? `${head}, ${when}: launches wait ${seconds(delay)} (${seconds(left)} left)`
    : `${head}, ${when}: the ${seconds(delay)} delay has passed`;
}

function seconds(value: number): string {
  return `${Math.round(value * 100) / 100}s`;
}
