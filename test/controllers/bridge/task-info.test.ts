import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/api/app-types.ts';
import { appTemplate } from '../../../src/api/app-revision.ts';
import { defaultApp } from '../../../src/api/app.ts';
import {
  buildTaskInfo,
  envName,
  portsByDefinition,
  type TaskInput,
} from '../../../src/controllers/bridge/task-info.ts';
import type { TaskInfo } from '../../../src/mesos/types.ts';

function input(spec: Partial<AppSpec>, ports: (number | undefined)[] = []): TaskInput {
  const app = defaultApp({
    apiVersion: 'meseta.io/v1',
    kind: 'App',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { cpus: 1, mem: 128, ...spec },
  });
  return {
    taskId: 'shop.web-2-0.abc123',
    namespace: 'shop',
    app: 'web',
    instance: 'web-2-0',
    revision: 2,
    template: appTemplate(app.spec),
    agentId: 'M-S1',
    hostname: 'agent-1',
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
    ports,
  };
}

const env = (task: TaskInfo) =>
  Object.fromEntries((task.command?.environment?.variables ?? []).map((v) => [v.name, v.value]));

describe('buildTaskInfo', () => {
  it('runs cmd through the shell, with ids, resources, labels and Marathon-style env', () => {
    const task = buildTaskInfo(
      input(
        {
          cmd: 'serve --port $PORT0',
          user: 'nobody',
          requirePorts: true,
          portDefinitions: [
            { name: 'http-api', port: 8080, protocol: 'tcp' },
            { name: 'metrics', port: 0, protocol: 'tcp' },
          ],
          env: { PORT: 'override', MODE: 'prod' },
          labels: { HAPROXY_GROUP: 'external', 'meseta.io/app': 'spoofed' },
        },
        [8080, 31001],
      ),
    );
    expect(task.name).toBe('web');
    expect(task.task_id).toEqual({ value: 'shop.web-2-0.abc123' });
    expect(task.agent_id).toEqual({ value: 'M-S1' });
    expect(task.resources).toEqual([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }]);
    expect(task.command).toMatchObject({
      shell: true,
      value: 'serve --port $PORT0',
      user: 'nobody',
    });
    expect(task.container).toBeUndefined();
    expect(env(task)).toEqual({
      PORT0: '8080',
      PORT1: '31001',
      PORT: 'override', // the App's own variables win
      PORTS: '8080,31001',
      PORT_HTTP_API: '8080',
      PORT_8080: '8080',
      PORT_METRICS: '31001',
      HOST: 'agent-1',
      MESOS_TASK_ID: 'shop.web-2-0.abc123',
      MESETA_NAMESPACE: 'shop',
      MESETA_APP: 'web',
      MESETA_INSTANCE: 'web-2-0',
      MESETA_APP_REVISION: '2',
      MESETA_APP_LABELS: 'HAPROXY_GROUP MESETA_IO_APP',
      MESETA_APP_LABEL_HAPROXY_GROUP: 'external',
      MESETA_APP_LABEL_MESETA_IO_APP: 'spoofed',
      MODE: 'prod',
    });
    expect(task.labels?.labels).toEqual([
      { key: 'HAPROXY_GROUP', value: 'external' },
      { key: 'meseta.io/app', value: 'web' }, // meseta's own labels cannot be overridden
      { key: 'meseta.io/namespace', value: 'shop' },
      { key: 'meseta.io/instance', value: 'web-2-0' },
      { key: 'meseta.io/revision', value: '2' },
    ]);
    expect(task.discovery).toEqual({
      visibility: 'FRAMEWORK',
      name: 'web',
      ports: {
        ports: [
          { number: 8080, name: 'http-api', protocol: 'tcp' },
          { number: 31001, name: 'metrics', protocol: 'tcp' },
        ],
      },
    });
    expect(task.health_check).toBeUndefined();
    expect(task.kill_policy).toBeUndefined();
  });

  it('runs args without a shell, as the executable and its arguments', () => {
    const task = buildTaskInfo(input({ args: ['/bin/server', '-v'] }));
    expect(task.command).toMatchObject({
      shell: false,
      value: '/bin/server',
      arguments: ['/bin/server', '-v'],
    });
  });

  it('builds a Docker container on a bridge network with port mappings', () => {
    const task = buildTaskInfo(
      input(
        {
          args: ['--listen', '80'],
          networks: [{ mode: 'container/bridge' }],
          container: {
            type: 'DOCKER',
            docker: {
              image: 'nginx:1.27',
              forcePullImage: true,
              privileged: false,
              parameters: [{ key: 'log-driver', value: 'journald' }],
            },
            portMappings: [
              { name: 'http', containerPort: 80, servicePort: 10000, protocol: 'udp,tcp' },
              { name: 'same', containerPort: 0, servicePort: 0, protocol: 'tcp' },
            ],
            volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RW' }],
          },
          healthChecks: [
            {
              protocol: 'MESOS_TCP',
              portIndex: 0,
              gracePeriodSeconds: 300,
              intervalSeconds: 60,
              timeoutSeconds: 20,
              maxConsecutiveFailures: 0,
              delaySeconds: 15,
            },
          ],
        },
        [31005, 31006],
      ),
    );
    expect(task.command).toMatchObject({ shell: false, arguments: ['--listen', '80'] });
    expect(task.command?.value).toBeUndefined();
    expect(task.container).toEqual({
      type: 'DOCKER',
      volumes: [{ mode: 'RW', container_path: '/data', host_path: '/srv/data' }],
      docker: {
        image: 'nginx:1.27',
        network: 'BRIDGE',
        port_mappings: [
          { host_port: 31005, container_port: 80, protocol: 'tcp' },
          { host_port: 31005, container_port: 80, protocol: 'udp' },
          { host_port: 31006, container_port: 31006, protocol: 'tcp' },
        ],
        parameters: [{ key: 'log-driver', value: 'journald' }],
        force_pull_image: true,
      },
    });
    // On a container network the check probes the container's port; 0 failures means never kill.
    expect(task.health_check).toEqual({
      type: 'TCP',
      tcp: { port: 80 },
      delay_seconds: 15,
      interval_seconds: 60,
      timeout_seconds: 20,
      grace_period_seconds: 300,
      consecutive_failures: 4294967295,
    });
    expect(env(task)).toMatchObject({ PORT0: '31005', PORT_HTTP: '31005', PORT_SAME: '31006' });
  });

  it('runs a Docker image with the Mesos containerizer on a named network', () => {
    const task = buildTaskInfo(
      input(
        {
          cmd: 'run',
          networks: [{ mode: 'container', name: 'overlay' }],
          container: {
            type: 'MESOS',
            docker: { image: 'busybox', forcePullImage: false, privileged: false },
            portMappings: [{ name: 'p', containerPort: 8080, servicePort: 0, protocol: 'tcp' }],
          },
          healthChecks: [
            {
              protocol: 'COMMAND',
              command: { value: 'test -f /ready' },
              gracePeriodSeconds: 10,
              intervalSeconds: 5,
              timeoutSeconds: 2,
              maxConsecutiveFailures: 3,
              delaySeconds: 1,
            },
          ],
          taskKillGracePeriodSeconds: 2.5,
        },
        [undefined],
      ),
    );
    expect(task.container).toEqual({
      type: 'MESOS',
      mesos: { image: { type: 'DOCKER', docker: { name: 'busybox' } } },
      network_infos: [{ name: 'overlay' }],
    });
    expect(task.health_check).toMatchObject({
      type: 'COMMAND',
      command: { shell: true, value: 'test -f /ready' },
      consecutive_failures: 3,
    });
    expect(task.kill_policy).toEqual({ grace_period: { nanoseconds: '2500000000' } });
    // No host port: no PORTn, but discovery still names the container port.
    expect(env(task).PORT0).toBeUndefined();
    expect(task.discovery?.ports?.ports).toEqual([{ number: 8080, name: 'p', protocol: 'tcp' }]);
  });

  it('maps an HTTPS check with a fixed port', () => {
    const task = buildTaskInfo(
      input(
        {
          cmd: 'run',
          portDefinitions: [{ name: 'a', port: 0, protocol: 'tcp' }],
          healthChecks: [
            {
              protocol: 'MESOS_HTTPS',
              port: 8443,
              gracePeriodSeconds: 300,
              intervalSeconds: 60,
              timeoutSeconds: 20,
              maxConsecutiveFailures: 3,
              delaySeconds: 15,
            },
          ],
        },
        [31000],
      ),
    );
    expect(task.health_check?.http).toEqual({ scheme: 'https', port: 8443, path: '/' });
  });

  it('is pure: the same input gives the same TaskInfo', () => {
    const spec = { cmd: 'x', portDefinitions: [{ name: 'a', port: 0, protocol: 'tcp' as const }] };
    expect(buildTaskInfo(input(spec, [31000]))).toEqual(buildTaskInfo(input(spec, [31000])));
  });

  it('names variables in upper case with underscores', () => {
    expect(envName('http-api')).toBe('HTTP_API');
    expect(envName('a.b/c')).toBe('A_B_C');
  });

  it('spreads fitted host ports over definitions, and over mappings that have a host port', () => {
    const host = input({
      cmd: 'x',
      portDefinitions: [
        { name: 'a', port: 0, protocol: 'tcp' },
        { name: 'b', port: 0, protocol: 'tcp' },
      ],
    }).template;
    expect(portsByDefinition(host, [31000, 31001])).toEqual([31000, 31001]);
    const named = input({
      cmd: 'x',
      networks: [{ mode: 'container', name: 'overlay' }],
      container: {
        type: 'MESOS',
        portMappings: [
          { name: 'internal', containerPort: 80, servicePort: 0, protocol: 'tcp' },
          { name: 'public', containerPort: 443, hostPort: 0, servicePort: 0, protocol: 'tcp' },
        ],
      },
    }).template;
    expect(portsByDefinition(named, [31007])).toEqual([undefined, 31007]);
  });
});
