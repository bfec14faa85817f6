import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/api/app-types.ts';
import { appTemplate } from '../../../src/api/app-revision.ts';
import { defaultApp } from '../../../src/api/app.ts';
import { OfferPool, taskNeeds, type Fitted } from '../../../src/controllers/bridge/resource-fit.ts';
import type { Resource } from '../../../src/mesos/types.ts';

const alloc = { allocation_info: { role: 'apps' } };
const scalar = (name: string, value: number, extra: Partial<Resource> = {}): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  ...alloc,
  ...extra,
});
const ports = (begin: number, end: number, extra: Partial<Resource> = {}): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: [{ begin: String(begin), end: String(end) }] },
  ...alloc,
  ...extra,
});

function template(spec: Partial<AppSpec>) {
  return appTemplate(
    defaultApp({
      apiVersion: 'meseta.io/v1',
      kind: 'App',
      metadata: { name: 'web', namespace: 'default' },
      spec: { cmd: 'run', cpus: 1, mem: 128, ...spec },
    }).spec,
  );
}

function fitted(result: Fitted | { error: string }): Fitted {
  if ('error' in result) throw new Error(result.error);
  return result;
}

describe('taskNeeds', () => {
  it('asks for the positive scalars and one port per definition', () => {
    const needs = taskNeeds(
      template({
        cpus: 0.5,
        mem: 64,
        disk: 0,
        portDefinitions: [
          { name: 'a', port: 8080, protocol: 'tcp' },
          { name: 'b', port: 0, protocol: 'tcp' },
        ],
      }),
    );
    expect(needs.scalars).toEqual({ cpus: 0.5, mem: 64 });
    expect(needs.ports).toEqual([0, 0]); // without requirePorts, numbers are service ports
  });

  it('takes port numbers literally with requirePorts, and host ports of mappings', () => {
    expect(
      taskNeeds(
        template({
          requirePorts: true,
          portDefinitions: [
            { name: 'a', port: 8080, protocol: 'tcp' },
            { name: 'b', port: 0, protocol: 'tcp' },
          ],
        }),
      ).ports,
    ).toEqual([8080, 0]);
    const bridged = template({
      cmd: undefined,
      networks: [{ mode: 'container/bridge' }],
      container: {
        type: 'DOCKER',
        docker: { image: 'nginx', forcePullImage: false, privileged: false },
        portMappings: [
          { name: 'http', containerPort: 80, servicePort: 0, protocol: 'tcp' },
          { name: 'fixed', containerPort: 81, hostPort: 31500, servicePort: 0, protocol: 'tcp' },
        ],
      },
    });
    expect(taskNeeds(bridged).ports).toEqual([0, 31500]);
  });
});

describe('OfferPool', () => {
  it('takes scalars and ports, carrying the offer allocation info, and never a port twice', () => {
    const pool = new OfferPool(
      [scalar('cpus', 2), scalar('mem', 1024), ports(31000, 31002)],
      'apps',
    );
    const needs = { scalars: { cpus: 0.5, mem: 256 }, ports: [0, 0] };
    const first = fitted(pool.fit(needs));
    expect(first.ports).toEqual([31000, 31001]);
    expect(first.resources).toEqual([scalar('cpus', 0.5), scalar('mem', 256), ports(31000, 31001)]);
    expect(pool.fit(needs)).toEqual({ error: 'not enough ports: needs 2 free ports' });
    const second = fitted(pool.fit({ scalars: { cpus: 0.5 }, ports: [0] }));
    expect(second.ports).toEqual([31002]);
  });

  it('leaves the pool unchanged when a task does not fit', () => {
    const pool = new OfferPool([scalar('cpus', 1), scalar('mem', 100)], 'apps');
    expect(pool.fit({ scalars: { cpus: 0.5, mem: 200 }, ports: [] })).toEqual({
      error: 'not enough mem: needs 200, offered 100',
    });
    expect(fitted(pool.fit({ scalars: { cpus: 1, mem: 100 }, ports: [] })).resources).toHaveLength(
      2,
    );
  });

  it('gives required ports exactly, before dynamic ones can take them', () => {
    const pool = new OfferPool([ports(31000, 31001)], 'apps');
    const result = fitted(pool.fit({ scalars: {}, ports: [0, 31000] }));
    expect(result.ports).toEqual([31001, 31000]);
    expect(pool.fit({ scalars: {}, ports: [31000] })).toEqual({
      error: 'port 31000 is not offered',
    });
  });

  it('uses resources reserved for its role first, then unreserved ones, never another role', () => {
    const reserved = { reservations: [{ type: 'DYNAMIC' as const, role: 'apps' }] };
    const other = { reservations: [{ type: 'STATIC' as const, role: 'db' }] };
    const pool = new OfferPool(
      [
        scalar('cpus', 1, { role: '*' }),
        scalar('cpus', 0.5, reserved),
        scalar('cpus', 4, other),
        scalar('cpus', 8, { allocation_info: { role: 'batch' } }),
      ],
      'apps',
    );
    const result = fitted(pool.fit({ scalars: { cpus: 1 }, ports: [] }));
    expect(result.resources).toEqual([
      scalar('cpus', 0.5, reserved),
      scalar('cpus', 0.5, { role: '*' }),
    ]);
    expect(pool.fit({ scalars: { cpus: 1 }, ports: [] })).toEqual({
      error: 'not enough cpus: needs 1, offered 0.5',
    });
  });

  it('counts in thousandths, so many small tasks fill an agent exactly', () => {
    const pool = new OfferPool([scalar('cpus', 1)], 'apps');
    for (let i = 0; i < 10; i++) fitted(pool.fit({ scalars: { cpus: 0.1 }, ports: [] }));
    expect('error' in pool.fit({ scalars: { cpus: 0.001 }, ports: [] })).toBe(true);
  });

  it('ignores revocable resources and volumes', () => {
    const pool = new OfferPool(
      [
        scalar('cpus', 4, { revocable: {} }),
        scalar('disk', 100, { disk: { persistence: { id: 'v' } } as Resource['disk'] }),
      ],
      'apps',
    );
    expect('error' in pool.fit({ scalars: { cpus: 1 }, ports: [] })).toBe(true);
    expect('error' in pool.fit({ scalars: { disk: 1 }, ports: [] })).toBe(true);
  });
});
