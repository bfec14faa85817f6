/** Durations on the command line, as kubectl writes them: `500ms`, `30s`, `2m`, `1h`, `1m30s`. */
import { UsageError } from '../errors.ts';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `text`; a bare number is seconds. */
export function parseDuration(text: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`${flag}: expected a duration such as 30s, 2m or 1m30s (got "${text}")`);
  }
  return parts.reduce((total, p) => total + Number(p[1]) * units[p[2]!]!, 0);
}
