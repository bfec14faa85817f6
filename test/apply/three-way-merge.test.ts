import { describe, expect, it } from 'vitest';
import { canonical, threeWayMerge } from '../../src/apply/three-way-merge.ts';
import { listStrategy } from '../../src/apply/list-strategy.ts';
import { appSchema } from '../../src/api/crd.ts';

const spec = (fields: Record<string, unknown>) => ({ spec: fields });

describe('threeWayMerge', () => {
  const cases: {
    name: string;
    last: unknown;
    desired: unknown;
    live: unknown;
    merged: unknown;
  }[] = [
    {
      name: 'a field removed from the file is removed',
      last: spec({ cmd: 'run', cpus: 2 }),
      desired: spec({ cmd: 'run' }),
      live: spec({ cmd: 'run', cpus: 2, mem: 128 }),
      merged: spec({ cmd: 'run', mem: 128 }),
    },
    {
      name: 'a field nobody applied is kept',
      last: spec({ cmd: 'run' }),
      desired: spec({ cmd: 'run', cpus: 2 }),
      live: spec({ cmd: 'run', mem: 512, disk: 10 }),
      merged: spec({ cmd: 'run', mem: 512, disk: 10, cpus: 2 }),
    },
    {
      name: 'a field changed in the file takes the new value',
      last: spec({ instances: 2 }),
      desired: spec({ instances: 3 }),
      live: spec({ instances: 2 }),
      merged: spec({ instances: 3 }),
    },
    {
      name: 'without a last-applied configuration nothing is removed',
      last: undefined,
      desired: spec({ cmd: 'run' }),
      live: spec({ cmd: 'old', cpus: 4 }),
      merged: spec({ cmd: 'run', cpus: 4 }),
    },
    {
      name: 'labels merge key by key',
      last: { metadata: { labels: { team: 'a', tier: 'web' } } },
      desired: { metadata: { labels: { team: 'b' } } },
      live: {
        metadata: { name: 'web', uid: 'u1', labels: { team: 'a', tier: 'web', owner: 'x' } },
      },
      merged: { metadata: { name: 'web', uid: 'u1', labels: { team: 'b', owner: 'x' } } },
    },
    {
      name: 'a keyed list element removed from the file is removed, by key not index',
      last: spec({
        portDefinitions: [
          { name: 'http', port: 0 },
          { name: 'admin', port: 0 },
        ],
      }),
      desired: spec({ portDefinitions: [{ name: 'admin', port: 0 }] }),
      live: spec({
        portDefinitions: [
          { name: 'http', port: 0, protocol: 'tcp' },
          { name: 'admin', port: 0, protocol: 'tcp' },
        ],
      }),
      merged: spec({ portDefinitions: [{ name: 'admin', port: 0, protocol: 'tcp' }] }),
    },
    {
      name: 'a keyed list element another writer added is kept',
      last: spec({ portDefinitions: [{ name: 'http' }] }),
      desired: spec({ portDefinitions: [{ name: 'http', port: 8080 }] }),
      live: spec({ portDefinitions: [{ name: 'http' }, { name: 'metrics', port: 9100 }] }),
      merged: spec({
        portDefinitions: [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9100 },
        ],
      }),
    },
    {
      name: 'keyed elements merge field by field, keeping fields nobody applied',
      last: spec({
        container: { volumes: [{ containerPath: '/data', hostPath: '/a', mode: 'RO' }] },
      }),
      desired: spec({
        container: { volumes: [{ containerPath: '/data', hostPath: '/b', mode: 'RO' }] },
      }),
      live: spec({
        container: {
          type: 'MESOS',
          volumes: [{ containerPath: '/data', hostPath: '/a', mode: 'RO', extra: 1 }],
        },
      }),
      merged: spec({
        container: {
          type: 'MESOS',
          volumes: [{ containerPath: '/data', hostPath: '/b', mode: 'RO', extra: 1 }],
        },
      }),
    },
    {
      name: 'a defaulted key matches the element written without it',
      last: spec({ readinessChecks: [{ portName: 'http', path: '/a' }] }),
      desired: spec({ readinessChecks: [{ portName: 'http', path: '/b' }] }),
      live: spec({
        readinessChecks: [
          { name: 'readinessCheck', portName: 'http', path: '/a', protocol: 'HTTP' },
        ],
      }),
      merged: spec({
        readinessChecks: [
          { name: 'readinessCheck', portName: 'http', path: '/b', protocol: 'HTTP' },
        ],
      }),
    },
    {
      name: 'constraints merge by whole value: removed ones go, another writer’s stay',
      last: spec({
        constraints: [
          { field: 'hostname', operator: 'UNIQUE' },
          { field: 'rack', operator: 'GROUP_BY' },
        ],
      }),
      desired: spec({ constraints: [{ field: 'hostname', operator: 'UNIQUE' }] }),
      live: spec({
        constraints: [
          { operator: 'UNIQUE', field: 'hostname' },
          { field: 'rack', operator: 'GROUP_BY' },
          { field: 'zone', operator: 'IS', value: 'a' },
        ],
      }),
      merged: spec({
        constraints: [
          { field: 'hostname', operator: 'UNIQUE' },
          { field: 'zone', operator: 'IS', value: 'a' },
        ],
      }),
    },
    {
      name: 'a set of scalars merges by value',
      last: spec({ dependencies: ['db', 'cache'] }),
      desired: spec({ dependencies: ['db', 'queue'] }),
      live: spec({ dependencies: ['db', 'cache', 'auth'] }),
      merged: spec({ dependencies: ['db', 'queue', 'auth'] }),
    },
    {
      name: 'an atomic list is replaced whole',
      last: spec({ networks: [{ mode: 'host' }] }),
      desired: spec({ networks: [{ mode: 'container', name: 'dcos' }] }),
      live: spec({ networks: [{ mode: 'host' }] }),
      merged: spec({ networks: [{ mode: 'container', name: 'dcos' }] }),
    },
    {
      name: 'status and store-owned metadata are left alone',
      last: { metadata: { name: 'web' }, spec: { cmd: 'a' } },
      desired: { metadata: { name: 'web' }, spec: { cmd: 'b' } },
      live: {
        metadata: { name: 'web', resourceVersion: '7', generation: 2 },
        spec: { cmd: 'a' },
        status: { running: 1 },
      },
      merged: {
        metadata: { name: 'web', resourceVersion: '7', generation: 2 },
        spec: { cmd: 'b' },
        status: { running: 1 },
      },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { merged, conflicts } = threeWayMerge(c.last, c.desired, c.live);
      expect(merged).toEqual(c.merged);
      expect(conflicts).toEqual([]);
    });
  }

  it('reports a field the file sets that someone else changed since the last apply', () => {
    const { merged, conflicts } = threeWayMerge(
      spec({ instances: 3, cpus: 1 }),
      spec({ instances: 3, cpus: 1 }),
      spec({ instances: 5, cpus: 1 }),
    );
    expect(conflicts).toEqual([{ path: 'spec.instances', lastApplied: 3, live: 5, desired: 3 }]);
    // The merged object is the file's intent; the caller decides whether to force it.
    expect(merged).toEqual(spec({ instances: 3, cpus: 1 }));
  });

  it('names the element of a keyed list in a conflict', () => {
    const { conflicts } = threeWayMerge(
      spec({ portDefinitions: [{ name: 'a' }, { name: 'http', port: 80 }] }),
      spec({ portDefinitions: [{ name: 'a' }, { name: 'http', port: 80 }] }),
      spec({ portDefinitions: [{ name: 'http', port: 81 }, { name: 'a' }] }),
    );
    expect(conflicts.map((c) => c.path)).toEqual(['spec.portDefinitions[1].port']);
  });

  it('sees no conflict when someone else set the value the file now asks for', () => {
    const { conflicts } = threeWayMerge(
      spec({ instances: 3 }),
      spec({ instances: 5 }),
      spec({ instances: 5 }),
    );
    expect(conflicts).toEqual([]);
  });

  it('with the owned rule, reports fields another manager applied and still holds', () => {
    const theirs = spec({ instances: 3, cpus: 2 });
    const { conflicts } = threeWayMerge(
      theirs,
      spec({ instances: 5, cpus: 2, mem: 64 }),
      spec({ instances: 3, cpus: 4, mem: 128 }),
      { conflicts: 'owned' },
    );
    // instances: theirs and still live, the file changes it. cpus: no longer what they set.
    expect(conflicts).toEqual([{ path: 'spec.instances', lastApplied: 3, live: 3, desired: 5 }]);
  });

  it('does not modify its inputs', () => {
    const last = spec({ portDefinitions: [{ name: 'a' }] });
    const desired = spec({ portDefinitions: [{ name: 'b' }] });
    const live = spec({ portDefinitions: [{ name: 'a' }, { name: 'c' }] });
    const before = structuredClone([last, desired, live]);
    const { merged } = threeWayMerge(last, desired, live);
    (merged as { spec: { portDefinitions: unknown[] } }).spec.portDefinitions.push('x');
    expect([last, desired, live]).toEqual(before);
  });
});

describe('listStrategy', () => {
  it('reads keyed lists from the CRD and merges constraints as a set', () => {
    const specSchema = appSchema.properties!.spec!;
    const ports = specSchema.properties!.portDefinitions;
    expect(listStrategy(ports, ['spec', 'portDefinitions'])).toEqual({
      type: 'map',
      keys: ['name'],
    });
    expect(listStrategy(specSchema.properties!.constraints, ['spec', 'constraints'])).toEqual({
      type: 'set',
    });
    expect(listStrategy(specSchema.properties!.networks, ['spec', 'networks'])).toEqual({
      type: 'atomic',
    });
    expect(listStrategy(undefined, ['spec', 'x'])).toEqual({ type: 'atomic' });
  });
});

describe('canonical', () => {
  it('gives equal values equal text whatever their key order', () => {
    expect(canonical({ b: 1, a: { d: 2, c: 3 } })).toBe(canonical({ a: { c: 3, d: 2 }, b: 1 }));
  });
});
