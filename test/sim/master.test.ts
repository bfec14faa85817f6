import { describe, expect, it } from 'vitest';
import { generateCluster } from '../../src/sim/cluster.ts';
import {
  RecordingSubscriber,
  ack,
  frameworkInfo,
  launch,
  runFor,
  startMaster,
  subscribe,
  task,
} from './harness.ts';

const multiRole = (roles = ['apps'], more: string[] = []) =>
  frameworkInfo({
    roles,
    capabilities: ['MULTI_ROLE', ...more].map((type) => ({ type }) as never),
  });

describe('subscription', () => {
  it('answers SUBSCRIBED with a new id, then a heartbeat at once and every interval', () => {
    const { master, clock } = startMaster(1, { heartbeatIntervalMs: 15_000 });
    const { framework, stream } = subscribe(master);
    expect(framework.id).toMatch(new RegExp(`^${master.id}-0000$`));
    expect(stream.events.slice(0, 2).map((e) => e.type)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    expect(stream.events[0]!.subscribed).toMatchObject({
      heartbeat_interval_seconds: 15,
      master_info: { id: master.id, port: 5050 },
    });
    clock.advance(45_000);
    expect(stream.ofType('HEARTBEAT')).toHaveLength(4);
    expect(subscribe(master).framework.id).toBe(`${master.id}-0001`);
  });

  it('refuses invalid FrameworkInfo with ERROR and a close', () => {
    const { master } = startMaster(1);
    const stream = new RecordingSubscriber();
    master.subscribe({ framework_info: frameworkInfo({ roles: ['a'] }) }, stream);
    expect(stream.events).toEqual([
      {
        type: 'ERROR',
        error: {
          message:
            "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable",
        },
      },
    ]);
    expect(stream.closed).toBe(true);
  });

  it('fails over: the old stream gets ERROR and closes, offers are dropped without RESCIND', () => {
    const { master, clock } = startMaster(2);
    const first = subscribe(master, frameworkInfo({ failover_timeout: 60 }));
    clock.advance(0);
    expect(first.stream.offers()).toHaveLength(2);
    const second = new RecordingSubscriber('s2');
    const info = frameworkInfo({ failover_timeout: 60, id: { value: first.framework.id } });
    master.subscribe({ framework_info: info }, second);
    expect(first.stream.events.at(-1)).toEqual({
      type: 'ERROR',
      error: { message: 'Framework failed over' },
    });
    expect(first.stream.closed).toBe(true);
    expect(first.stream.ofType('RESCIND')).toHaveLength(0);
    expect(second.events[0]!.subscribed!.framework_id.value).toBe(first.framework.id);
    clock.advance(0);
    expect(second.offers()).toHaveLength(2);
  });

  it('removes a framework whose failover_timeout (default 0) expires after a disconnect', () => {
    const { master, clock } = startMaster(1);
    const quick = subscribe(master);
    master.disconnect(quick.stream);
    expect(master.framework(quick.framework.id)).toBeUndefined();
    const again = new RecordingSubscriber();
    master.subscribe(
      { framework_info: frameworkInfo({ id: { value: quick.framework.id } }) },
      again,
    );
    expect(again.events[0]).toEqual({
      type: 'ERROR',
      error: { message: 'Framework has been removed' },
    });

    const patient = subscribe(master, frameworkInfo({ failover_timeout: 10 }));
    master.disconnect(patient.stream);
    clock.advance(9_000);
    expect(master.framework(patient.framework.id)?.active).toBe(false);
    clock.advance(1_000);
    expect(master.framework(patient.framework.id)).toBeUndefined();
  });

  it('recovers a framework that resubscribes with an id the master does not know', () => {
    const { master } = startMaster(1);
    const { framework } = subscribe(master, frameworkInfo({ id: { value: 'elsewhere-0007' } }));
    expect(framework.id).toBe('elsewhere-0007');
  });

  it('TEARDOWN kills the tasks, closes the stream and forgets the framework', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    launch(master, framework, stream.offers(), [task(stream.offers()[0]!, 't1')]);
    clock.advance(1000);
    master.handle(framework, { type: 'TEARDOWN', framework_id: { value: framework.id } });
    expect(stream.closed).toBe(true);
    expect(master.framework(framework.id)).toBeUndefined();
    const completed = [...master.listCompletedFrameworks()][0]!;
    expect(completed.tasks[0]!.state).toBe('TASK_KILLED');
    const agent = [...master.listAgents()][0]!;
    expect(agent.free.scalars.cpus).toBe(4);
  });
});

