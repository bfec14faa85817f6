/**
 * The simulated cluster's shape: one AgentSpec per agent (hostname, resources, attributes,
 * fault domain), read from a cluster file (YAML) or made by a generator. Specs are plain data;
 * the master turns them into registered agents. Every problem in a cluster file is reported
 * with its file, line and field path.
 *
 * Cluster file:
 * ```yaml
 * agents:
 *   - hostname: agent-1          # required, unique
 *     count: 3                   # optional: agent-1-1, agent-1-2, agent-1-3
 *     resources: { cpus: 8, mem: 32768, disk: 100000, gpus: 0, ports: "[31000-32000]" }
 *     attributes: { rack: r1, weight: 2.5, slots: "[1-8]", tags: "{a,b}" }
 *     domain: { region: eu, zone: eu-1 }
 * ```
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { MesetaError, ValidationError, type Where } from '../errors.ts';
import type { Attribute, DomainInfo } from '../mesos/types.ts';
import { mergeIntervals, type Interval } from '../mesos/ranges.ts';
import type { Pool } from './resources.ts';

export interface AgentSpec {
  hostname: string;
  port: number;
  resources: Pool;
  attributes: Attribute[];
  domain?: { region: string; zone: string };
}

export interface ClusterSpec {
  agents: AgentSpec[];
}

export const defaultAgentResources = {
  cpus: 8,
  mem: 32768,
  disk: 256000,
  gpus: 0,
  ports: [[31000, 32000]] as Interval[],
};

export interface GeneratorOptions {
  agents: number;
  /** Racks, spread round-robin; each agent gets attribute `rack: rack-N`. */
  racks?: number;
  /** Zones, spread round-robin over racks; agents get `domain.zone`. */
  zones?: number;
  regions?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  ports?: Interval;
}

/** A regular cluster: `agents` identical agents spread over racks, zones and regions. */
export function generateCluster(options: GeneratorOptions): ClusterSpec {
  const racks = Math.max(1, options.racks ?? 1);
  const zones = Math.max(1, options.zones ?? 1);
  const regions = Math.max(1, options.regions ?? 1);
  const width = String(options.agents).length;
  const agents: AgentSpec[] = [];
  for (let i = 0; i < options.agents; i++) {
    const rack = i % racks;
    const zone = rack % zones;
    const region = zone % regions;
    const resources: Pool = {
      scalars: {
        cpus: options.cpus ?? defaultAgentResources.cpus,
        mem: options.mem ?? defaultAgentResources.mem,
        disk: options.disk ?? defaultAgentResources.disk,
      },
      ranges: { ports: [options.ports ?? [31000, 32000]] },
      sets: {},
    };
    const gpus = options.gpus ?? 0;
    if (gpus > 0) resources.scalars.gpus = gpus;
    agents.push({
      hostname: `agent-${String(i + 1).padStart(width, '0')}`,
      port: 5051,
      resources,
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: `rack-${rack + 1}` } }],
      domain: { region: `region-${region + 1}`, zone: `zone-${zone + 1}` },
    });
  }
  return { agents };
}

/** Reads a cluster file; throws ValidationError listing every problem with its line. */
export function loadClusterFile(file: string): ClusterSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MesetaError('NotFound', `cannot read cluster file: ${(error as Error).message}`, {
      file,
    });
  }
  return parseClusterText(text, file);
}

