/**
 * An App's status as a pure function of its instances: counts, current and target revision,
 * and the three conditions. A condition's lastTransitionTime changes only when its status
 * flips; reason and message follow what is true now.
 *
 * - Available: at least ceil(spec.instances × upgradeStrategy.minimumHealthCapacity) instances
 *   are running and healthy (MinimumInstancesHealthy / MinimumInstancesUnhealthy).
 * - Progressing: True while the App is not yet what its spec says — RevisionChanged (instances
 *   of an older revision remain), ScalingUp, ScalingDown (surplus or stopping instances remain),
 *   InstancesStarting (all created, not all running and healthy); False with Complete when done.
 *   While the launch queue holds the App back, ScalingUp's message says so.
 * - Degraded: True when an instance is unreachable (InstancesUnreachable), running but failing
 *   its health check (InstancesUnhealthy), or not running after failures (InstancesFailing);
 *   else False with AsExpected.
 */
import type { AppStatus, Condition, ConditionStatus } from '../../api/app-types.ts';
import { isHealthy, isReady, isRunning, type Instance } from '../../api/instance.ts';
import type { StoredApp } from '../../api/resources.ts';

export type ConditionType = 'Available' | 'Progressing' | 'Degraded';

interface ConditionValue {
  status: ConditionStatus;
  reason: string;
  message: string;
}

export interface StatusContext {
  /** The App waits for room in the launch queue to create the rest of its instances. */
  queued?: boolean;
}

export function appStatus(
  app: StoredApp,
  instances: readonly Instance[],
  targetRevision: number,
  now: Date,
  context: StatusContext = {},
): AppStatus {
  const desired = app.spec.instances;
  let staged = 0;
  let running = 0;
  let healthy = 0;
  let ready = 0;
  let updated = 0;
  let stopping = 0;
  let oldRevision = 0;
  let unreachable = 0;
  let unhealthy = 0;
  let failing = 0;
  let oldestRevision = targetRevision;
  for (const instance of instances) {
    const state = instance.status?.state;
    if (state === 'TASK_STAGING' || state === 'TASK_STARTING') staged++;
    if (isRunning(instance)) running++;
    if (isHealthy(instance)) healthy++;
    if (isReady(instance)) ready++;
    if (state === 'TASK_UNREACHABLE') unreachable++;
    if (isRunning(instance) && instance.status?.healthy === false) unhealthy++;
    if (!isRunning(instance) && (instance.status?.failures ?? 0) > 0) failing++;
    if (instance.spec.goal !== 'running') stopping++;
    else if (instance.spec.revision === targetRevision) updated++;
    else {
      oldRevision++;
      oldestRevision = Math.min(oldestRevision, instance.spec.revision);
    }
  }
  const previous = app.status;
  const currentRevision =
    oldRevision === 0 ? targetRevision : (previous?.currentRevision ?? oldestRevision);
  const minimum = Math.ceil(desired * app.spec.upgradeStrategy.minimumHealthCapacity);
  const targetHealthy = instances.filter(
    (i) => i.spec.goal === 'running' && i.spec.revision === targetRevision && isHealthy(i),
  ).length;

  const available: ConditionValue =
    healthy >= minimum
      ? ok('MinimumInstancesHealthy', `${healthy} of ${desired} instances healthy`)
      : not('MinimumInstancesUnhealthy', `${healthy} healthy, ${minimum} needed`);
  let progressing: ConditionValue;
  if (oldRevision > 0) {
    progressing = ok(
      'RevisionChanged',
      `${updated} of ${desired} instances on revision ${targetRevision}, ${oldRevision} on older revisions`,
    );
  } else if (updated < desired) {
    const waiting = context.queued ? ', the rest wait their turn in the launch queue' : '';
    progressing = ok('ScalingUp', `${updated} of ${desired} instances created${waiting}`);
  } else if (updated > desired || stopping > 0) {
    progressing = ok('ScalingDown', `${updated + stopping} instances, ${desired} wanted`);
  } else if (targetHealthy < desired) {
    progressing = ok(
      'InstancesStarting',
      `${targetHealthy} of ${desired} instances running and healthy`,
    );
  } else {
    progressing = not('Complete', `${desired} instances of revision ${targetRevision}`);
  }
  const degraded: ConditionValue =
    unreachable > 0
      ? ok('InstancesUnreachable', `${unreachable} instances unreachable`)
      : unhealthy > 0
        ? ok('InstancesUnhealthy', `${unhealthy} running instances fail their health checks`)
        : failing > 0
          ? ok('InstancesFailing', `${failing} instances failed and are not running`)
          : not('AsExpected', 'no instance is failing');

  const generation = app.metadata.generation ?? 0;
  const stamp = now.toISOString();
  let conditions = previous?.conditions ?? [];
  conditions = setCondition(conditions, 'Available', available, generation, stamp);
  conditions = setCondition(conditions, 'Progressing', progressing, generation, stamp);
  conditions = setCondition(conditions, 'Degraded', degraded, generation, stamp);
  return {
    observedGeneration: generation,
    conditions,
    instances: instances.length,
    staged,
    running,
    healthy,
    ready,
    updated,
    currentRevision,
    targetRevision,
  };
}

/**
 * `conditions` with `type` set to `value`: lastTransitionTime is `now` when the status flips
 * (or the condition is new) and kept otherwise. Other conditions are kept as they are.
 */
export function setCondition(
  conditions: readonly Condition[],
  type: string,
  value: ConditionValue,
  observedGeneration: number,
  now: string,
): Condition[] {
  const old = conditions.find((c) => c.type === type);
  const next: Condition = {
    type,
    ...value,
    lastTransitionTime: old && old.status === value.status ? old.lastTransitionTime : now,
    observedGeneration,
  };
  return old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next];
}

function ok(reason: string, message: string): ConditionValue {
  return { status: 'True', reason, message };
}

function not(reason: string, message: string): ConditionValue {
  return { status: 'False', reason, message };
}
