/**
 * `Subscribe.offer_constraints` (Mesos 1.11+, src/master/allocator/mesos/
 * offer_constraints_filter.cpp): per role, groups of attribute constraints; an agent is offered
 * to the role only if every constraint of at least one group holds. Selectors pick the agent's
 * hostname, region or zone, or its first attribute of a name; text predicates hold for any
 * existing non-TEXT attribute, as in Mesos. Regular expressions must match the whole value
 * (JavaScript syntax stands in for RE2's).
 */
import type { Attribute } from '../mesos/types.ts';
import type { OfferConstraints } from '../mesos/scheduler-types.ts';

/** What a constraint can look at. */
export interface ConstrainedAgent {
  hostname: string;
  region?: string;
  zone?: string;
  attributes: readonly Attribute[];
}

type Value = undefined | string | Attribute;
type Check = (value: Value) => boolean;
type Evaluator = (agent: ConstrainedAgent) => boolean;

/** role → evaluator; an agent is excluded for a role whose evaluator says false. */
export type OfferConstraintsFilter = Map<string, Evaluator>;

interface Constraint {
  selector?: { pseudoattribute_type?: string; attribute_name?: string };
  predicate?: Record<string, { value?: string; regex?: string } | undefined>;
}

export function compileOfferConstraints(
  constraints: OfferConstraints | undefined,
  roles: readonly string[],
): OfferConstraintsFilter | string {
  const filter: OfferConstraintsFilter = new Map();
  for (const [role, roleConstraints] of Object.entries(constraints?.role_constraints ?? {})) {
    if (!roles.includes(role)) {
      return `Offer constraints specify \`role_constraints\` for a role '${role}'not contained in the set of roles`;
    }
    const groups = roleConstraints.groups ?? [];
    if (groups.length === 0) {
      return `Offer constraints are not valid: 'OfferConstraints::role_constraints' has an empty 'RoleConstraints::groups' for role ${role}`;
    }
    const compiled: Evaluator[][] = [];
    for (const group of groups) {
      const list = (group.attribute_constraints ?? []) as Constraint[];
      if (list.length === 0) {
        return `Offer constraints are not valid: 'OfferConstraints::RoleConstraints::groups' for role ${role}contains an empty RoleConstraints::Group`;
      }
      const evaluators: Evaluator[] = [];
      for (const constraint of list) {
        const evaluator = compileConstraint(constraint);
        if (typeof evaluator === 'string') {
          return `Offer constraints are not valid: A role ${role} has an invalid 'AttributeConstraint': ${evaluator}`;
        }
        evaluators.push(evaluator);
      }
      compiled.push(evaluators);
    }
    filter.set(role, (agent) => compiled.some((group) => group.every((e) => e(agent))));
  }
  return filter;
}

function compileConstraint(constraint: Constraint): Evaluator | string {
  const selector = constraint.selector ?? {};
  let select: (agent: ConstrainedAgent) => Value;
  if (selector.pseudoattribute_type !== undefined) {
    switch (selector.pseudoattribute_type) {
      case 'HOSTNAME':
        select = (agent) => agent.hostname;
        break;
      case 'REGION':
        select = (agent) => agent.region;
        break;
      case 'ZONE':
        select = (agent) => agent.zone;
        break;
      default:
        return 'Unknown pseudoattribute type';
    }
  } else if (selector.attribute_name !== undefined) {
    const name = selector.attribute_name;
    select = (agent) => agent.attributes.find((attribute) => attribute.name === name);
  } else {
    return "Exactly one of 'AttributeConstraint::Selector::name' or 'AttributeConstraint::Selector::pseudoattribute_type' must be set";
  }
  const check = compilePredicate(constraint.predicate ?? {});
  if (typeof check === 'string') return check;
  return (agent) => check(select(agent));
}

function compilePredicate(predicate: NonNullable<Constraint['predicate']>): Check | string {
  const text = (value: Value, test: (s: string) => boolean, missing: boolean): boolean => {
    if (value === undefined) return missing;
    if (typeof value === 'string') return test(value);
    return value.type !== 'TEXT' || test(value.text?.value ?? '');
  };
  const regex = (pattern: string | undefined): RegExp | string => {
    try {
      return new RegExp(`^(?:${pattern ?? ''})$`, 'u');
    } catch (error) {
      return `Failed to construct regex from pattern '${pattern}': ${(error as Error).message}`;
    }
  };
  if (predicate.exists) return (value) => value !== undefined;
  if (predicate.not_exists) return (value) => value === undefined;
  if (predicate.text_equals) {
    const wanted = predicate.text_equals.value;
    return (value) => text(value, (s) => s === wanted, false);
  }
  if (predicate.text_not_equals) {
    const unwanted = predicate.text_not_equals.value;
    return (value) => value === undefined || text(value, (s) => s !== unwanted, true);
  }
  if (predicate.text_matches) {
    const re = regex(predicate.text_matches.regex);
    if (typeof re === 'string') return re;
    return (value) => text(value, (s) => re.test(s), false);
  }
  if (predicate.text_not_matches) {
    const re = regex(predicate.text_not_matches.regex);
    if (typeof re === 'string') return re;
    return (value) => value === undefined || text(value, (s) => !re.test(s), true);
  }
  return 'Unknown predicate type';
}