describe('offers', () => {
  it('offers each agent whole, in the legacy format without MULTI_ROLE', () => {
    const { master, clock } = startMaster(2);
    const { stream } = subscribe(master);
    clock.advance(0);
    const offers = stream.offers();
    expect(offers).toHaveLength(2);
    expect(offers[0]).toMatchObject({
      hostname: 'agent-1',
      domain: { fault_domain: { region: { name: 'region-1' }, zone: { name: 'zone-1' } } },
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'rack-1' } }],
    });
    expect(offers[0]!.allocation_info).toBeUndefined();
    expect(offers[0]!.resources![0]).toEqual({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 4 },
      role: '*',
    });
    expect(offers[0]!.id.value).toMatch(new RegExp(`^${master.id}-O\\d+$`));
  });

  it('adds allocation_info for MULTI_ROLE frameworks and drops the role with refinement', () => {
    const { master, clock } = startMaster(1);
    const { stream } = subscribe(master, multiRole(['apps'], ['RESERVATION_REFINEMENT']));
    clock.advance(0);
    const offer = stream.offers()[0]!;
    expect(offer.allocation_info).toEqual({ role: 'apps' });
    expect(offer.resources![0]).toEqual({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 4 },
      allocation_info: { role: 'apps' },
    });
  });

  it('does not re-offer declined resources until refuse_seconds pass', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    stream.clear();
    master.handle(framework, {
      type: 'DECLINE',
      framework_id: { value: framework.id },
      decline: { offer_ids: [offer.id], filters: { refuse_seconds: 10 } },
    });
    clock.advance(9_000);
    expect(stream.offers()).toHaveLength(0);
    clock.advance(2_000);
    expect(stream.offers()).toHaveLength(1);
  });

  it('defaults the refusal to 5 s and ignores unknown offer ids', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    stream.clear();
    master.handle(framework, {
      type: 'DECLINE',
      framework_id: { value: framework.id },
      decline: { offer_ids: [offer.id, { value: 'nope' }] },
    });
    clock.advance(4_000);
    expect(stream.offers()).toHaveLength(0);
    clock.advance(2_000);
    expect(stream.offers()).toHaveLength(1);
  });

  it('SUPPRESS stops offers without rescinding; REVIVE resumes and clears filters', () => {
    const { master, clock } = startMaster(2);
    const { framework, stream } = subscribe(master);
    const fid = { value: framework.id };
    master.handle(framework, { type: 'SUPPRESS', framework_id: fid });
    clock.advance(0);
    expect(stream.offers()).toHaveLength(0);
    master.handle(framework, { type: 'REVIVE', framework_id: fid });
    clock.advance(0);
    const offers = stream.offers();
    expect(offers).toHaveLength(2);
    master.handle(framework, {
      type: 'DECLINE',
      framework_id: fid,
      decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 3600 } },
    });
    master.handle(framework, { type: 'SUPPRESS', framework_id: fid, suppress: { roles: ['*'] } });
    expect(stream.ofType('RESCIND')).toHaveLength(0);
    stream.clear();
    master.handle(framework, { type: 'REVIVE', framework_id: fid, revive: { roles: ['*'] } });
    clock.advance(0);
    expect(stream.offers()).toHaveLength(2);
  });

  it('ignores SUPPRESS and REVIVE naming a role the framework does not have', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master, multiRole(['apps']));
    master.handle(framework, {
      type: 'SUPPRESS',
      framework_id: { value: framework.id },
      suppress: { roles: ['apps', 'other'] },
    });
    clock.advance(0);
    expect(stream.offers()).toHaveLength(1);
  });

  it('keeps GPU agents from frameworks without GPU_RESOURCES', () => {
    const { master, clock } = startMaster(0);
    master.addAgent(generateCluster({ agents: 1, gpus: 2 }).agents[0]!);
    const plain = subscribe(master);
    clock.advance(0);
    expect(plain.stream.offers()).toHaveLength(0);
    const gpu = subscribe(master, frameworkInfo({ capabilities: [{ type: 'GPU_RESOURCES' }] }));
    clock.advance(1000);
    expect(gpu.stream.offers()).toHaveLength(1);
  });

  it('offers agents of remote regions only to REGION_AWARE frameworks', () => {
    const { master, clock } = startMaster(0, { domain: { region: 'region-1', zone: 'zone-1' } });
    for (const spec of generateCluster({ agents: 2, racks: 2, zones: 2, regions: 2 }).agents) {
      master.addAgent(spec);
    }
    expect(master.info.domain).toEqual({
      fault_domain: { region: { name: 'region-1' }, zone: { name: 'zone-1' } },
    });
    const local = subscribe(master);
    const aware = subscribe(master, frameworkInfo({ capabilities: [{ type: 'REGION_AWARE' }] }));
    clock.advance(0);
    expect(local.stream.offers().map((o) => o.domain!.fault_domain!.region.name)).toEqual([
      'region-1',
    ]);
    expect(aware.stream.offers().map((o) => o.domain!.fault_domain!.region.name)).toEqual([
      'region-2',
    ]);
  });

  it('honours offer_filters.min_allocatable_resources per role', () => {
    const { master, clock } = startMaster(1);
    const minimum = (cpus: number) =>
      frameworkInfo({
        offer_filters: {
          '*': {
            min_allocatable_resources: { quantities: [{ quantities: { cpus: { value: cpus } } }] },
          },
        },
      });
    const picky = subscribe(master, minimum(5));
    clock.advance(0);
    expect(picky.stream.offers()).toHaveLength(0);
    const modest = subscribe(master, minimum(4));
    clock.advance(1000);
    expect(modest.stream.offers()).toHaveLength(1);
  });

  it('rescinds outstanding offers when they time out', () => {
    const { master, clock } = startMaster(1, { offerTimeoutMs: 30_000 });
    const { stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    clock.advance(30_000);
    expect(stream.ofType('RESCIND')[0]!.rescind!.offer_id).toEqual(offer.id);
  });
});

