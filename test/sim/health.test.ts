import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../src/mesos/types.ts';
import { frameworkInfo, launch, runFor, startMaster, subscribe, task } from './harness.ts';

function healthCheckedTask(
  health: string,
  check: Partial<HealthCheck> = {},
  capabilities: string[] = [],
) {
  const { master, clock } = startMaster(1);
  const { framework, stream } = subscribe(
    master,
    frameworkInfo({ capabilities: capabilities.map((type) => ({ type }) as never) }),
  );
  clock.advance(0);
  const offer = stream.offers()[0]!;
  launch(
    master,
    framework,
    [offer],
    [
      task(offer, 't', {
        labels: { labels: [{ key: 'meseta.sim/health', value: health }] },
        health_check: {
          type: 'TCP',
          tcp: { port: 31000 },
          delay_seconds: 1,
          interval_seconds: 1,
          grace_period_seconds: 0,
          consecutive_failures: 3,
          ...check,
        },
      }),
    ],
  );
  return { master, clock, framework, stream };
}

const healthUpdates = (stream: ReturnType<typeof healthCheckedTask>['stream']) =>
  stream
    .updates('t')
    .filter((s) => s.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED')
    .filter((s, i, all) => all.findIndex((o) => o.uuid === s.uuid) === i);

describe('native health checks', () => {
  it('sends the first healthy result only, as a TASK_RUNNING copy with a new uuid', () => {
    const { master, clock, framework, stream } = healthCheckedTask('healthy');
    runFor(clock, 10_000, master, framework, stream);
    const updates = healthUpdates(stream);
    expect(updates).toHaveLength(1);
    const running = stream
      .updates('t')
      .find((s) => s.state === 'TASK_RUNNING' && s.healthy === undefined)!;
    expect(updates[0]).toMatchObject({
      state: 'TASK_RUNNING',
      healthy: true,
      source: 'SOURCE_EXECUTOR',
    });
    expect(updates[0]!.uuid).not.toBe(running.uuid);
    expect(updates[0]!.container_status).toEqual(running.container_status);
  });

  it('ignores failures during the grace period, then kills after consecutive failures', () => {
    const { master, clock, framework, stream } = healthCheckedTask('never', {
      grace_period_seconds: 5,
    });
    runFor(clock, 5_000, master, framework, stream);
    expect(healthUpdates(stream)).toHaveLength(0);
    runFor(clock, 10_000, master, framework, stream);
    const updates = healthUpdates(stream);
    expect(updates.map((s) => s.healthy)).toEqual([false, false, false]);
    const killed = stream.updates('t').find((s) => s.state === 'TASK_KILLED')!;
    expect(killed).toMatchObject({ healthy: false, source: 'SOURCE_EXECUTOR' });
    expect(framework.tasks.size).toBe(0);
  });

  it('reports a flapping task each time it turns healthy again, and every failure', () => {
    const { master, clock, framework, stream } = healthCheckedTask('flap:3', {
      consecutive_failures: 10,
    });
    runFor(clock, 13_000, master, framework, stream);
    // Healthy 0–3 s, unhealthy 3–6 s, healthy 6–9 s, unhealthy 9–12 s after RUNNING.
    expect(healthUpdates(stream).map((s) => s.healthy)).toEqual([
      true,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
  });

  it('turns unhealthy after a while and sends TASK_KILLING first when the framework knows it', () => {
    const { master, clock, framework, stream } = healthCheckedTask('unhealthy-after:2', {}, [
      'TASK_KILLING_STATE',
    ]);
    runFor(clock, 10_000, master, framework, stream);
    const states = stream
      .updates('t')
      .filter((s, i, all) => all.findIndex((o) => o.uuid === s.uuid) === i)
      .map((s) => (s.healthy === undefined ? s.state : `${s.state}:${s.healthy}`));
    expect(states).toEqual([
      'TASK_STARTING',
      'TASK_RUNNING',
      'TASK_RUNNING:true',
      'TASK_RUNNING:false',
      'TASK_RUNNING:false',
      'TASK_RUNNING:false',
      'TASK_KILLING',
      'TASK_KILLED:false',
    ]);
  });
});
