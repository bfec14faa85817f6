import { describe, expect, it } from 'vitest';
import {
  needsOf,
  OfferedResources,
  roleOf,
  type Fit,
  type Misfit,
  type TaskNeeds,
} from '../../src/placement/resources.ts';
import { intervalsOf, mergeIntervals, subtractIntervals } from '../../src/mesos/ranges.ts';
import type { Resource } from '../../src/mesos/types.ts';

const scalar = (name: string, value: number, extra: Partial<Resource> = {}): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  ...extra,
});
const ports = (ranges: [number, number][], extra: Partial<Resource> = {}): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: ranges.map(([b, e]) => ({ begin: String(b), end: String(e) })) },
  ...extra,
});
const needs = (over: Partial<TaskNeeds> = {}): TaskNeeds => ({
  cpus: 1,
  mem: 128,
  disk: 0,
  gpus: 0,
  ports: [],
  ...over,
});
const reservedTo = (role: string, labels?: Record<string, string>): Partial<Resource> => ({
  reservations: [
    {
      type: 'DYNAMIC',
      role,
      ...(labels
        ? { labels: { labels: Object.entries(labels).map(([key, value]) => ({ key, value })) } }
        : {}),
    },
  ],
});

function fitted(result: Fit | Misfit): Fit {
  if (!result.ok) throw new Error(result.shortages.map((s) => s.message).join('; '));
  return result;
}
function misfit(result: Fit | Misfit): Misfit {
  if (result.ok) throw new Error('expected a misfit');
  return result;
}

describe('needsOf', () => {
  const base = { cpus: 0.5, mem: 64, disk: 10, gpus: 1, requirePorts: false };

  it('takes the scalars and one dynamic port per port definition', () => {
    const template = {
      ...base,
      portDefinitions: [
        { name: 'http', port: 8080, protocol: 'tcp' as const },
        { name: 'admin', port: 0, protocol: 'tcp' as const },
      ],
    };
    expect(needsOf(template)).toEqual({ cpus: 0.5, mem: 64, disk: 10, gpus: 1, ports: [0, 0] });
  });

  it('keeps the port numbers with requirePorts (0 stays dynamic)', () => {
    const template = {
      ...base,
      requirePorts: true,
      portDefinitions: [
        { name: 'http', port: 8080, protocol: 'tcp' as const },
        { name: 'admin', port: 0, protocol: 'tcp' as const },
      ],
    };
    expect(needsOf(template).ports).toEqual([8080, 0]);
  });

  it('uses the host ports of port mappings on a container network', () => {
    const template = {
      ...base,
      networks: [{ mode: 'container/bridge' as const }],
      container: {
        type: 'DOCKER' as const,
        portMappings: [
          { name: 'a', containerPort: 80, hostPort: 0, servicePort: 0, protocol: 'tcp' as const },
          { name: 'b', containerPort: 81, servicePort: 0, protocol: 'tcp' as const },
          {
            name: 'c',
            containerPort: 82,
            hostPort: 9000,
            servicePort: 0,
            protocol: 'tcp' as const,
          },
        ],
      },
    };
    expect(needsOf(template as never).ports).toEqual([0, 9000]);
  });

  it('needs no ports without definitions', () => {
    expect(needsOf(base).ports).toEqual([]);
  });
});

