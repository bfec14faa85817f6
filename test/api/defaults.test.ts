import { readdirSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultApp, parseApp, parseManifests, validateApp } from '../../src/api/index.ts';
import type { App } from '../../src/api/index.ts';

const minimal = {
  apiVersion: 'meseta.io/v1',
  kind: 'App',
  metadata: { name: 'web' },
  spec: { cmd: 'run' },
};

function examples(): { file: string; value: unknown }[] {
  const dir = new URL('../../manifests/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseManifests(readFileSync(new URL(f, dir), 'utf8'), f).documents.map((d) => ({
        file: f,
        value: d.value,
      })),
    );
}

describe('defaulting', () => {
  it("fills in Marathon's defaults for an app that gives none", () => {
    const app = defaultApp(minimal);
    expect(app.metadata.namespace).toBe('default');
    expect(app.spec).toEqual({
      cmd: 'run',
      instances: 1,
      cpus: 1,
      mem: 128,
      disk: 0,
      gpus: 0,
      requirePorts: false,
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
      backoffSeconds: 1,
      backoffFactor: 1.15,
      maxLaunchDelaySeconds: 300,
      killSelection: 'YOUNGEST_FIRST',
      unreachableStrategy: { disabled: false, inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
    });
  });

  it('fills in the defaults of health checks, readiness checks, ports and containers', () => {
    const app = defaultApp({
      ...minimal,
      spec: {
        cmd: 'run',
        portDefinitions: [{ name: 'http' }],
        healthChecks: [
          {},
          { protocol: 'COMMAND', command: { value: 'true' } },
          { protocol: 'MESOS_TCP', port: 80 },
        ],
        readinessChecks: [{ portName: 'http' }],
        upgradeStrategy: { minimumHealthCapacity: 0.5 },
        container: { docker: { image: 'nginx' }, portMappings: [{ name: 'http' }] },
        networks: [{ mode: 'container/bridge' }],
      },
    });
    const checkDefaults = {
      gracePeriodSeconds: 300,
      intervalSeconds: 60,
      timeoutSeconds: 20,
      maxConsecutiveFailures: 3,
      delaySeconds: 15,
    };
    expect(app.spec.healthChecks).toEqual([
      { protocol: 'MESOS_HTTP', portIndex: 0, ...checkDefaults },
      { protocol: 'COMMAND', command: { value: 'true' }, ...checkDefaults },
      { protocol: 'MESOS_TCP', port: 80, ...checkDefaults },
    ]);
    expect(app.spec.readinessChecks).toEqual([
      {
        name: 'readinessCheck',
        protocol: 'HTTP',
        path: '/',
        portName: 'http',
        intervalSeconds: 30,
        timeoutSeconds: 10,
        httpStatusCodesForReady: [200],
        preserveLastResponse: false,
      },
    ]);
    expect(app.spec.portDefinitions).toEqual([{ name: 'http', port: 0, protocol: 'tcp' }]);
    expect(app.spec.upgradeStrategy).toEqual({
      minimumHealthCapacity: 0.5,
      maximumOverCapacity: 1,
    });
    expect(app.spec.container).toEqual({
      type: 'DOCKER',
      docker: { image: 'nginx', forcePullImage: false, privileged: false },
      portMappings: [
        { name: 'http', containerPort: 0, servicePort: 0, protocol: 'tcp', hostPort: 0 },
      ],
    });
  });

  it('keeps what the user set, including falsy values', () => {
    const app = defaultApp({
      ...minimal,
      spec: {
        cmd: 'run',
        instances: 0,
        cpus: 0.1,
        requirePorts: true,
        unreachableStrategy: { expungeAfterSeconds: 0 },
      },
    });
    expect(app.spec.instances).toBe(0);
    expect(app.spec.cpus).toBe(0.1);
    expect(app.spec.requirePorts).toBe(true);
  });

  it('is pure: the input is not modified', () => {
    const input = structuredClone(minimal);
    defaultApp(input);
    expect(input).toEqual(minimal);
  });

  it.each(examples().map((e) => [e.file, e.value] as const))(
    'is idempotent and round-trips through YAML and JSON for %s',
    (file, value) => {
      const once = parseApp(value, { file });
      expect(defaultApp(once)).toEqual(once);
      // What the store holds (JSON) and what `get -o yaml` prints read back to the same App.
      const fromJson = parseApp(JSON.parse(JSON.stringify(once)) as unknown);
      expect(fromJson).toEqual(once);
      const fromYaml = parseManifests(stringify(once), 'roundtrip.yaml').documents[0]!.value;
      expect(parseApp(fromYaml)).toEqual(once);
      // A defaulted app is itself a valid manifest.
      expect(validateApp(once)).toEqual([]);
    },
  );

  it('returns the generated App type, with defaulted fields not optional', () => {
    const app: App = defaultApp(minimal);
    const capacity: number = app.spec.upgradeStrategy.minimumHealthCapacity;
    expect(capacity).toBe(1);
  });
});
