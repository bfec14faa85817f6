/**
 * Names of objects derived from an App's name (its AppRevisions and Instances): the App's name
 * and a suffix, e.g. `web-3-0`. Object names are at most 253 characters; when the App's name
 * leaves no room for the suffix, it is cut and a hash of the whole name keeps the result unique
 * and stable (the same App always gets the same names).
 */
import { createHash } from 'node:crypto';

const MAX_NAME = 253;

export function childName(parent: string, ...suffix: (string | number)[]): string {
  const tail = suffix.map(String).join('-');
  const name = `${parent}-${tail}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(parent).digest('hex').slice(0, 8);
  // Keep the cut on a letter or digit: names must end in one before the next "-".
  const room = MAX_NAME - tail.length - hash.length - 2;
  const cut = parent.slice(0, room).replace(/[-.]+$/, '');
  return `${cut}-${hash}-${tail}`;
}