describe('OfferedResources.fit', () => {
  it('fits scalars and returns Mesos resources carrying the offered identity', () => {
    const view = OfferedResources.from([
      scalar('cpus', 4, { allocation_info: { role: 'web' } }),
      scalar('mem', 1024, { allocation_info: { role: 'web' } }),
    ]);
    const fit = fitted(view.fitTask(needs({ cpus: 1.5, mem: 256 }), 'web'));
    expect(fit.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 }, allocation_info: { role: 'web' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 256 }, allocation_info: { role: 'web' } },
    ]);
    expect(fit.ports).toEqual([]);
  });

  it('reports each shortage with what is needed and offered', () => {
    const view = OfferedResources.from([scalar('cpus', 1.5), scalar('mem', 100)]);
    const result = misfit(view.fitTask(needs({ cpus: 2, mem: 128, disk: 5 }), '*'));
    expect(result.shortages.map((s) => s.message)).toEqual([
      'cpus: need 2, offered 1.5',
      'mem: need 128, offered 100',
      'disk: need 5, offered 0',
    ]);
    expect(result.shortages[0]).toMatchObject({ resource: 'cpus', need: 2, offered: 1.5 });
  });

  it('splits a scalar over reserved and unreserved pieces, reserved first', () => {
    const view = OfferedResources.from([
      scalar('cpus', 1),
      scalar('cpus', 0.5, reservedTo('web')),
      scalar('mem', 512),
    ]);
    const fit = fitted(view.fitTask(needs({ cpus: 1.2, mem: 0 }), 'web'));
    expect(fit.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, ...reservedTo('web') },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.7 } },
    ]);
  });

  it('never uses resources reserved to or allocated to another role', () => {
    const view = OfferedResources.from([
      scalar('cpus', 4, reservedTo('db')),
      scalar('cpus', 4, { allocation_info: { role: 'db' } }),
      scalar('cpus', 0.5, { role: 'ops' }),
      scalar('mem', 512),
    ]);
    expect(misfit(view.fitTask(needs(), 'web')).shortages[0]!.message).toBe(
      'cpus: need 1, offered 0',
    );
    expect(view.available('cpus', 'db')).toBe(8);
    expect(view.available('cpus', 'ops')).toBe(0.5);
  });

  it('leaves labelled reservations, volumes, mount disks, revocable and shared resources alone', () => {
    const view = OfferedResources.from([
      scalar('cpus', 2, reservedTo('web', { owner: 'resident' })),
      scalar('cpus', 2, { revocable: {} }),
      scalar('mem', 512, { shared: {} }),
      scalar('disk', 100, { disk: { persistence: { id: 'v1' } } }),
      scalar('disk', 100, { disk: { source: { type: 'MOUNT', mount: { root: '/mnt' } } } }),
      scalar('disk', 30, { disk: { source: { type: 'PATH', path: { root: '/p' } } } }),
    ]);
    expect(view.available('cpus', 'web')).toBe(0);
    expect(view.available('mem', 'web')).toBe(0);
    expect(view.available('disk', 'web')).toBe(30);
  });

  it('reads every Mesos role format', () => {
    expect(roleOf(scalar('cpus', 1))).toBe('*');
    expect(roleOf(scalar('cpus', 1, { role: 'a' }))).toBe('a');
    expect(roleOf(scalar('cpus', 1, { reservation: { role: 'b' } }))).toBe('b');
    expect(roleOf(scalar('cpus', 1, { reservations: [{ role: 'a' }, { role: 'a/child' }] }))).toBe(
      'a/child',
    );
  });

  it('picks dynamic ports from the widest ranges first, sparing a lone port for who asks for it', () => {
    const offered = [
      scalar('cpus', 1),
      scalar('mem', 128),
      ports([
        [5432, 5432],
        [31000, 31002],
      ]),
    ];
    const two = fitted(OfferedResources.from(offered).fitTask(needs({ ports: [0, 0] }), '*'));
    expect(two.ports).toEqual([31000, 31001]);
    const four = fitted(
      OfferedResources.from(offered).fitTask(needs({ ports: [0, 0, 0, 0] }), '*'),
    );
    expect(four.ports).toEqual([31000, 31001, 31002, 5432]);
  });

  it('picks dynamic ports from the offered ranges, lowest first within a range', () => {
    const view = OfferedResources.from([
      scalar('cpus', 1),
      scalar('mem', 128),
      ports([
        [31005, 31005],
        [31000, 31001],
      ]),
    ]);
    const fit = fitted(view.fitTask(needs({ ports: [0, 0, 0] }), '*'));
    expect(fit.ports).toEqual([31000, 31001, 31005]);
    expect(fit.resources.at(-1)).toEqual(
      ports([
        [31000, 31001],
        [31005, 31005],
      ]),
    );
  });

  it('honours fixed ports and keeps them out of the dynamic choice', () => {
    const view = OfferedResources.from([
      scalar('cpus', 1),
      scalar('mem', 128),
      ports([[31000, 31002]]),
    ]);
    const fit = fitted(view.fitTask(needs({ ports: [0, 31000, 0] }), '*'));
    expect(fit.ports).toEqual([31001, 31000, 31002]);
  });

  it('says which fixed port is missing and how many dynamic ones are short', () => {
    const view = OfferedResources.from([
      scalar('cpus', 1),
      scalar('mem', 128),
      ports([[31000, 31001]]),
    ]);
    expect(misfit(view.fitTask(needs({ ports: [8080] }), '*')).shortages).toEqual([
      {
        resource: 'ports',
        need: 1,
        offered: 0,
        port: 8080,
        message: 'ports: need 8080, not offered',
      },
    ]);
    expect(
      misfit(view.fitTask(needs({ ports: [0, 0, 0] }), '*')).shortages.map((s) => s.message),
    ).toEqual(['ports: need 3, offered 2']);
    expect(
      misfit(view.fitTask(needs({ ports: [31000, 31000] }), '*')).shortages.map((s) => s.message),
    ).toEqual(['ports: need 31000, not offered']);
  });

  it('takes ports from reserved ranges with their reservation', () => {
    const view = OfferedResources.from([
      scalar('cpus', 1),
      scalar('mem', 128),
      ports([[31000, 31000]]),
      ports([[9000, 9000]], reservedTo('web')),
    ]);
    const fit = fitted(view.fitTask(needs({ ports: [0, 0] }), 'web'));
    expect(fit.ports).toEqual([9000, 31000]);
    expect(fit.resources.slice(2)).toEqual([
      ports([[9000, 9000]], reservedTo('web')),
      ports([[31000, 31000]]),
    ]);
  });

  it('sums offers of the same identity and ignores invalid values', () => {
    const view = OfferedResources.from([
      scalar('cpus', 1),
      scalar('cpus', 0.1),
      scalar('cpus', 0.2),
      scalar('cpus', Number.NaN),
      scalar('cpus', -3),
      ports([[5, 1]]),
      ports([[1, 2]]),
      ports([[3, 4]]),
    ]);
    expect(view.available('cpus', '*')).toBe(1.3);
    expect(view.availablePorts('*')).toBe(4);
  });
});