describe('ACCEPT and the task lifecycle', () => {
  it('runs a task STAGING → STARTING → RUNNING with uuids, one update in flight at a time', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    launch(master, framework, [offer], [task(offer, 't1')]);
    expect(framework.tasks.get('t1')!.state).toBe('TASK_STAGING');
    expect(stream.updates('t1')).toHaveLength(0);
    clock.advance(1000);
    const [starting] = stream.updates('t1');
    expect(stream.updates('t1')).toHaveLength(1);
    expect(starting).toMatchObject({
      state: 'TASK_STARTING',
      source: 'SOURCE_EXECUTOR',
      agent_id: offer.agent_id,
      executor_id: { value: 't1' },
    });
    expect(Buffer.from(starting!.uuid!, 'base64')).toHaveLength(16);
    // RUNNING waits for STARTING's acknowledgement; the master knows it already.
    expect(framework.tasks.get('t1')!.state).toBe('TASK_STARTING');
    ack(master, framework, starting!);
    const running = stream.updates('t1')[1]!;
    expect(running.state).toBe('TASK_RUNNING');
    expect(running.container_status!.network_infos![0]!.ip_addresses![0]!.ip_address).toMatch(
      /^10\./,
    );
    expect(framework.tasks.get('t1')!.state).toBe('TASK_RUNNING');
  });

  it('resends an unacknowledged update after 10 s, doubling the interval', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    launch(master, framework, [offer], [task(offer, 't1')]);
    clock.advance(100);
    const first = stream.updates('t1');
    expect(first).toHaveLength(1);
    clock.advance(10_000);
    expect(stream.updates('t1')).toHaveLength(2);
    clock.advance(19_000);
    expect(stream.updates('t1')).toHaveLength(2);
    clock.advance(1_000);
    const sent = stream.updates('t1');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.uuid)).size).toBe(1);
  });

  it('returns unused resources with the ACCEPT filter and uses the rest', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    stream.clear();
    launch(master, framework, [offer], [task(offer, 't1')], 1);
    clock.advance(1000);
    const again = stream.offers();
    expect(again).toHaveLength(1);
    expect(again[0]!.resources!.find((r) => r.name === 'cpus')!.scalar!.value).toBe(3);
    // Command executors belong to the agent; the master does not list them.
    expect(again[0]!.executor_ids).toBeUndefined();
  });

  it('answers invalid offers with TASK_LOST, or TASK_DROPPED for partition-aware frameworks', () => {
    const { master, clock } = startMaster(1);
    const plain = subscribe(master);
    const aware = subscribe(master, frameworkInfo({ capabilities: [{ type: 'PARTITION_AWARE' }] }));
    clock.advance(0);
    const offer = [...plain.stream.offers(), ...aware.stream.offers()][0]!;
    const bogus = { ...offer, id: { value: 'gone' } };
    launch(master, plain.framework, [bogus], [task(offer, 'a')]);
    expect(plain.stream.updates('a')).toEqual([
      expect.objectContaining({
        state: 'TASK_LOST',
        source: 'SOURCE_MASTER',
        reason: 'REASON_INVALID_OFFERS',
        message: 'Task launched with invalid offers: Offer gone is no longer valid',
      }),
    ]);
    expect(plain.stream.updates('a')[0]!.uuid).toBeUndefined();
    launch(master, aware.framework, [bogus, bogus], [task(offer, 'b')]);
    expect(aware.stream.updates('b')[0]).toMatchObject({
      state: 'TASK_DROPPED',
      message: 'Task launched with invalid offers: Duplicate offer gone in offer list',
    });
    launch(master, aware.framework, [], [task(offer, 'c')]);
    expect(aware.stream.updates('c')[0]!.message).toBe(
      'Task launched with invalid offers: No offers specified',
    );
  });

  it('rejects an offer of another framework and discards the valid ones', () => {
    const { master, clock } = startMaster(2);
    const a = subscribe(master);
    const b = subscribe(master);
    clock.advance(0);
    const mine = a.stream.offers()[0]!;
    const theirs = b.stream.offers()[0]!;
    launch(master, a.framework, [mine, theirs], [task(mine, 'x')]);
    expect(a.stream.updates('x')[0]!.message).toBe(
      `Task launched with invalid offers: Offer ${theirs.id.value} has invalid framework ` +
        `${b.framework.id} while framework ${a.framework.id} is expected`,
    );
    expect(a.framework.offers.size).toBe(0);
  });

  it('fails invalid tasks with TASK_ERROR and launches the valid ones', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    const big = task(offer, 'big', {
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 64 } }],
    });
    launch(
      master,
      framework,
      [offer],
      [
        task(offer, 'ok'),
        task(offer, 'ok'),
        big,
        task(offer, 'none', { resources: [] }),
        task(offer, 'both', { executor: { executor_id: { value: 'e' } } }),
        task(offer, 'bad/id'),
        task(offer, 'grace', { kill_policy: { grace_period: { nanoseconds: '-1' } } }),
        task(offer, 'hc', { health_check: { type: 'HTTP' } }),
      ],
    );
    const messages = Object.fromEntries(
      stream.updates().map((s) => [s.task_id.value, [s.state, s.reason, s.message]]),
    );
    expect(messages.ok).toEqual(['TASK_ERROR', 'REASON_TASK_INVALID', 'Task has duplicate ID: ok']);
    expect(messages.big![2]).toBe(
      'Total resources cpus(allocated: *):64 required by task and its executor is more than ' +
        'available cpus(allocated: *):3; mem(allocated: *):3968; disk(allocated: *):256000; ' +
        'ports(allocated: *):[31000-32000]',
    );
    expect(messages.none![2]).toBe('Task uses no resources');
    expect(messages.both![2]).toBe(
      'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
    );
    expect(messages['bad/id']![2]).toBe("'bad/id' contains invalid characters");
    expect(messages.grace![2]).toBe("Task's 'kill_policy.grace_period' must be non-negative");
    expect(messages.hc![2]).toBe(
      "Task uses invalid health check: Expecting 'http' to be set for HTTP health check",
    );
    expect(framework.tasks.size).toBe(1);
  });

  it('launches a task group under one executor', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    const member = (id: string) => {
      const { command: _command, ...rest } = task(offer, id);
      return rest;
    };
    master.handle(framework, {
      type: 'ACCEPT',
      framework_id: { value: framework.id },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH_GROUP',
            launch_group: {
              executor: {
                type: 'DEFAULT',
                executor_id: { value: 'pod' },
                resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }],
              },
              task_group: { tasks: [member('g1'), member('g2')] },
            },
          },
        ],
      },
    });
    expect([...framework.tasks.values()].map((t) => t.executorId)).toEqual(['pod', 'pod']);
    clock.advance(1000);
    expect(stream.updates('g1')[0]!.executor_id).toEqual({ value: 'pod' });
    // The rest comes back after the default 5 s filter, naming the running executor; the
    // executor's own 0.1 cpus stay in use.
    clock.advance(5000);
    const again = stream.offers().at(-1)!;
    expect(again.executor_ids).toEqual([{ value: 'pod' }]);
    expect(again.resources!.find((r) => r.name === 'cpus')!.scalar!.value).toBe(1.9);
  });

  it('reports FAILURE when a task group executor exits after its last task', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    const member = (id: string, seconds: number) => {
      const { command: _command, ...rest } = task(offer, id, {
        labels: { labels: [{ key: 'meseta.sim/exit-after', value: String(seconds) }] },
      });
      return rest;
    };
    master.handle(framework, {
      type: 'ACCEPT',
      framework_id: { value: framework.id },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH_GROUP',
            launch_group: {
              executor: { type: 'DEFAULT', executor_id: { value: 'pod' } },
              task_group: { tasks: [member('g1', 1), member('g2', 3)] },
            },
          },
        ],
      },
    });
    runFor(clock, 2_000, master, framework, stream);
    expect(stream.ofType('FAILURE')).toHaveLength(0);
    runFor(clock, 2_000, master, framework, stream);
    expect(stream.ofType('FAILURE').map((e) => e.failure)).toEqual([
      { agent_id: offer.agent_id, executor_id: { value: 'pod' }, status: 0 },
    ]);
  });

  it('finishes or fails tasks as their behaviour says, and releases resources on ack', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    const exits = (id: string, code: number) =>
      task(offer, id, {
        labels: {
          labels: [
            { key: 'meseta.sim/exit-after', value: '2' },
            { key: 'meseta.sim/exit-code', value: String(code) },
          ],
        },
      });
    launch(master, framework, [offer], [exits('ok', 0), exits('bad', 3)], 3600);
    const ackAll = () => {
      for (const s of stream.updates()) ack(master, framework, s);
    };
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      ackAll();
    }
    expect(stream.updates('ok').at(-1)).toMatchObject({
      state: 'TASK_FINISHED',
      message: 'Command exited with status 0',
    });
    expect(stream.updates('bad').at(-1)).toMatchObject({
      state: 'TASK_FAILED',
      message: 'Command exited with status 3',
    });
    expect(framework.tasks.size).toBe(0);
    expect(framework.completedTasks.map((t) => t.state)).toEqual(['TASK_FINISHED', 'TASK_FAILED']);
    // Released resources make the agent's offer larger than the refusal filter covers.
    const last = stream.offers().at(-1)!;
    expect(last.resources!.find((r) => r.name === 'cpus')!.scalar!.value).toBe(4);
  });

  it('reports a failed container launch from the agent', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    launch(
      master,
      framework,
      [offer],
      [task(offer, 'x', { labels: { labels: [{ key: 'meseta.sim/launch', value: 'fail' }] } })],
    );
    clock.advance(1000);
    expect(stream.updates('x')[0]).toMatchObject({
      state: 'TASK_FAILED',
      source: 'SOURCE_AGENT',
      reason: 'REASON_CONTAINER_LAUNCH_FAILED',
    });
  });
});

