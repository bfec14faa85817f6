import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import { generateCluster, loadClusterFile, parseClusterText } from '../../src/sim/cluster.ts';

describe('cluster generator', () => {
  it('spreads agents over racks, zones and regions with default resources', () => {
    const { agents } = generateCluster({ agents: 12, racks: 4, zones: 2, regions: 1 });
    expect(agents).toHaveLength(12);
    expect(agents[0]!.hostname).toBe('agent-01');
    expect(agents.map((a) => a.attributes[0]!.text!.value).slice(0, 5)).toEqual([
      'rack-1',
      'rack-2',
      'rack-3',
      'rack-4',
      'rack-1',
    ]);
    expect(agents.map((a) => a.domain!.zone).slice(0, 4)).toEqual([
      'zone-1',
      'zone-2',
      'zone-1',
      'zone-2',
    ]);
    expect(agents[0]!.resources).toEqual({
      scalars: { cpus: 8, mem: 32768, disk: 256000 },
      ranges: { ports: [[31000, 32000]] },
      sets: {},
    });
  });
});

describe('cluster file', () => {
  it('reads agents with resources, every attribute type, domains and counts', () => {
    const { agents } = parseClusterText(`
agents:
  - hostname: big
    count: 2
    resources: { cpus: 16, mem: 65536, gpus: 2, ports: "[31000-31009, 32000-32000]", disks: "{ssd,hdd}" }
    attributes: { rack: r1, weight: 2.5, slots: "[1-8]", tags: "{a, b}" }
    domain: { region: eu, zone: eu-1 }
  - hostname: small
`);
    expect(agents.map((a) => a.hostname)).toEqual(['big-1', 'big-2', 'small']);
    expect(agents[0]!.resources).toEqual({
      scalars: { cpus: 16, mem: 65536, disk: 256000, gpus: 2 },
      ranges: {
        ports: [
          [31000, 31009],
          [32000, 32000],
        ],
      },
      sets: { disks: ['ssd', 'hdd'] },
    });
    expect(agents[0]!.attributes).toEqual([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'weight', type: 'SCALAR', scalar: { value: 2.5 } },
      { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: '1', end: '8' }] } },
      { name: 'tags', type: 'SET', set: { item: ['a', 'b'] } },
    ]);
    expect(agents[0]!.domain).toEqual({ region: 'eu', zone: 'eu-1' });
    expect(agents[2]!.resources.scalars.cpus).toBe(8);
  });

  it('reports every problem with its file, line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-'));
    const file = join(dir, 'cluster.yaml');
    writeFileSync(
      file,
      [
        'agents:',
        '  - hostname: a',
        '    resources: { cpus: -1, ports: "[9-1]" }',
        '  - hostname: a',
        '    colour: blue',
        '  - count: 2',
      ].join('\n'),
    );
    let error: unknown;
    try {
      loadClusterFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const lines = (error as ValidationError).format().split('\n');
    expect(lines).toEqual([
      `${file}:3:16 agents[0].resources.cpus: must not be negative`,
      `${file}:3:16 agents[0].resources.ports: invalid ranges "[9-1]" (want "[b-e, …]")`,
      `${file}:5:13 agents[1].colour: unknown field`,
      `${file}:4:5 agents[1].hostname: duplicate hostname a`,
      `${file}:6:5 agents[2].hostname: is required (a non-empty string)`,
    ]);
  });

  it('rejects a file without an agents list and YAML syntax errors', () => {
    expect(() => parseClusterText('nodes: []', 'c.yaml')).toThrow(
      'c.yaml:1:1 agents: must be a list',
    );
    expect(() => parseClusterText('agents: [', 'c.yaml')).toThrow(ValidationError);
    expect(() => loadClusterFile('/nonexistent/cluster.yaml')).toThrow('cannot read cluster file');
  });
});
