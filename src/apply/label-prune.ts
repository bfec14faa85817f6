/**
 * Prune by label, the way kubectl's `apply --prune -l SELECTOR` did before apply-sets: after
 * applying, the Apps that match the selector in the namespaces the manifests name, that were
 * not in this apply, are deleted — but only those that carry this field manager's
 * last-applied record, so that an App apply never created (by hand, by another tool, by
 * another manager) is never touched, whatever its labels. Unlike an apply-set's inventory this
 * cannot see an App whose labels were changed since, and it prunes a matching App that another
 * directory applied: choose the selector so that it names this set of manifests alone.
 */
import type { LabelSelector } from '../store/label-selector.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { appResource } from '../api/resources.ts';
import { lastAppliedKey } from './apply-plan.ts';
import { appKey } from './prune.ts';

export interface LabelPruneScope {
  /** The namespaces the manifests name: only these are pruned. */
  namespaces: Iterable<string>;
  selector: LabelSelector;
  /** `namespace/name` of every App in this apply (failed ones too: they stay). */
  applied: ReadonlySet<string>;
  /** Whose last-applied record marks an App as apply's to prune. */
  fieldManager: string;
}

/** The `namespace/name` of each App to prune, one ranged read per namespace. */
export async function labelPruneCandidates(
  objects: ObjectStore,
  scope: LabelPruneScope,
): Promise<string[]> {
  const record = lastAppliedKey(scope.fieldManager);
  const candidates: string[] = [];
  for (const namespace of [...new Set(scope.namespaces)].sort()) {
    const listed = await objects.list(appResource, {
      namespace,
      labelSelector: scope.selector,
    });
    for (const app of listed.items) {
      const key = appKey(app);
      if (scope.applied.has(key)) continue;
      if (app.metadata.annotations?.[record] === undefined) continue;
      candidates.push(key);
    }
  }
  return candidates;
}
