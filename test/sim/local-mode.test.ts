import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../src/clock.ts';
import type { TaskInfo, TaskState, TaskStatus } from '../../src/mesos/types.ts';
import { generateCluster } from '../../src/sim/cluster.ts';
import { Master } from '../../src/sim/master.ts';
import { ackAll, frameworkInfo, subscribe, task } from './harness.ts';
import { until } from '../support/until.ts';

let master: Master | undefined;

afterEach(() => master?.stop());

async function runLocally(
  make: (offer: Parameters<typeof task>[0]) => TaskInfo[],
  capabilities: string[] = [],
) {
  master = new Master({
    clock: realClock,
    seed: 5,
    local: true,
    allocationIntervalMs: 20,
    timings: { startingDelayMs: 1, runningDelayMs: 1, defaultGracePeriodMs: 500 },
  });
  master.addAgent(generateCluster({ agents: 1 }).agents[0]!);
  master.start();
  const m = master;
  const sub = subscribe(
    m,
    frameworkInfo({ capabilities: capabilities.map((type) => ({ type }) as never) }),
  );
  const offer = await until(() => sub.stream.offers()[0], { what: 'an offer' });
  m.handle(sub.framework, {
    type: 'ACCEPT',
    framework_id: { value: sub.framework.id },
    accept: {
      offer_ids: [offer.id],
      operations: [{ type: 'LAUNCH', launch: { task_infos: make(offer) } }],
    },
  });
  const acked = new Set<string>();
  // Waits for an update while acknowledging everything, as a scheduler would.
  const updateOf = async (id: string, what: string, match: (s: TaskStatus) => boolean) =>
    until(
      () => {
        ackAll(m, sub.framework, sub.stream, acked);
        return sub.stream.updates(id).find(match);
      },
      { within: 10_000, what: `${id} ${what}` },
    );
  const stateOf = (id: string, state: TaskState) => updateOf(id, state, (s) => s.state === state);
  return { ...sub, stateOf, updateOf };
}

describe('local mode', () => {
  it('runs the command for real: exit codes and the task environment', async () => {
    const { stateOf } = await runLocally((offer) => [
      task(offer, 'ok', {
        command: {
          value:
            'test "$MESOS_TASK_ID" = ok && test "$GREETING" = hello && test -d "$MESOS_SANDBOX"',
          environment: { variables: [{ name: 'GREETING', value: 'hello' }] },
        },
      }),
      task(offer, 'bad', { command: { value: 'exit 3' } }),
    ]);
    expect((await stateOf('ok', 'TASK_FINISHED')).message).toBe('Command exited with status 0');
    expect((await stateOf('bad', 'TASK_FAILED')).message).toBe('Command exited with status 3');
  });

  it('kills with SIGTERM, then SIGKILL after the grace period', async () => {
    const ready = join(mkdtempSync(join(tmpdir(), 'stubborn-')), 'ready');
    const { framework, stateOf } = await runLocally(
      (offer) => [
        task(offer, 'polite', { command: { value: 'exec sleep 30' } }),
        task(offer, 'stubborn', {
          command: { value: `trap '' TERM; touch ${ready}; while true; do sleep 0.05; done` },
        }),
      ],
      ['TASK_KILLING_STATE'],
    );
    await stateOf('polite', 'TASK_RUNNING');
    await stateOf('stubborn', 'TASK_RUNNING');
    // The shell must have installed its trap before it is signalled.
    await until(() => existsSync(ready), { what: 'the trap to be set' });
    for (const id of ['polite', 'stubborn']) {
      master!.handle(framework, {
        type: 'KILL',
        framework_id: { value: framework.id },
        kill: { task_id: { value: id } },
      });
    }
    await stateOf('polite', 'TASK_KILLING');
    expect((await stateOf('polite', 'TASK_KILLED')).message).toBe(
      'Command terminated with signal Terminated',
    );
    expect((await stateOf('stubborn', 'TASK_KILLED')).message).toBe(
      'Command terminated with signal Killed',
    );
  });

  it('runs TCP health checks against the real port', async () => {
    const server = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const { updateOf } = await runLocally((offer) => [
        task(offer, 'web', {
          command: { value: 'exec sleep 30' },
          health_check: { type: 'TCP', tcp: { port }, delay_seconds: 0, interval_seconds: 0.05 },
        }),
      ]);
      const healthy = await updateOf('web', 'healthy', (s) => s.healthy === true);
      expect(healthy.reason).toBe('REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
    } finally {
      server.close();
    }
  });
});
