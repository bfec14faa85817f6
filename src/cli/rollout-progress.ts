/**
 * How far an App's rollout has got, read from its status the way `kubectl rollout status`
 * reads a Deployment's: the controllers must have seen the latest spec (observedGeneration),
 * every wanted instance must be of the target revision, old and surplus instances gone, and all
 * of them running, healthy and (with readiness checks) ready. A `Progressing` condition that is False with reason
 * `ProgressDeadlineExceeded` means the rollout failed. Pure.
 */
import { APP_RESOURCE, type App } from '../api/index.ts';

export interface RolloutProgress {
  done: boolean;
  /** Set when the rollout cannot finish on its own. */
  failed?: string;
  /** One line for a person: what is being waited for, or that it is done. */
  message: string;
}

export function rolloutProgress(app: App): RolloutProgress {
  const name = `${APP_RESOURCE}/${app.metadata.name}`;
  const status = app.status ?? {};
  const wanted = app.spec.instances;
  const generation = app.metadata.generation ?? 0;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    const failed = `${name} rollout exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}`;
    return { done: false, failed, message: failed };
  }
  const waiting = (text: string) => ({
    done: false,
    message: `Waiting for rollout to finish: ${text}`,
  });
  if ((status.observedGeneration ?? 0) < generation) {
    return { done: false, message: `Waiting for ${name} spec update to be observed...` };
  }
  const updated = status.updated ?? 0;
  const instances = status.instances ?? 0;
  const running = status.running ?? 0;
  const healthy = status.healthy ?? 0;
  if (updated < wanted) return waiting(`${updated} of ${wanted} instances are updated...`);
  // `updated` counts the target revision's instances meant to run; the rest (older revisions,
  // instances being stopped) must go first.
  if (instances > updated) {
    return waiting(`${instances - updated} old instances are pending termination...`);
  }
  if (updated > wanted) {
    return waiting(`${updated - wanted} surplus instances are pending termination...`);
  }
  if (running < wanted) return waiting(`${running} of ${wanted} instances are running...`);
  if (healthy < wanted) return waiting(`${healthy} of ${wanted} instances are healthy...`);
  // Readiness gates a rollout as health does (REFERENCE: "healthy and ready").
  if ((app.spec.readinessChecks?.length ?? 0) > 0 && (status.ready ?? 0) < wanted) {
    return waiting(`${status.ready ?? 0} of ${wanted} instances are ready...`);
  }
  return { done: true, message: `${name} successfully rolled out` };
}
