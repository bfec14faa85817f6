import { describe, expect, it } from 'vitest';
import { defaultApp, type App } from '../../src/api/index.ts';
import {
  LAST_APPLIED,
  lastAppliedOf,
  planApply,
  readLastApplied,
} from '../../src/apply/apply-plan.ts';

const manifest = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  apiVersion: 'meseta.io/v1',
  kind: 'App',
  metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: { cmd: 'run', ...spec },
});

/** What the store would hold after applying `written`: defaulted, versioned. */
function stored(written: Record<string, unknown>): App {
  const app = planApply(written, undefined).object;
  app.metadata.resourceVersion = '10';
  return app;
}

describe('planApply', () => {
  it('creates a defaulted App that records the manifest as written', () => {
    const plan = planApply(manifest({ instances: 2 }), undefined);
    expect(plan.action).toBe('created');
    expect(plan.object.spec).toEqual(defaultApp(manifest({ instances: 2 })).spec);
    expect(JSON.parse(plan.object.metadata.annotations![LAST_APPLIED]!)).toEqual(
      manifest({ instances: 2 }),
    );
  });

  it('is unchanged when the file says what is live, defaults included', () => {
    const live = stored(manifest({ instances: 2 }));
    expect(planApply(manifest({ instances: 2 }), live).action).toBe('unchanged');
    // Writing a default explicitly changes no field, only the record of what was applied.
    expect(planApply(manifest({ instances: 2, cpus: 1 }), live).action).toBe('configured');
  });

  it('configures with the live resourceVersion as the compare-and-swap condition', () => {
    const plan = planApply(manifest({ instances: 3 }), stored(manifest({ instances: 2 })));
    expect(plan.action).toBe('configured');
    expect(plan.object.metadata.resourceVersion).toBe('10');
    expect(plan.object.spec.instances).toBe(3);
  });

  it('never nests the annotation inside its own record', () => {
    const written = manifest({}, { [LAST_APPLIED]: '{"old":1}', owner: 'me' });
    expect(JSON.parse(lastAppliedOf(written))).toEqual(manifest({}, { owner: 'me' }));
  });

  it('treats an unreadable record as no record: nothing is removed', () => {
    const live = stored(manifest({ cpus: 2 }));
    live.metadata.annotations![LAST_APPLIED] = 'not json';
    expect(readLastApplied(live)).toBeUndefined();
    expect(planApply(manifest({}), live).object.spec.cpus).toBe(2);
  });

  it('does not take defaults the store filled into an atomic list for someone else’s change', () => {
    const written = manifest({ healthChecks: [{ protocol: 'MESOS_HTTP', path: '/health' }] });
    const live = stored(written);
    expect(live.spec.healthChecks![0]).toMatchObject({ portIndex: 0, intervalSeconds: 60 });
    const plan = planApply({ ...written, spec: { ...written.spec, instances: 4 } }, live);
    expect(plan.conflicts).toEqual([]);
    expect(plan.action).toBe('configured');
    // A real change by someone else inside the list still is one.
    live.spec.healthChecks![0]!.path = '/other';
    expect(planApply(written, live).conflicts.map((c) => c.path)).toEqual(['spec.healthChecks']);
  });
});