describe('KILL and reconciliation', () => {
  function running(capabilities: string[] = []) {
    const { master, clock } = startMaster(1);
    const sub = subscribe(
      master,
      frameworkInfo({ capabilities: capabilities.map((type) => ({ type }) as never) }),
    );
    clock.advance(0);
    const offer = sub.stream.offers()[0]!;
    launch(master, sub.framework, [offer], [task(offer, 't1')]);
    clock.advance(100);
    ack(master, sub.framework, sub.stream.updates('t1')[0]!);
    clock.advance(1000);
    ack(master, sub.framework, sub.stream.updates('t1')[1]!);
    sub.stream.clear();
    return { master, clock, ...sub, offer };
  }

  it('kills with TASK_KILLING first when the framework has TASK_KILLING_STATE', () => {
    const { master, clock, framework, stream } = running(['TASK_KILLING_STATE']);
    master.handle(framework, {
      type: 'KILL',
      framework_id: { value: framework.id },
      kill: { task_id: { value: 't1' } },
    });
    expect(stream.updates('t1').map((s) => s.state)).toEqual(['TASK_KILLING']);
    ack(master, framework, stream.updates('t1')[0]!);
    clock.advance(1000);
    expect(stream.updates('t1')[1]).toMatchObject({
      state: 'TASK_KILLED',
      message: 'Command terminated with signal Terminated',
    });
  });

  it('kills without TASK_KILLING otherwise', () => {
    const { master, clock, framework, stream } = running();
    master.handle(framework, {
      type: 'KILL',
      framework_id: { value: framework.id },
      kill: { task_id: { value: 't1' } },
    });
    clock.advance(1000);
    expect(stream.updates('t1').map((s) => s.state)).toEqual(['TASK_KILLED']);
  });

  it('waits out the kill grace period of a task that ignores SIGTERM', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    launch(
      master,
      framework,
      [offer],
      [
        task(offer, 'stubborn', {
          labels: { labels: [{ key: 'meseta.sim/ignore-sigterm', value: 'true' }] },
          kill_policy: { grace_period: { nanoseconds: '20000000000' } },
        }),
      ],
    );
    clock.advance(100);
    ack(master, framework, stream.updates('stubborn')[0]!);
    clock.advance(1000);
    ack(master, framework, stream.updates('stubborn')[1]!);
    stream.clear();
    master.handle(framework, {
      type: 'KILL',
      framework_id: { value: framework.id },
      kill: { task_id: { value: 'stubborn' } },
    });
    clock.advance(19_000);
    expect(stream.updates('stubborn')).toHaveLength(0);
    clock.advance(1_000);
    expect(stream.updates('stubborn')[0]).toMatchObject({
      state: 'TASK_KILLED',
      message: 'Command terminated with signal Killed',
    });
  });

  it('ignores a KILL naming another agent and reconciles a KILL of an unknown task', () => {
    const { master, framework, stream } = running();
    const fid = { value: framework.id };
    master.handle(framework, {
      type: 'KILL',
      framework_id: fid,
      kill: { task_id: { value: 't1' }, agent_id: { value: 'other' } },
    });
    expect(stream.updates()).toHaveLength(0);
    master.handle(framework, {
      type: 'KILL',
      framework_id: fid,
      kill: { task_id: { value: 'zz' } },
    });
    expect(stream.updates('zz')[0]).toMatchObject({
      state: 'TASK_LOST',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Task is unknown',
      source: 'SOURCE_MASTER',
    });
  });

  it('kills a task that has not started yet with REASON_TASK_KILLED_DURING_LAUNCH', () => {
    const { master, clock } = startMaster(1);
    const { framework, stream } = subscribe(master);
    clock.advance(0);
    const offer = stream.offers()[0]!;
    launch(master, framework, [offer], [task(offer, 't1')]);
    master.handle(framework, {
      type: 'KILL',
      framework_id: { value: framework.id },
      kill: { task_id: { value: 't1' } },
    });
    expect(stream.updates('t1')[0]).toMatchObject({
      state: 'TASK_KILLED',
      source: 'SOURCE_AGENT',
      reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
    });
  });

  it('answers implicit reconciliation with the latest state of every live task, no uuid', () => {
    const { master, framework, stream } = running();
    master.handle(framework, {
      type: 'RECONCILE',
      framework_id: { value: framework.id },
      reconcile: {},
    });
    const [status] = stream.updates();
    expect(status).toMatchObject({
      task_id: { value: 't1' },
      state: 'TASK_RUNNING',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Latest task state',
    });
    expect(status!.uuid).toBeUndefined();
    expect(status!.container_status).toBeDefined();
  });

  it('answers explicit reconciliation of unknown tasks by what is known of their agent', () => {
    const { master, framework, stream, offer } = running(['PARTITION_AWARE']);
    const reconcile = (tasks: { task_id: { value: string }; agent_id?: { value: string } }[]) =>
      master.handle(framework, {
        type: 'RECONCILE',
        framework_id: { value: framework.id },
        reconcile: { tasks },
      });
    reconcile([
      { task_id: { value: 't1' } },
      { task_id: { value: 'a' }, agent_id: offer.agent_id },
      { task_id: { value: 'b' }, agent_id: { value: 'nowhere' } },
      { task_id: { value: 'c' } },
    ]);
    expect(stream.updates().map((s) => [s.task_id.value, s.state, s.message])).toEqual([
      ['t1', 'TASK_RUNNING', 'Reconciliation: Latest task state'],
      ['a', 'TASK_GONE', 'Reconciliation: Task is unknown to the agent'],
      ['b', 'TASK_UNKNOWN', 'Reconciliation: Task is unknown'],
      ['c', 'TASK_UNKNOWN', 'Reconciliation: Task is unknown'],
    ]);
  });
});

