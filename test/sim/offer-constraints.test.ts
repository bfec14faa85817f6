import { describe, expect, it } from 'vitest';
import type { AttributeConstraint, OfferConstraints } from '../../src/mesos/scheduler-types.ts';
import { compileOfferConstraints, type ConstrainedAgent } from '../../src/sim/offer-constraints.ts';
import { frameworkInfo, RecordingSubscriber, startMaster } from './harness.ts';

const agent: ConstrainedAgent = {
  hostname: 'agent-1',
  region: 'eu',
  zone: 'eu-1',
  attributes: [
    { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
    { name: 'weight', type: 'SCALAR', scalar: { value: 2 } },
  ],
};

const only = (...groups: AttributeConstraint[][]): OfferConstraints => ({
  role_constraints: { '*': { groups: groups.map((g) => ({ attribute_constraints: g })) } },
});
const on = (name: string, predicate: AttributeConstraint['predicate']): AttributeConstraint => ({
  selector: { attribute_name: name },
  predicate,
});
const pseudo = (
  type: 'HOSTNAME' | 'REGION' | 'ZONE',
  predicate: AttributeConstraint['predicate'],
): AttributeConstraint => ({ selector: { pseudoattribute_type: type }, predicate });

function matches(constraints: OfferConstraints): boolean {
  const filter = compileOfferConstraints(constraints, ['*']);
  if (typeof filter === 'string') throw new Error(filter);
  return filter.get('*')!(agent);
}

describe('offer constraints', () => {
  it.each([
    [[on('rack', { exists: {} })], true],
    [[on('gpu', { exists: {} })], false],
    [[on('gpu', { not_exists: {} })], true],
    [[on('rack', { text_equals: { value: 'r1' } })], true],
    [[on('rack', { text_equals: { value: 'r2' } })], false],
    [[on('rack', { text_not_equals: { value: 'r1' } })], false],
    [[on('missing', { text_not_equals: { value: 'r1' } })], true],
    [[on('weight', { text_equals: { value: 'anything' } })], true],
    [[on('rack', { text_matches: { regex: 'r[0-9]' } })], true],
    [[on('rack', { text_matches: { regex: 'r' } })], false],
    [[on('rack', { text_not_matches: { regex: 'r.*' } })], false],
    [[pseudo('HOSTNAME', { text_equals: { value: 'agent-1' } })], true],
    [[pseudo('REGION', { text_equals: { value: 'us' } })], false],
    [[pseudo('ZONE', { text_matches: { regex: 'eu-.*' } })], true],
    [[on('rack', { exists: {} }), pseudo('REGION', { text_equals: { value: 'us' } })], false],
  ])('%j → %s', (group, expected) => {
    expect(matches(only(group))).toBe(expected);
  });

  it('needs one whole group to hold', () => {
    const fails = [pseudo('REGION', { text_equals: { value: 'us' } })];
    const holds = [on('rack', { exists: {} })];
    expect(matches(only(fails, holds))).toBe(true);
    expect(matches(only(fails))).toBe(false);
  });

  it('rejects invalid constraints with Mesos texts', () => {
    expect(compileOfferConstraints({ role_constraints: { web: { groups: [] } } }, ['*'])).toBe(
      "Offer constraints specify `role_constraints` for a role 'web'not contained in the set of roles",
    );
    expect(compileOfferConstraints({ role_constraints: { '*': { groups: [] } } }, ['*'])).toBe(
      "Offer constraints are not valid: 'OfferConstraints::role_constraints' has an empty 'RoleConstraints::groups' for role *",
    );
    expect(
      compileOfferConstraints(only([on('rack', { text_matches: { regex: '(' } })]), ['*']),
    ).toMatch(
      /^Offer constraints are not valid: A role \* has an invalid 'AttributeConstraint': Failed to construct regex from pattern '\('/,
    );
    expect(
      compileOfferConstraints(only([{ selector: {}, predicate: { exists: {} } }]), ['*']),
    ).toContain("Exactly one of 'AttributeConstraint::Selector::name' or");
  });

  it('limits the offers a framework gets, and refuses bad constraints at SUBSCRIBE', () => {
    const { master, clock } = startMaster(4);
    const stream = new RecordingSubscriber();
    master.subscribe(
      {
        framework_info: frameworkInfo(),
        offer_constraints: only([on('rack', { text_equals: { value: 'rack-2' } })]),
      },
      stream,
    );
    clock.advance(0);
    expect(stream.offers().map((o) => o.hostname)).toEqual(['agent-2', 'agent-4']);
    const refused = new RecordingSubscriber();
    master.subscribe(
      {
        framework_info: frameworkInfo(),
        offer_constraints: { role_constraints: { '*': { groups: [] } } },
      },
      refused,
    );
    expect(refused.events[0]!.type).toBe('ERROR');
    expect(refused.closed).toBe(true);
  });
});
