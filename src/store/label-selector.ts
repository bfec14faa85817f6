/**
 * Kubernetes label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`,
 * joined by commas (all must hold). Parsing reports the offending term and its position.
 * Matching is done in the client: etcd has no index on labels.
 */
import { MesetaError, ValidationError } from '../errors.ts';

export type Requirement =
  | { key: string; operator: 'in' | 'notin'; values: string[] }
  | { key: string; operator: 'exists' | 'notexists' };

export type LabelSelector = Requirement[];

const keyPattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Accepts selector text, or a map of labels that must all be equal. */
export function toLabelSelector(selector: string | Record<string, string>): LabelSelector {
  if (typeof selector === 'string') return parseLabelSelector(selector);
  return Object.entries(selector).map(([key, value]) => ({
    key,
    operator: 'in' as const,
    values: [value],
  }));
}

export function parseLabelSelector(text: string): LabelSelector {
  const selector: LabelSelector = [];
  for (const { term, at } of splitTerms(text)) {
    if (term === '') {
      if (text.trim() === '') continue;
      throw problem(text, at, 'empty requirement');
    }
    selector.push(parseTerm(term, text, at));
  }
  return selector;
}

export function matchesLabels(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const own = labels ?? {};
  return selector.every((requirement) => {
    const has = Object.prototype.hasOwnProperty.call(own, requirement.key);
    switch (requirement.operator) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && requirement.values.includes(own[requirement.key]!);
      case 'notin':
        return !has || !requirement.values.includes(own[requirement.key]!);
    }
  });
}

/** Splits on commas outside parentheses, remembering where each term starts. */
function splitTerms(text: string): { term: string; at: number }[] {
  const terms: { term: string; at: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (i === text.length || (c === ',' && depth === 0)) {
      const raw = text.slice(start, i);
      terms.push({ term: raw.trim(), at: start + (raw.length - raw.trimStart().length) });
      start = i + 1;
    }
  }
  return terms;
}

function parseTerm(term: string, text: string, at: number): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (setMatch) {
    const key = checkKey(setMatch[1]!, text, at);
    const values = setMatch[3]!.split(',').map((v) => v.trim());
    for (const value of values) checkValue(value, text, at);
    return { key, operator: setMatch[2] as 'in' | 'notin', values };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (equality) {
    const key = checkKey(equality[1]!, text, at);
    const value = checkValue(equality[3]!, text, at);
    return { key, operator: equality[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (term.startsWith('!')) {
    return { key: checkKey(term.slice(1).trim(), text, at), operator: 'notexists' };
  }
  return { key: checkKey(term, text, at), operator: 'exists' };
}

function checkKey(key: string, text: string, at: number): string {
  if (key.length > 316 || !keyPattern.test(key))
    throw problem(text, at, `invalid label key "${key}"`);
  return key;
}

function checkValue(value: string, text: string, at: number): string {
  if (value.length > 63 || !valuePattern.test(value)) {
    throw problem(text, at, `invalid label value "${value}"`);
  }
  return value;
}

function problem(text: string, at: number, message: string): ValidationError {
  return new ValidationError([
    new MesetaError('Invalid', `${message} at column ${at + 1} of "${text}"`, {
      path: 'labelSelector',
    }),
  ]);
}