describe('OfferedResources.covers', () => {
  it('agrees with fit', () => {
    const view = OfferedResources.from([
      scalar('cpus', 2),
      scalar('mem', 256),
      ports([[31000, 31002]]),
    ]);
    const cases: TaskNeeds[] = [
      needs(),
      needs({ cpus: 2.001 }),
      needs({ mem: 256 }),
      needs({ ports: [0, 0, 0] }),
      needs({ ports: [0, 0, 0, 0] }),
      needs({ ports: [31001, 0, 0] }),
      needs({ ports: [31001, 31001] }),
      needs({ ports: [8080] }),
      needs({ gpus: 1 }),
    ];
    for (const task of cases) expect(view.covers(task, '*')).toBe(view.fitTask(task, '*').ok);
  });
});

describe('OfferedResources.take', () => {
  it('lets several tasks share one agent without over-commit or a port twice', () => {
    const view = OfferedResources.from([
      scalar('cpus', 2),
      scalar('mem', 1024),
      ports([[31000, 31002]]),
    ]);
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const result = view.fitTask(needs({ cpus: 0.6, mem: 100, ports: [0] }), '*');
      const fit = fitted(result);
      view.take(fit);
      for (const port of fit.ports) {
        expect(seen.has(port)).toBe(false);
        seen.add(port);
      }
    }
    expect(view.available('cpus', '*')).toBeCloseTo(0.2, 9);
    expect(view.available('mem', '*')).toBe(724);
    expect(
      misfit(view.fitTask(needs({ cpus: 0.1, mem: 1, ports: [0] }), '*')).shortages[0]!.message,
    ).toBe('ports: need 1, offered 0');
  });

  it('keeps thousandths exact over many takes', () => {
    const view = OfferedResources.from([scalar('cpus', 1), scalar('mem', 1000)]);
    for (let i = 0; i < 10; i++) view.take(fitted(view.fitTask(needs({ cpus: 0.1, mem: 1 }), '*')));
    expect(view.available('cpus', '*')).toBe(0);
    expect(view.fitTask(needs({ cpus: 0.001, mem: 1 }), '*').ok).toBe(false);
  });

  it('refuses a fit from another view or one whose resources went meanwhile', () => {
    const offered = [scalar('cpus', 1), scalar('mem', 128)];
    const a = OfferedResources.from(offered);
    const b = OfferedResources.from(offered);
    const fit = fitted(a.fitTask(needs(), '*'));
    expect(() => b.take(fit)).toThrow(/view that made it/);
    const other = fitted(a.fitTask(needs(), '*'));
    a.take(other);
    expect(() => a.take(fit)).toThrow(/taken meanwhile/);
  });

  it('subtract takes what a bound task holds, down to nothing', () => {
    const view = OfferedResources.from([scalar('cpus', 1), scalar('mem', 128), ports([[1, 3]])]);
    expect(view.subtract(needs({ cpus: 0.5, mem: 64, ports: [2] }), '*')).toBe(true);
    expect(view.subtract(needs({ cpus: 2, mem: 32, ports: [0, 0, 0] }), '*')).toBe(false);
    expect(view.available('cpus', '*')).toBe(0);
    expect(view.available('mem', '*')).toBe(32);
    expect(view.availablePorts('*')).toBe(0);
  });

  it('does not share state between the fitted resources and the view', () => {
    const view = OfferedResources.from([scalar('cpus', 2, reservedTo('web')), scalar('mem', 256)]);
    const fit = fitted(view.fitTask(needs(), 'web'));
    fit.resources[0]!.reservations![0]!.role = 'changed';
    expect(fitted(view.fitTask(needs(), 'web')).resources[0]!.reservations![0]!.role).toBe('web');
  });
});

describe('ranges', () => {
  it('merges, subtracts and builds intervals', () => {
    expect(
      mergeIntervals([
        [5, 6],
        [1, 3],
        [4, 4],
        [9, 10],
      ]),
    ).toEqual([
      [1, 6],
      [9, 10],
    ]);
    expect(subtractIntervals([[1, 10]], [[3, 4]])).toEqual([
      [1, 2],
      [5, 10],
    ]);
    expect(intervalsOf([7, 1, 2, 3])).toEqual([
      [1, 3],
      [7, 7],
    ]);
  });
});

describe('OfferedResources at scale', () => {
  it('fits a task with many ports in time linear in the ports', () => {
    const view = OfferedResources.from([
      scalar('cpus', 1000),
      scalar('mem', 1_000_000),
      ports([[1, 60_000]]),
    ]);
    let total = 0;
    for (let i = 0; i < 500; i++) {
      const fit = fitted(view.fitTask(needs({ cpus: 0.1, mem: 1, ports: [0, 0, 0, 0] }), '*'));
      view.take(fit);
      total += fit.ports.length;
    }
    expect(total).toBe(2000);
    expect(view.availablePorts('*')).toBe(58_000);
  });
});
