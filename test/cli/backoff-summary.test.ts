import { expect, it } from 'vitest';
import { parseApp } from '../../src/api/app.ts';
import type { Instance } from '../../src/api/instance.ts';
import { backoffSummary } from '../../src/cli/backoff-summary.ts';
import { appManifest } from './manifests.ts';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString();

function failed(revision: number, failures: number, lastSecondsAgo?: number): Instance {
  return {
    apiVersion: 'meseta.io/v1',
    kind: 'Instance',
    metadata: { name: `web-${revision}-${failures}`, namespace: 'default' },
    spec: { app: 'web', revision, goal: 'running' },
    status: {
      failures,
      ...(lastSecondsAgo !== undefined ? { lastFailureAt: ago(lastSecondsAgo) } : {}),
    },
  };
}

it('applies Marathon’s launch backoff rule to the failures of the target revision', () => {
  const app = parseApp(
    appManifest('web', { backoffSeconds: 10, backoffFactor: 2, maxLaunchDelaySeconds: 60 }),
  );
  const target = { ...app, status: { targetRevision: 3 } };
  expect(backoffSummary(target, [], now)).toBe('no failed launches');
  expect(backoffSummary(target, [failed(2, 5, 1)], now)).toBe('no failed launches');
  expect(backoffSummary(target, [failed(3, 1, 4)], now)).toBe(
    '1 failure of revision 3, the last 4s ago: launches wait 10s (6s left)',
  );
  // 10 × 2² = 40s after three failures.
  expect(backoffSummary(target, [failed(3, 2, 50), failed(3, 1, 45)], now)).toBe(
    '3 failures of revision 3, the last 45s ago: the 40s delay has passed',
  );
  // Capped at maxLaunchDelaySeconds.
  expect(backoffSummary(target, [failed(3, 10, 5)], now)).toBe(
    '10 failures of revision 3, the last 5s ago: launches wait 60s (55s left)',
  );
  // Forgotten once maxLaunchDelaySeconds have passed since the last failure.
  expect(backoffSummary(target, [failed(3, 10, 61)], now)).toBe(
    '10 failures of revision 3, the last 61s ago: no delay any more',
  );
  expect(backoffSummary(target, [failed(3, 2)], now)).toBe(
    '2 failures of revision 3: launches wait 20s',
  );
  // Without a target revision in the status, the newest revision among the instances.
  expect(backoffSummary(app, [failed(1, 4, 1), failed(2, 1, 1)], now)).toBe(
    '1 failure of revision 2, the last 1s ago: launches wait 10s (9s left)',
  );
});
