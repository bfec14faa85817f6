import { describe, expect, it } from 'vitest';
import { humanAge } from '../../src/cli/age.ts';
import { parseDuration } from '../../src/cli/duration.ts';

describe('humanAge', () => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  it('prints kubectl-style ages', () => {
    expect(humanAge(ago(45), now)).toBe('45s');
    expect(humanAge(ago(200), now)).toBe('3m20s');
    expect(humanAge(ago(12 * 60), now)).toBe('12m');
    expect(humanAge(ago(5 * 3600 + 12 * 60), now)).toBe('5h12m');
    expect(humanAge(ago(20 * 3600), now)).toBe('20h');
    expect(humanAge(ago(3 * 86400 + 4 * 3600), now)).toBe('3d4h');
    expect(humanAge(ago(300 * 86400), now)).toBe('300d');
    expect(humanAge(ago(800 * 86400), now)).toBe('2y');
    expect(humanAge(undefined, now)).toBe('<unknown>');
  });
});

describe('parseDuration', () => {
  it('reads kubectl durations and names the flag when wrong', () => {
    expect(parseDuration('30s', '--timeout')).toBe(30_000);
    expect(parseDuration('1m30s', '--timeout')).toBe(90_000);
    expect(parseDuration('500ms', '--timeout')).toBe(500);
    expect(parseDuration('2', '--timeout')).toBe(2000);
    expect(() => parseDuration('soon', '--timeout')).toThrow('--timeout: expected a duration');
  });
});
