/**
 * The App resource as the object store knows it: where Apps live in etcd and the admission
 * every App write goes through — the shared validation and defaulting of `src/api`, so that
 * the store never holds an App `validateApp` would refuse.
 */
import { APP_GROUP, APP_KIND, APP_VERSION, parseApp, type App } from '../api/index.ts';
import type { ResourceType } from '../store/object.ts';

export const appType: ResourceType<App> = {
  group: APP_GROUP,
  version: APP_VERSION,
  kind: APP_KIND,
  plural: 'apps',
  namespaced: true,
  admit(object) {
    return parseApp(object);
  },
};
