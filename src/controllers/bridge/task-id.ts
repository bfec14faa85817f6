/**
 * Mesos task ids of meseta's tasks: `<namespace>.<instance>.<nonce>`. Any status update Mesos
 * sends names its task id, so the id alone must lead back to the instance that owns the task:
 * namespaces have no dots and the nonce is hex, so the first and the last dot delimit the
 * instance name (which may itself contain dots). The nonce makes every launch of an instance a
 * new task id, as Mesos requires (an id is never reused, not even after the task ended).
 */
import { randomBytes } from 'node:crypto';

export interface TaskOwner {
  namespace: string;
  instance: string;
}

const noncePattern = /^[0-9a-f]{1,32}$/;

/** A fresh task id for a launch of `instance` in `namespace`. */
export function newTaskId(namespace: string, instance: string, nonce = newNonce()): string {
  if (namespace.includes('.')) throw new Error(`namespace "${namespace}" contains a dot`);
  return `${namespace}.${instance}.${nonce}`;
}

/** 12 hex digits: unique enough per instance, short enough to read in logs. */
export function newNonce(): string {
  return randomBytes(6).toString('hex');
}

/** The instance a task id belongs to, or undefined when meseta did not make the id. */
export function taskOwner(taskId: string): TaskOwner | undefined {
  const first = taskId.indexOf('.');
  const last = taskId.lastIndexOf('.');
  if (first <= 0 || last <= first + 1) return undefined;
  const nonce = taskId.slice(last + 1);
  if (!noncePattern.test(nonce)) return undefined;
  return { namespace: taskId.slice(0, first), instance: taskId.slice(first + 1, last) };
}

/** The informer key (`namespace/name`) of the instance owning `taskId`, if meseta made it. */
export function ownerKey(taskId: string): string | undefined {
  const owner = taskOwner(taskId);
  return owner ? `${owner.namespace}/${owner.instance}` : undefined;
}
