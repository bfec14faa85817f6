/**
 * Waiting until deleted Apps are really gone. An App keeps the finalizer `meseta.io/instances`
 * until the apps controller has removed all its instances, so a deletion first only marks it;
 * this follows what still holds each App (its finalizers, its instances) through one watch of
 * Apps and one of Instances per namespace — no polling — showing progress, until every App is
 * gone or time runs out. On a timeout it returns what still holds each App, for the caller to
 * say.
 */
import { APP_RESOURCE } from '../api/index.ts';
import { appResource, instanceResource, type StoredApp } from '../api/resources.ts';
import type { ObjectRef, ResourceType, StoredObject } from '../store/object.ts';
import { watchObjects } from '../store/watch.ts';
import type { Session } from './connection.ts';
import type { ProgressLine } from './progress-line.ts';

/** What keeps a deleted App in the store. */
export interface Holding {
  ref: Required<ObjectRef>;
  finalizers: string[];
  /** Its instances still in the store, by name. */
  instances: Set<string>;
}

export interface WaitOptions {
  /** 0 waits forever. */
  timeoutMs: number;
  progress: ProgressLine;
  /** Called once per App, when it is gone. */
  onGone(ref: Required<ObjectRef>): void;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** Resolves when every App in `refs` is gone (`[]`), or at the timeout with what holds them. */
export async function waitUntilGone(
  session: Session,
  refs: readonly Required<ObjectRef>[],
  options: WaitOptions,
): Promise<Holding[]> {
  const holding = new Map<string, Holding>();
  const aborter = new AbortController();
  const timer =
    options.timeoutMs > 0 ? setTimeout(() => aborter.abort(), options.timeoutMs) : undefined;
  const render = () => {
    if (holding.size === 0) {
      options.progress.end();
      aborter.abort();
    } else {
      options.progress.show(progressText([...holding.values()]));
    }
  };
  const gone = (ref: Required<ObjectRef>) => {
    if (!holding.delete(key(ref.namespace, ref.name))) return;
    options.progress.end();
    options.onGone(ref);
  };
  try {
    const follows: Promise<void>[] = [];
    for (const namespace of new Set(refs.map((ref) => ref.namespace))) {
      const [apps, instances] = await Promise.all([
        session.objects.list(appResource, { namespace }),
        session.objects.list(instanceResource, { namespace }),
      ]);
      const live = new Map(apps.items.map((app) => [app.metadata.name, app]));
      for (const ref of refs.filter((r) => r.namespace === namespace)) {
        const app = live.get(ref.name);
        if (app) holding.set(key(namespace, ref.name), holdingOf(ref, app));
        else options.onGone(ref);
      }
      for (const instance of instances.items) {
        holding.get(key(namespace, instance.spec.app))?.instances.add(instance.metadata.name);
      }
      follows.push(
        follow(session, appResource, namespace, apps, aborter.signal, {
          changed: (app) => {
            const held = holding.get(key(namespace, app.metadata.name));
            if (held) held.finalizers = app.metadata.finalizers ?? [];
            render();
          },
          deleted: (app) => {
            gone({ namespace, name: app.metadata.name });
            render();
          },
        }),
        follow(session, instanceResource, namespace, instances, aborter.signal, {
          changed: (i) => {
            holding.get(key(namespace, i.spec.app))?.instances.add(i.metadata.name);
            render();
          },
          deleted: (i) => {
            holding.get(key(namespace, i.spec.app))?.instances.delete(i.metadata.name);
            render();
          },
        }),
      );
    }
    render();
    await Promise.all(follows);
    return [...holding.values()];
  } finally {
    clearTimeout(timer);
    aborter.abort();
    options.progress.end();
  }
}

function holdingOf(ref: Required<ObjectRef>, app: StoredApp): Holding {
  return { ref, finalizers: app.metadata.finalizers ?? [], instances: new Set() };
}

/** Watches one kind in a namespace from `fromRevision` on, telling `on` of each change. */
async function follow<T extends StoredObject>(
  session: Session,
  type: ResourceType<T>,
  namespace: string,
  list: { revision: string; items: T[] },
  signal: AbortSignal,
  on: { changed(object: T): void; deleted(object: T): void },
): Promise<void> {
  const events = watchObjects(session.objects, type, {
    namespace,
    fromRevision: list.revision,
    known: list.items,
    signal,
  });
  for await (const event of events) {
    if (event.type === 'deleted') on.deleted(event.object);
    else on.changed(event.object);
  }
}

/** `Waiting for app.meseta.io "web" to be deleted: 3 instances left (finalizer …)`. */
export function progressText(holding: readonly Holding[]): string {
  const instances = holding.reduce((sum, h) => sum + h.instances.size, 0);
  const left = `${instances} instance${instances === 1 ? '' : 's'} left`;
  if (holding.length === 1) {
    const [only] = holding as [Holding];
    const finalizers = only.finalizers.length ? ` (finalizers: ${only.finalizers.join(', ')})` : '';
    return `Waiting for ${APP_RESOURCE} "${only.ref.name}" to be deleted: ${left}${finalizers}...`;
  }
  return `Waiting for ${holding.length} apps to be deleted: ${left}...`;
}

/** Why an App is still there after the wait, and what to do about it. */
export function stillHeldMessage(held: Holding, waitedMs: number): string {
  const { ref, finalizers, instances } = held;
  const head = `${APP_RESOURCE} "${ref.name}" in namespace ${ref.namespace} is still there after ${waitedMs / 1000}s`;
  if (finalizers.length === 0) return `${head}, with no finalizer left: it should go at once`;
  const names = [...instances].sort();
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');
  const remaining =
    names.length > 0
      ? `; ${names.length} of its instances remain (${shown}), which the apps controller must remove first`
      : '';
  return (
    `${head}: it is marked for deletion and held by the finalizer${finalizers.length > 1 ? 's' : ''} ${finalizers.join(', ')}${remaining}. ` +
    'The controllers that own them must be running (`meseta controller` or `meseta up`)'
  );
}
