/** Small builders of Apps and Instances for the apps controller's tests. */
import type { AppSpec } from '../../../src/api/app-types.ts';
import { defaultApp } from '../../../src/api/app.ts';
import type { Instance, InstanceStatus } from '../../../src/api/instance.ts';
import type { StoredApp } from '../../../src/api/resources.ts';

export function app(name: string, spec: Partial<AppSpec> = {}, namespace = 'default'): StoredApp {
  return defaultApp({
    apiVersion: 'meseta.io/v1',
    kind: 'App',
    metadata: { name, namespace },
    spec: { cmd: 'sleep 1000', ...spec },
  }) as StoredApp;
}

/** An App as the store returns it (uid, generation, resourceVersion set). */
export function stored(object: StoredApp, uid = 'uid-1'): StoredApp {
  return {
    ...object,
    metadata: { ...object.metadata, uid, generation: 1, resourceVersion: '10' },
  };
}

export function instance(
  name: string,
  options: {
    app?: string;
    revision?: number;
    goal?: Instance['spec']['goal'];
    created?: string;
    status?: InstanceStatus;
    uid?: string;
  } = {},
): Instance {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: {
      name,
      namespace: 'default',
      resourceVersion: '5',
      creationTimestamp: options.created ?? '2026-01-01T00:00:00.000Z',
      ownerReferences: [
        {
          apiVersion: 'meseta.io/v1',
          kind: 'App',
          name: 'web',
          uid: options.uid ?? 'uid-1',
          controller: true,
        },
      ],
    },
    spec: {
      app: options.app ?? 'web',
      revision: options.revision ?? 1,
      goal: options.goal ?? 'running',
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

export const running: InstanceStatus = { taskId: 't', state: 'TASK_RUNNING' };
