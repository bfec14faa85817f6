import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { appCrdUrl, appSchema } from '../../src/api/crd.ts';
import type { OpenApiSchema } from '../../src/api/crd.ts';

const crd = parse(readFileSync(appCrdUrl, 'utf8')) as {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: Record<string, unknown>;
    }[];
  };
};

/** Every schema node with its path, e.g. `spec.healthChecks[].protocol`. */
function nodes(schema: OpenApiSchema, path = ''): [string, OpenApiSchema][] {
  const out: [string, OpenApiSchema][] = [[path, schema]];
  for (const [key, sub] of Object.entries(schema.properties ?? {}))
    out.push(...nodes(sub, path ? `${path}.${key}` : key));
  if (schema.items) out.push(...nodes(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object')
    out.push(...nodes(schema.additionalProperties, `${path}{}`));
  return out;
}

describe('the App CRD', () => {
  it('defines apps.meseta.io, version v1, kind App, namespaced, with status and scale subresources', () => {
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.kind).toBe('CustomResourceDefinition');
    expect(crd.metadata.name).toBe('apps.meseta.io');
    expect(crd.spec).toMatchObject({
      group: 'meseta.io',
      scope: 'Namespaced',
      names: { kind: 'App', plural: 'apps' },
    });
    const [version] = crd.spec.versions;
    expect(version).toMatchObject({ name: 'v1', served: true, storage: true });
    expect(Object.keys(version!.subresources)).toEqual(['status', 'scale']);
  });

  it('is a structural schema: every node has a type, no node mixes properties with additionalProperties', () => {
    for (const [path, node] of nodes(appSchema)) {
      expect(node.type, path).toBeDefined();
      expect(node.properties && node.additionalProperties !== undefined, path).toBeFalsy();
    }
  });

  it('describes every field', () => {
    const undescribed = nodes(appSchema).filter(
      ([path, node]) => path && !path.endsWith('[]') && !path.endsWith('{}') && !node.description,
    );
    expect(undescribed.map(([path]) => path)).toEqual([]);
  });

  it('keys every map list on fields that are required or defaulted', () => {
    const maps = nodes(appSchema).filter(([, node]) => node['x-kubernetes-list-type'] === 'map');
    expect(maps.map(([path]) => path)).toEqual([
      'spec.container.portMappings',
      'spec.container.volumes',
      'spec.portDefinitions',
      'spec.readinessChecks',
      'status.conditions',
    ]);
    for (const [path, node] of maps) {
      const keys = node['x-kubernetes-list-map-keys'] ?? [];
      expect(keys.length, path).toBeGreaterThan(0);
      for (const key of keys) {
        const item = node.items!;
        expect(
          item.required?.includes(key) || item.properties?.[key]?.default !== undefined,
          `${path} ${key}`,
        ).toBe(true);
      }
    }
  });

  it("carries every field of REFERENCE.md's App table with Marathon's default and range", () => {
    const spec = appSchema.properties!.spec!.properties!;
    const expected: Record<string, Partial<OpenApiSchema>> = {
      instances: { default: 1, minimum: 0 },
      cpus: { default: 1, minimum: 0.001 },
      mem: { default: 128, minimum: 0 },
      disk: { default: 0, minimum: 0 },
      gpus: { default: 0, minimum: 0 },
      backoffSeconds: { default: 1, minimum: 0 },
      backoffFactor: { default: 1.15, minimum: 1 },
      maxLaunchDelaySeconds: { default: 300, minimum: 0 },
      killSelection: { default: 'YOUNGEST_FIRST', enum: ['YOUNGEST_FIRST', 'OLDEST_FIRST'] },
      requirePorts: { default: false },
    };
    for (const [field, facts] of Object.entries(expected))
      expect(spec[field], field).toMatchObject(facts);
    for (const field of [
      'cmd',
      'args',
      'container',
      'portDefinitions',
      'env',
      'labels',
      'constraints',
      'healthChecks',
      'readinessChecks',
      'taskKillGracePeriodSeconds',
      'dependencies',
      'user',
      'networks',
    ]) {
      expect(spec[field], field).toBeDefined();
    }
    expect(spec.upgradeStrategy!.properties).toMatchObject({
      minimumHealthCapacity: { default: 1, minimum: 0, maximum: 1 },
      maximumOverCapacity: { default: 1, minimum: 0, maximum: 1 },
    });
    expect(spec.unreachableStrategy!.properties).toMatchObject({
      inactiveAfterSeconds: { default: 0 },
      expungeAfterSeconds: { default: 0 },
      disabled: { default: false },
    });
    expect(spec.healthChecks!.items!.properties).toMatchObject({
      protocol: { enum: ['MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP', 'COMMAND'] },
      gracePeriodSeconds: { default: 300 },
      intervalSeconds: { default: 60 },
      timeoutSeconds: { default: 20 },
      maxConsecutiveFailures: { default: 3 },
      delaySeconds: { default: 15 },
    });
    expect(spec.readinessChecks!.items!.properties).toMatchObject({
      path: { default: '/' },
      intervalSeconds: { default: 30 },
      timeoutSeconds: { default: 10 },
      httpStatusCodesForReady: { default: [200] },
    });
    expect(spec.constraints!.items!.properties!.operator!.enum).toEqual([
      'UNIQUE',
      'CLUSTER',
      'GROUP_BY',
      'MAX_PER',
      'LIKE',
      'UNLIKE',
      'IS',
    ]);
  });

  it('has the status controllers write: observedGeneration, conditions, instance counts, revisions', () => {
    const status = appSchema.properties!.status!.properties!;
    expect(Object.keys(status)).toEqual([
      'observedGeneration',
      'conditions',
      'instances',
      'staged',
      'running',
      'healthy',
      'ready',
      'updated',
      'currentRevision',
      'targetRevision',
    ]);
    expect(status.conditions!.items!.required).toEqual(['type', 'status', 'lastTransitionTime']);
    expect(status.conditions!.items!.properties!.status!.enum).toEqual([
      'True',
      'False',
      'Unknown',
    ]);
  });
});
