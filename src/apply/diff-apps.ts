/**
 * What `apply` would change, as a unified diff per App of the live object against the result
 * of the merge. Both sides are defaulted the same way, so defaults never show as differences;
 * what the store owns (uid, resourceVersion, generation, timestamps), the status, and the
 * last-applied bookkeeping annotation are left out of both.
 */
import { stringify } from 'yaml';
import { APP_RESOURCE, type App } from '../api/index.ts';
import { MesetaError } from '../errors.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { appResource } from '../api/resources.ts';
import { managerOfKey, planApply } from './apply-plan.ts';
import type { ManifestApp } from './manifest-set.ts';
import { unifiedDiff } from './unified-diff.ts';

export interface AppDiff {
  input: ManifestApp;
  /** Empty when applying would change nothing. */
  text: string;
  error?: MesetaError;
}

/** The parts of an App a person compares, as YAML; empty for an absent App. */
export function comparableText(app: App | undefined): string {
  if (!app) return '';
  const { name, namespace, labels, annotations } = app.metadata;
  const kept = { ...annotations };
  for (const key of Object.keys(kept)) if (managerOfKey(key) !== undefined) delete kept[key];
  const metadata = {
    name,
    namespace,
    ...(labels && Object.keys(labels).length ? { labels } : {}),
    ...(Object.keys(kept).length ? { annotations: kept } : {}),
  };
  return stringify({ apiVersion: app.apiVersion, kind: app.kind, metadata, spec: app.spec });
}

export async function diffApps(
  objects: ObjectStore,
  inputs: readonly ManifestApp[],
  options: { colour?: boolean } = {},
): Promise<AppDiff[]> {
  return Promise.all(
    inputs.map(async (input) => {
      try {
        const live = await objects.get(appResource, input.app.metadata);
        const plan = planApply(input.written, live);
        const { namespace, name } = input.app.metadata;
        const label = `${APP_RESOURCE}/${namespace}/${name}`;
        const text = unifiedDiff(comparableText(live), comparableText(plan.object), {
          fromName: `live/${label}`,
          toName: `merged/${label}`,
          colour: options.colour ?? false,
        });
        return { input, text };
      } catch (error) {
        if (error instanceof MesetaError) return { input, text: '', error };
        throw error;
      }
    }),
  );
}
