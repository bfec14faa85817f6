/**
 * Marathon's placement constraints, compiled once per App revision and judged per agent with
 * Marathon's exact semantics (see docs/placement.md and REFERENCE "Placement constraints"):
 *
 * - UNIQUE: no counted instance has the agent's value;
 * - CLUSTER: with a value, the agent's value equals it; with or without, every counted instance
 *   has the agent's value (so without a value, the first instance picks the value for the rest);
 * - GROUP_BY [count]: the agent's value has the fewest instances among the values the cluster
 *   offers (meseta's improvement: over every value the cluster has, not only those seen so far);
 *   while the cluster has fewer values than `count`, only values without instances;
 * - MAX_PER count: fewer than `count` counted instances have the agent's value;
 * - LIKE / UNLIKE regex: the whole value matches / does not match (anchored, like Java's
 *   `String.matches`);
 * - IS literal: the agent's value equals it.
 *
 * An agent without the field's value is rejected by every operator except UNLIKE. Judging is
 * allocation-free: a rejection is a `Cause` code, turned into words only for why-not messages.
 */
import type { Constraint, ConstraintOperator } from '../api/app-types.ts';
import { canonicalField } from './fields.ts';

export interface CompiledConstraint {
  readonly operator: ConstraintOperator;
  /** Canonical: `hostname` for both `hostname` and `@hostname`. */
  readonly field: string;
  /** As the user wrote it. */
  readonly value: string | undefined;
  /** GROUP_BY's minimum number of values (0 without), MAX_PER's limit. */
  readonly count: number;
  readonly regex: RegExp | undefined;
  /** Set when the constraint cannot be judged (bad count or regex): it rejects every agent. */
  readonly invalid: string | undefined;
  /** `GROUP_BY rack:3`, the way Marathon users write it, for messages. */
  readonly label: string;
}

/** Why a constraint rejected an agent. */
export type Cause =
  /** The agent has no value for the field. */
  | 'missing'
  /** LIKE/IS/CLUSTER-value: the value does not match; UNLIKE: it does. */
  | 'mismatch'
  /** UNIQUE: an instance already has the value. */
  | 'taken'
  /** MAX_PER: the value already has `count` instances. */
  | 'full'
  /** CLUSTER: instances run with another value. */
  | 'elsewhere'
  /** GROUP_BY: other values have fewer instances. */
  | 'unbalanced'
  /** GROUP_BY count: the cluster has fewer values than asked, and this one is used. */
  | 'fewValues'
  /** The constraint is invalid. */
  | 'invalid';

/** How the counted instances of one App revision spread over one field's values. */
export interface FieldCounts {
  /** Counted instances per value. */
  readonly byValue: ReadonlyMap<string, number>;
  /** Counted instances whose agent is known. */
  readonly placed: number;
}

/** What GROUP_BY compares against: the values an instance could still go to. */
export interface GroupByDomain {
  /** How many values. */
  readonly size: number;
  /** The fewest counted instances any of them has. */
  readonly min: number;
}

export function compileConstraints(list: readonly Constraint[] | undefined): CompiledConstraint[] {
  return (list ?? []).map(compileConstraint);
}

export function compileConstraint(constraint: Constraint): CompiledConstraint {
  const { operator, value } = constraint;
  const field = canonicalField(constraint.field);
  let count = 0;
  let regex: RegExp | undefined;
  let invalid: string | undefined;
  const label =
    value === undefined
      ? `${operator} ${constraint.field}`
      : operator === 'GROUP_BY' || operator === 'MAX_PER'
        ? `${operator} ${constraint.field}:${value}`
        : `${operator} ${constraint.field} ${JSON.stringify(value)}`;
  switch (operator) {
    case 'GROUP_BY':
      // Marathon reads "inf" as no limit and anything unreadable as no count.
      count = value === 'inf' ? Number.MAX_SAFE_INTEGER : Math.max(0, integerOf(value) ?? 0);
      break;
    case 'MAX_PER': {
      const parsed = integerOf(value);
      if (parsed === undefined) invalid = `MAX_PER needs a whole number (got ${value ?? 'none'})`;
      else count = parsed;
      break;
    }
    case 'LIKE':
    case 'UNLIKE':
      if (!value) invalid = `${operator} needs a regular expression`;
      else {
        try {
          regex = new RegExp(`^(?:${value})$`);
        } catch (error) {
          invalid = `${operator} ${JSON.stringify(value)}: ${(error as Error).message}`;
        }
      }
      break;
    case 'IS':
      if (value === undefined) invalid = 'IS needs a value';
      break;
    default:
      break;
  }
  return { operator, field, value, count, regex, invalid, label };
}

function integerOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Judges one agent's `value` for `constraint`, given how the counted instances spread over the
 * field (`counts`) and, for GROUP_BY, the values still open (`domain`). `undefined` accepts.
 */
export function judge(
  constraint: CompiledConstraint,
  value: string | undefined,
  counts: FieldCounts,
  domain?: GroupByDomain,
): Cause | undefined {
  if (constraint.invalid !== undefined) return 'invalid';
  if (value === undefined) return constraint.operator === 'UNLIKE' ? undefined : 'missing';
  switch (constraint.operator) {
    case 'UNIQUE':
      return (counts.byValue.get(value) ?? 0) > 0 ? 'taken' : undefined;
    case 'MAX_PER':
      return (counts.byValue.get(value) ?? 0) >= constraint.count ? 'full' : undefined;
    case 'CLUSTER':
      if (constraint.value !== undefined && constraint.value !== value) return 'mismatch';
      return (counts.byValue.get(value) ?? 0) === counts.placed ? undefined : 'elsewhere';
    case 'GROUP_BY': {
      const here = counts.byValue.get(value) ?? 0;
      const size = domain?.size ?? counts.byValue.size;
      if (size < constraint.count) return here === 0 ? undefined : 'fewValues';
      const min = domain?.min ?? minCount(counts);
      return here <= min ? undefined : 'unbalanced';
    }
    case 'LIKE':
      return constraint.regex!.test(value) ? undefined : 'mismatch';
    case 'UNLIKE':
      return constraint.regex!.test(value) ? 'mismatch' : undefined;
    case 'IS':
      return value === constraint.value ? undefined : 'mismatch';
    default:
      return 'invalid';
  }
}

/**
 * Whether a rejection by the constraint lasts while more instances of the revision are placed:
 * counts only grow, so every rejection but GROUP_BY's (which compares with other values) does.
 */
export function isLasting(constraint: CompiledConstraint): boolean {
  return constraint.operator !== 'GROUP_BY';
}

/** Whether the constraint's verdict depends only on the agent, never on placed instances. */
export function isStatic(constraint: CompiledConstraint): boolean {
  return (
    constraint.invalid !== undefined ||
    constraint.operator === 'LIKE' ||
    constraint.operator === 'UNLIKE' ||
    constraint.operator === 'IS'
  );
}

function minCount(counts: FieldCounts): number {
  let min = Number.POSITIVE_INFINITY;
  for (const n of counts.byValue.values()) min = Math.min(min, n);
  return Number.isFinite(min) ? min : 0;
}

/**
 * Words for `agents` agents (of `total` considered) rejected by `constraint` for `cause`:
 * `UNIQUE hostname: all 5 agents already run an instance`.
 */
export function describeCause(
  constraint: CompiledConstraint,
  cause: Cause,
  agents: number,
  total: number,
  counts?: FieldCounts,
): string {
  const subject = agents === total && total > 1 ? `all ${agents} agents` : plural(agents, 'agent');
  const verb = (one: string, many: string) => (agents === 1 ? one : many);
  const field = constraint.field;
  let what: string;
  switch (cause) {
    case 'missing':
      what = `${subject} ${verb('lacks', 'lack')} ${field}`;
      break;
    case 'mismatch':
      what =
        constraint.operator === 'UNLIKE'
          ? `${subject} ${verb('matches', 'match')}`
          : `${subject} ${verb('has', 'have')} another ${field}`;
      if (constraint.operator === 'LIKE') what = `${subject} ${verb('does', 'do')} not match`;
      break;
    case 'taken':
      what =
        field === 'hostname'
          ? `${subject} already ${verb('runs', 'run')} an instance`
          : `${subject} ${verb('is', 'are')} in a ${field} that already has an instance`;
      break;
    case 'full':
      what = `${subject} ${verb('is', 'are')} in a ${field} with ${constraint.count} instances already`;
      break;
    case 'elsewhere': {
      const values = counts ? [...counts.byValue.keys()] : [];
      const where = values.length > 0 ? values.join(', ') : 'an agent without it';
      what = `${subject} ${verb('differs', 'differ')} from ${where}, where instances run`;
      break;
    }
    case 'unbalanced':
      what = `${subject} ${verb('is', 'are')} in a ${field} with more instances than another`;
      break;
    case 'fewValues':
      what = `the cluster has fewer than ${constraint.count} values of ${field}, and ${subject} ${verb('is', 'are')} in one already used`;
      break;
    default:
      what = constraint.invalid ?? 'invalid constraint';
  }
  return `${constraint.label}: ${what}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