describe('agent loss', () => {
  it('marks tasks unreachable, rescinds offers, broadcasts FAILURE, and restores on return', () => {
    const { master, clock } = startMaster(2);
    const aware = subscribe(master, frameworkInfo({ capabilities: [{ type: 'PARTITION_AWARE' }] }));
    clock.advance(0);
    const [first, second] = aware.stream.offers();
    launch(master, aware.framework, [first!], [task(first!, 't1')]);
    clock.advance(100);
    aware.stream.clear();
    master.markAgentUnreachable(first!.agent_id.value);
    master.markAgentUnreachable(second!.agent_id.value);
    const statuses = aware.stream.updates('t1');
    expect(statuses[0]).toMatchObject({
      state: 'TASK_UNREACHABLE',
      reason: 'REASON_AGENT_REMOVED',
      source: 'SOURCE_MASTER',
    });
    expect(statuses[0]!.unreachable_time!.nanoseconds).toMatch(/^\d{19}$/);
    expect(aware.stream.ofType('RESCIND').map((e) => e.rescind!.offer_id)).toEqual([second!.id]);
    expect(aware.stream.ofType('FAILURE')).toHaveLength(2);
    expect(aware.framework.unreachableTasks.has('t1')).toBe(true);
    master.handle(aware.framework, {
      type: 'RECONCILE',
      framework_id: { value: aware.framework.id },
      reconcile: { tasks: [{ task_id: { value: 'x' }, agent_id: first!.agent_id }] },
    });
    expect(aware.stream.updates('x')[0]!.state).toBe('TASK_UNREACHABLE');

    master.reconnectAgent(first!.agent_id.value);
    expect(aware.framework.tasks.get('t1')!.state).toBe('TASK_STARTING');
    clock.advance(1000);
    expect(aware.stream.updates('t1').at(-1)!.state).toBe('TASK_STARTING');
  });

  it('sends TASK_LOST to frameworks that are not partition-aware, GONE_BY_OPERATOR when gone', () => {
    const { master, clock } = startMaster(1);
    const plain = subscribe(master);
    const aware = subscribe(master, frameworkInfo({ capabilities: [{ type: 'PARTITION_AWARE' }] }));
    clock.advance(0);
    const offer = [...plain.stream.offers(), ...aware.stream.offers()][0]!;
    const owner = plain.stream.offers().length > 0 ? plain : aware;
    const other = owner === plain ? aware : plain;
    launch(master, owner.framework, [offer], [task(offer, 't1')]);
    master.handle(other.framework, {
      type: 'ACCEPT',
      framework_id: { value: other.framework.id },
      accept: { offer_ids: [] },
    });
    master.markAgentGone(offer.agent_id.value);
    const expected = owner === aware ? 'TASK_GONE_BY_OPERATOR' : 'TASK_LOST';
    expect(owner.stream.updates('t1').at(-1)).toMatchObject({
      state: expected,
      reason: 'REASON_AGENT_REMOVED_BY_OPERATOR',
    });
    expect(owner.framework.tasks.size).toBe(0);
  });
});