export function parseClusterText(text: string, file = '<cluster>'): ClusterSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const problems: MesetaError[] = [];
  const where = (node: Node | null | undefined, path: string): Where => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file, path };
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, path };
  };
  const problem = (node: Node | null | undefined, path: string, message: string) =>
    problems.push(new MesetaError('Invalid', message, where(node, path)));

  for (const error of doc.errors) {
    problems.push(
      new MesetaError('Invalid', error.message.split('\n')[0]!, {
        file,
        line: error.linePos?.[0]?.line,
        column: error.linePos?.[0]?.col,
      }),
    );
  }
  if (problems.length > 0) throw new ValidationError(problems);

  const agentsNode = isMap(doc.contents) ? doc.contents.get('agents', true) : undefined;
  if (!isSeq(agentsNode)) {
    problem(doc.contents, 'agents', 'must be a list of agents');
    throw new ValidationError(problems);
  }
  const agents: AgentSpec[] = [];
  const hostnames = new Set<string>();
  agentsNode.items.forEach((item, index) => {
    const path = `agents[${index}]`;
    if (!isMap(item)) return void problem(item as Node, path, 'must be a mapping');
    const value = item.toJSON() as Record<string, unknown>;
    const known = new Set(['hostname', 'count', 'port', 'resources', 'attributes', 'domain']);
    for (const key of Object.keys(value)) {
      if (!known.has(key)) problem(item.get(key, true) as Node, `${path}.${key}`, 'unknown field');
    }
    const hostname = value.hostname;
    if (typeof hostname !== 'string' || hostname === '') {
      return void problem(item, `${path}.hostname`, 'is required (a non-empty string)');
    }
    const count = value.count ?? 1;
    if (!Number.isInteger(count) || (count as number) < 1) {
      problem(item.get('count', true) as Node, `${path}.count`, 'must be a positive integer');
    }
    const port = value.port ?? 5051;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      problem(item.get('port', true) as Node, `${path}.port`, 'must be a port number');
    }
    const resourcesNode = item.get('resources', true) as Node | undefined;
    const resources = parseResources(value.resources, (field, message) =>
      problem(resourcesNode ?? item, `${path}.resources${field}`, message),
    );
    const attributesNode = item.get('attributes', true) as Node | undefined;
    const attributes = parseAttributes(value.attributes, (field, message) =>
      problem(attributesNode ?? item, `${path}.attributes${field}`, message),
    );
    let domain: AgentSpec['domain'];
    if (value.domain !== undefined) {
      const d = value.domain as Record<string, unknown>;
      if (typeof d?.region !== 'string' || typeof d?.zone !== 'string') {
        problem(item.get('domain', true) as Node, `${path}.domain`, 'needs string region and zone');
      } else {
        domain = { region: d.region, zone: d.zone };
      }
    }
    const names =
      count === 1
        ? [hostname]
        : Array.from({ length: count as number }, (_, i) => `${hostname}-${i + 1}`);
    for (const name of names) {
      if (hostnames.has(name)) problem(item, `${path}.hostname`, `duplicate hostname ${name}`);
      hostnames.add(name);
      agents.push({ hostname: name, port: port as number, resources, attributes, domain });
    }
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return { agents };
}

type Report = (field: string, message: string) => void;

function parseResources(value: unknown, report: Report): Pool {
  const pool: Pool = {
    scalars: {
      cpus: defaultAgentResources.cpus,
      mem: defaultAgentResources.mem,
      disk: defaultAgentResources.disk,
    },
    ranges: { ports: defaultAgentResources.ports.map(([b, e]): Interval => [b, e]) },
    sets: {},
  };
  if (value === undefined) return pool;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report('', 'must be a mapping of resource name to amount');
    return pool;
  }
  for (const [name, amount] of Object.entries(value)) {
    if (typeof amount === 'number') {
      if (!(amount >= 0)) report(`.${name}`, 'must not be negative');
      else if (amount === 0) delete pool.scalars[name];
      else pool.scalars[name] = amount;
    } else if (typeof amount === 'string' && amount.trim().startsWith('[')) {
      const ranges = parseRanges(amount);
      if (!ranges) report(`.${name}`, `invalid ranges ${JSON.stringify(amount)} (want "[b-e, …]")`);
      else pool.ranges[name] = ranges;
    } else if (typeof amount === 'string' && amount.trim().startsWith('{')) {
      pool.sets[name] = parseSet(amount);
    } else {
      report(`.${name}`, 'must be a number, "[b-e, …]" ranges or a "{a,b}" set');
    }
  }
  return pool;
}

function parseAttributes(value: unknown, report: Report): Attribute[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report('', 'must be a mapping of attribute name to value');
    return [];
  }
  const out: Attribute[] = [];
  for (const [name, raw] of Object.entries(value)) {
    if (typeof raw === 'number') {
      out.push({ name, type: 'SCALAR', scalar: { value: raw } });
    } else if (typeof raw === 'string') {
      const text = raw.trim();
      if (text.startsWith('[')) {
        const ranges = parseRanges(text);
        if (!ranges) report(`.${name}`, `invalid ranges ${JSON.stringify(raw)}`);
        else {
          out.push({
            name,
            type: 'RANGES',
            ranges: { range: ranges.map(([b, e]) => ({ begin: String(b), end: String(e) })) },
          });
        }
      } else if (text.startsWith('{')) {
        out.push({ name, type: 'SET', set: { item: parseSet(text) } });
      } else {
        out.push({ name, type: 'TEXT', text: { value: raw } });
      }
    } else {
      report(`.${name}`, 'must be a string or a number');
    }
  }
  return out;
}

/** `[31000-32000, 33000-33010]` → intervals; undefined if malformed. */
export function parseRanges(text: string): Interval[] | undefined {
  const match = /^\[(.*)\]$/.exec(text.trim());
  if (!match) return undefined;
  const list: Interval[] = [];
  for (const part of match[1]!.split(',')) {
    const bounds = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (!bounds) return undefined;
    const begin = Number(bounds[1]);
    const end = Number(bounds[2]);
    if (begin > end) return undefined;
    list.push([begin, end]);
  }
  return mergeIntervals(list);
}

function parseSet(text: string): string[] {
  return text
    .trim()
    .replace(/^\{|\}$/g, '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function domainInfo(spec: AgentSpec): DomainInfo | undefined {
  if (!spec.domain) return undefined;
  return {
    fault_domain: { region: { name: spec.domain.region }, zone: { name: spec.domain.zone } },
  };
}
