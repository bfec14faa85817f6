/**
 * AppRevision: an immutable, numbered snapshot of the part of an App's spec that defines its
 * tasks (the "template"). A change to the template makes a new revision; a change to any other
 * field (how many, how to roll out, back off, kill or treat the unreachable) does not, so that
 * scaling never restarts anything and launch backoff survives a scale.
 *
 * The template is the spec minus NON_TEMPLATE_FIELDS: a field added to App later defines tasks
 * unless it is listed here, which errs on the side of a new revision.
 */
import { createHash } from 'node:crypto';
import type { AppSpec } from './app-types.ts';
import type { ObjectMeta } from '../store/object.ts';

/** App spec fields that do not define tasks: changing them alone makes no new revision. */
export const NON_TEMPLATE_FIELDS = [
  'instances',
  'upgradeStrategy',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'killSelection',
  'unreachableStrategy',
  'dependencies',
] as const satisfies readonly (keyof AppSpec)[];

export type AppTemplate = Omit<AppSpec, (typeof NON_TEMPLATE_FIELDS)[number]>;

export interface AppRevisionSpec {
  /** The App (same namespace). */
  app: string;
  /** 1 for an App's first revision, one more for each next. */
  revision: number;
  templateHash: string;
  template: AppTemplate;
}

export interface AppRevision {
  apiVersion: 'meseta.io/v1';
  kind: 'AppRevision';
  metadata: ObjectMeta;
  spec: AppRevisionSpec;
}

export const APP_REVISION_KIND = 'AppRevision';

/** The task-defining part of `spec`. */
export function appTemplate(spec: AppSpec): AppTemplate {
  const template: Record<string, unknown> = { ...spec };
  for (const field of NON_TEMPLATE_FIELDS) delete template[field];
  return template as AppTemplate;
}

/** 16 hex digits of SHA-256 over the template's canonical JSON (keys sorted at every level). */
export function templateHash(template: AppTemplate): string {
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
