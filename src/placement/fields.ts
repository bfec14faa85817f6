/**
 * What a constraint compares: an agent's value of a field, as a string. `hostname` and
 * `@hostname` are the agent's hostname, `@region` and `@zone` its fault domain, any other field
 * the agent attribute of that name, rendered the way Marathon renders attributes so that
 * constraint values written for Marathon keep matching: scalars with at most three decimals, no
 * trailing zeros and en-US digit grouping (`0.8`, `2`, `1,024`), text as is, ranges as `[1-5,7-9]` sorted by begin, sets as
 * `{a,b}` sorted. `undefined` means the agent has no such value.
 */
import type { Agent } from '../api/agent.ts';
import type { Attribute } from '../mesos/types.ts';

/** The parts of an agent that constraints look at. */
export interface AgentFacts {
  hostname: string;
  region?: string | undefined;
  zone?: string | undefined;
  attributes?: readonly Attribute[] | undefined;
}

/** The facts of a published Agent (its id stands in for a hostname not known yet). */
export function agentFacts(agent: Agent): AgentFacts {
  const status = agent.status;
  return {
    hostname: status?.hostname ?? status?.agentId ?? agent.metadata.name,
    region: status?.domain?.region,
    zone: status?.domain?.zone,
    attributes: status?.attributes,
  };
}

export type FieldKind = 'hostname' | 'region' | 'zone' | 'attribute';

/** What kind of field a constraint names. */
export function fieldKind(field: string): FieldKind {
  if (field === 'hostname' || field === '@hostname') return 'hostname';
  if (field === '@region') return 'region';
  if (field === '@zone') return 'zone';
  return 'attribute';
}

/** The canonical name of a field: `@hostname` and `hostname` are one field. */
export function canonicalField(field: string): string {
  return fieldKind(field) === 'hostname' ? 'hostname' : field;
}

/** The agent's value of `field`, rendered as a string; `undefined` when it has none. */
export function fieldValue(agent: AgentFacts, field: string): string | undefined {
  switch (fieldKind(field)) {
    case 'hostname':
      return agent.hostname;
    case 'region':
      return agent.region;
    case 'zone':
      return agent.zone;
    default: {
      // Mesos allows repeated names; Marathon looks at the first.
      const attribute = agent.attributes?.find((a) => a.name === field);
      return attribute ? renderAttribute(attribute) : undefined;
    }
  }
}

/** An attribute's value as Marathon renders it for constraints. */
export function renderAttribute(attribute: Attribute): string {
  switch (attribute.type) {
    case 'SCALAR':
      return renderScalar(attribute.scalar?.value ?? 0);
    case 'RANGES': {
      const ranges = [...(attribute.ranges?.range ?? [])]
        .map((r) => [Number(r.begin), Number(r.end)] as const)
        .sort((a, b) => a[0] - b[0]);
      return `[${ranges.map(([b, e]) => `${b}-${e}`).join(',')}]`;
    }
    case 'SET':
      return `{${[...(attribute.set?.item ?? [])].sort().join(',')}}`;
    default:
      return attribute.text?.value ?? '';
  }
}

// Marathon formats with Java's NumberFormat.getInstance() in the JVM's default locale, en-US on
// practically every Mesos cluster: half-even rounding, at most three decimals, digit grouping.
const scalarFormat = new Intl.NumberFormat('en-US', {
  maximumFractionDigits: 3,
  roundingMode: 'halfEven',
} as Intl.NumberFormatOptions);

/** As Marathon renders a scalar attribute: 0.8, 2, 1,234.5. */
export function renderScalar(value: number): string {
  return scalarFormat.format(value);
}
