/**
 * The launch queue alone, on virtual time: how much room it gives, to whom and in what order,
 * and what gives room back.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/api/instance.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { LaunchQueue } from '../../../src/controllers/apps/launch-queue.ts';
import { instance } from './fixtures.ts';

/** `count` instance keys of `app`, from `from` on. */
const keys = (app: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `default/${app}-1-${from + i}`);

const fresh = instance('web-1-0');
const staging = instance('web-1-0', { status: { taskId: 't1', state: 'TASK_STAGING' } });
const running = instance('web-1-0', { status: { taskId: 't1', state: 'TASK_RUNNING' } });

describe('LaunchQueue', () => {
  let clock: VirtualClock;
  /** What the caches show waiting for a task. */
  let waiting: number;
  let woken: string[];
  let queue: LaunchQueue;

  /**
   * A queue over `waiting`, recording whom it wakes, pumping at once instead of soon; without
   * the slow start unless `firstWindow` is given.
   */
  const queueOf = (limit: number, firstWindow = limit) =>
    new LaunchQueue({
      limit,
      firstWindow,
      waiting: () => waiting,
      wake: (app) => woken.push(app),
      clock,
      defer: (pump) => pump(),
    });

  beforeEach(() => {
    clock = new VirtualClock(1_000_000);
    waiting = 0;
    woken = [];
    queue = queueOf(10);
  });

  /** The caches catch up with `admitted` creations of the queue. */
  const show = (admitted: string[]) => {
    waiting += admitted.length;
    for (const key of admitted) queue.seen(key);
  };

  it('admits up to its limit and queues the App for the rest', () => {
    const wanted = keys('web', 15);
    expect(queue.admit('default/web', wanted)).toBe(10);
    expect(queue.isQueued('default/web')).toBe(true);
    // Admitted but not in the caches yet: they count all the same.
    expect(queue.admit('default/web', keys('web', 5, 10))).toBe(0);
    show(wanted.slice(0, 10));
    expect(queue.admit('default/web', keys('web', 5, 10))).toBe(0);
    expect(queue.queuedApps).toBe(1);
  });

  it('serves Apps first come, first served: a newcomer waits behind those already queued', () => {
    waiting = 10;
    expect(queue.admit('default/a', keys('a', 4))).toBe(0);
    expect(queue.admit('default/b', keys('b', 4))).toBe(0);
    waiting = 2; // eight launched
    // Room is there, but a and b were first: c queues behind them.
    expect(queue.admit('default/c', keys('c', 4))).toBe(0);
    queue.pump();
    expect(woken).toEqual(['default/a', 'default/b']);
    // Promised room is theirs: nobody else takes it meanwhile.
    expect(queue.admit('default/d', keys('d', 1))).toBe(0);
    expect(queue.admit('default/b', keys('b', 4))).toBe(4);
    expect(queue.admit('default/a', keys('a', 4))).toBe(4);
    expect(queue.isQueued('default/a')).toBe(false);
    expect(queue.isQueued('default/c')).toBe(true);
  });

  it('keeps the place of a queued App whose pass finds no room, and sends one served in part to the back', () => {
    waiting = 10;
    queue.admit('default/a', keys('a', 4));
    queue.admit('default/b', keys('b', 4));
    queue.admit('default/a', keys('a', 4)); // another pass of a, still no room
    waiting = 7;
    queue.pump();
    expect(woken).toEqual(['default/a']); // a is still first; 3 left for b is less than it wants
    expect(queue.admit('default/a', keys('a', 4))).toBe(3);
    waiting = 3;
    queue.pump();
    // b was ahead of a's remainder.
    expect(woken).toEqual(['default/a', 'default/b']);
  });

  it('wakes an App only for a share worth a pass: a tenth of the limit, or all it wants', () => {
    queue = queueOf(100);
    waiting = 100;
    queue.admit('default/big', keys('big', 50));
    waiting = 95;
    queue.pump();
    expect(woken).toEqual([]); // 5 of the 10 a pass is worth
    // Nor does a pass of its own (a status change) take less than that.
    expect(queue.admit('default/big', keys('big', 50))).toBe(0);
    expect(queue.isQueued('default/big')).toBe(true);
    waiting = 90;
    queue.pump();
    expect(woken).toEqual(['default/big']);
    expect(queue.admit('default/big', keys('big', 50))).toBe(10);
  });

  it('gives room back for creations that failed, and for Apps that are gone', () => {
    const admitted = keys('web', 10);
    expect(queue.admit('default/web', admitted)).toBe(10);
    expect(queue.admit('default/api', keys('api', 3))).toBe(0);
    queue.abandoned(admitted.slice(0, 5));
    expect(woken).toEqual(['default/api']);
    queue.forget('default/api');
    expect(queue.isQueued('default/api')).toBe(false);
    expect(queue.admit('default/db', keys('db', 5))).toBe(5);
  });

  it('drops promises and creations the caches never confirm after 30 s', () => {
    expect(queue.admit('default/web', keys('web', 10))).toBe(10);
    expect(queue.admit('default/api', keys('api', 3))).toBe(0);
    clock.advance(29_000);
    queue.pump();
    expect(woken).toEqual([]);
    clock.advance(2_000);
    queue.pump();
    expect(woken).toEqual(['default/api']);
  });

  it('counts a launched task until it runs, for five seconds at most', () => {
    waiting = 1;
    expect(queue.admit('default/a', keys('a', 9))).toBe(9);
    show(keys('a', 9));
    expect(queue.admit('default/b', keys('b', 1))).toBe(0);
    // Launched: out of the caches' count, into the queue's own until it runs.
    waiting -= 1;
    queue.follow('default/web-1-0', fresh, staging);
    expect(woken).toEqual([]);
    queue.follow('default/web-1-0', staging, running);
    expect(woken).toEqual(['default/b']);

    // A task that takes long to start stops counting after five seconds.
    expect(queue.admit('default/b', keys('b', 1))).toBe(1);
    show(keys('b', 1));
    queue.admit('default/c', keys('c', 1));
    waiting -= 1;
    queue.follow('default/web-1-0', fresh, staging);
    clock.advance(4_999);
    queue.pump();
    expect(woken).toEqual(['default/b']);
    clock.advance(2);
    queue.pump();
    expect(woken).toEqual(['default/b', 'default/c']);
  });

  it('does not count a deleted or ended task, and refuses a limit below 1', () => {
    waiting = 8;
    queue.follow('default/web-1-0', fresh, staging);
    queue.follow('default/web-1-1', fresh, staging);
    expect(queue.admit('default/a', keys('a', 1))).toBe(0);
    const killed: Instance = { ...staging, status: { ...staging.status, state: 'TASK_KILLED' } };
    queue.follow('default/web-1-0', staging, killed);
    expect(woken).toEqual(['default/a']);
    expect(queue.admit('default/a', keys('a', 1))).toBe(1);
    queue.admit('default/b', keys('b', 1));
    queue.follow('default/web-1-1', staging, undefined);
    expect(woken).toEqual(['default/a', 'default/b']);
    expect(() => new LaunchQueue({ limit: 0, waiting: () => 0, wake: () => {}, clock })).toThrow(
      RangeError,
    );
  });

  it('opens slowly after a quiet spell: a quarter of the limit, one more per task that runs', () => {
    queue = queueOf(100, 25);
    expect(queue.admit('default/a', keys('a', 100))).toBe(25);
    show(keys('a', 25));
    expect(queue.window).toBe(25);
    // Ten launched: they still count until they run.
    const launched = keys('a', 10);
    for (const key of launched) {
      waiting--;
      queue.follow(key, fresh, staging);
    }
    expect(queue.admit('default/a', keys('a', 75, 25))).toBe(0);
    // Each one that runs makes room for itself and one more.
    for (const key of launched) queue.follow(key, staging, running);
    expect(queue.window).toBe(35);
    expect(queue.admit('default/a', keys('a', 75, 25))).toBe(20);
    show(keys('a', 20, 25));
    // A task that ended without running does not widen it.
    waiting--;
    queue.follow('default/a-1-10', fresh, staging);
    const failed: Instance = { ...staging, status: { ...staging.status, state: 'TASK_FAILED' } };
    queue.follow('default/a-1-10', staging, failed);
    expect(queue.window).toBe(35);
    // One that Mesos takes longer than the grace to start does, once it stops counting.
    waiting--;
    queue.follow('default/a-1-11', fresh, staging);
    clock.advance(5_000);
    queue.pump();
    expect(queue.window).toBe(36);
    // Once nothing waits, the next burst starts from a quarter again.
    waiting = 0;
    queue.forget('default/a');
    expect(queue.admit('default/b', keys('b', 100))).toBe(25);
    expect(queue.window).toBe(25);
  });

  it('starts with a quarter of the limit by default, at least a share', () => {
    const options = { waiting: () => 0, wake: () => {}, clock };
    expect(new LaunchQueue({ ...options, limit: 500 }).window).toBe(125);
    expect(new LaunchQueue({ ...options, limit: 20 }).window).toBe(5);
    expect(new LaunchQueue({ ...options, limit: 2 }).window).toBe(1);
  });
});
