/**
 * The table `get instances` prints: NAME, APP, REVISION, GOAL, STATE (the Mesos task state,
 * or Pending before a task exists), HEALTHY, HOST (the agent's hostname, else its id), AGE;
 * `-o wide` adds the task id, the host ports and the agent id. Also the cells `describe app`
 * reuses for its instances section.
 */
import type { Instance } from '../api/instance.ts';
import { humanAge } from './age.ts';
import type { TableOptions } from './app-output.ts';
import type { ObjectView } from './object-output.ts';

export const INSTANCE_RESOURCE = 'instance.meseta.io';

export function instanceState(instance: Instance): string {
  return instance.status?.state ?? 'Pending';
}

/** `true`/`false` as the last health check said; `-` when none has answered. */
export function instanceHealthy(instance: Instance): string {
  const healthy = instance.status?.healthy;
  return healthy === undefined ? '-' : String(healthy);
}

export function instanceHost(instance: Instance): string {
  const status = instance.status;
  return status?.hostname ?? status?.agentId ?? instance.spec.agentId ?? '<none>';
}

export function instancePorts(instance: Instance): string {
  const ports = instance.status?.ports ?? [];
  return ports.length > 0 ? ports.join(',') : '<none>';
}

export const instanceView: ObjectView<Instance> = {
  resource: INSTANCE_RESOURCE,
  listKind: 'InstanceList',
  headers: (options) => [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'APP',
    'REVISION',
    'GOAL',
    'STATE',
    'HEALTHY',
    'HOST',
    'AGE',
    ...(options.wide ? ['TASK ID', 'PORTS', 'AGENT'] : []),
  ],
  row: (instance: Instance, options: TableOptions) => [
    ...(options.allNamespaces ? [instance.metadata.namespace ?? ''] : []),
    instance.metadata.name,
    instance.spec.app,
    String(instance.spec.revision),
    instance.spec.goal,
    instanceState(instance),
    instanceHealthy(instance),
    instanceHost(instance),
    humanAge(instance.metadata.creationTimestamp, options.now),
    ...(options.wide
      ? [
          instance.status?.taskId ?? '<none>',
          instancePorts(instance),
          instance.status?.agentId ?? instance.spec.agentId ?? '<none>',
        ]
      : []),
  ],
};
