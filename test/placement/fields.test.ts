import { describe, expect, it } from 'vitest';
import {
  canonicalField,
  fieldKind,
  fieldValue,
  renderAttribute,
  renderScalar,
} from '../../src/placement/fields.ts';
import type { Attribute } from '../../src/mesos/types.ts';

describe('renderAttribute (as Marathon renders attribute values)', () => {
  it.each<[string, Attribute, string]>([
    ['text as is', { name: 'rack', type: 'TEXT', text: { value: 'rack-1' } }, 'rack-1'],
    ['a whole scalar without decimals', { name: 'n', type: 'SCALAR', scalar: { value: 2 } }, '2'],
    [
      'a scalar without trailing zeros',
      { name: 'n', type: 'SCALAR', scalar: { value: 0.8 } },
      '0.8',
    ],
    [
      'a scalar to three decimals',
      { name: 'n', type: 'SCALAR', scalar: { value: 1.23456 } },
      '1.235',
    ],
    [
      'a large scalar with grouping',
      { name: 'n', type: 'SCALAR', scalar: { value: 1234.5 } },
      '1,234.5',
    ],
    [
      'ranges sorted by begin',
      {
        name: 'r',
        type: 'RANGES',
        ranges: {
          range: [
            { begin: '7', end: '9' },
            { begin: '1', end: '5' },
          ],
        },
      },
      '[1-5,7-9]',
    ],
    ['sets sorted', { name: 's', type: 'SET', set: { item: ['b', 'c', 'a'] } }, '{a,b,c}'],
    ['an empty set', { name: 's', type: 'SET', set: {} }, '{}'],
  ])('renders %s', (_, attribute, expected) => {
    expect(renderAttribute(attribute)).toBe(expected);
  });

  it('rounds half to even like Java', () => {
    expect(renderScalar(0.0625)).toBe('0.062');
    expect(renderScalar(0.1875)).toBe('0.188');
  });
});

describe('fieldValue', () => {
  const agent = {
    hostname: 'agent-1',
    region: 'eu',
    zone: 'eu-1a',
    attributes: [
      { name: 'rack', type: 'TEXT' as const, text: { value: 'r1' } },
      { name: 'rack', type: 'TEXT' as const, text: { value: 'second' } },
    ],
  };

  it.each([
    ['hostname', 'agent-1'],
    ['@hostname', 'agent-1'],
    ['@region', 'eu'],
    ['@zone', 'eu-1a'],
    ['rack', 'r1'],
    ['missing', undefined],
  ])('%s → %s', (field, expected) => {
    expect(fieldValue(agent, field)).toBe(expected);
  });

  it('has no region or zone without a fault domain', () => {
    expect(fieldValue({ hostname: 'h' }, '@region')).toBeUndefined();
    expect(fieldValue({ hostname: 'h' }, '@zone')).toBeUndefined();
  });

  it('treats hostname and @hostname as one field', () => {
    expect(canonicalField('@hostname')).toBe('hostname');
    expect(canonicalField('@zone')).toBe('@zone');
    expect(fieldKind('region')).toBe('attribute');
  });
});
