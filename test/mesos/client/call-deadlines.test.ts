import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.ts';
import { CallDeadlines } from '../../../src/mesos/client/call-deadlines.ts';
import { MasterUnreachableError } from '../../../src/mesos/client/errors.ts';

describe('CallDeadlines', () => {
  it('aborts each call at its own deadline, with one timer for all of them', () => {
    const clock = new VirtualClock(1000);
    const deadlines = new CallDeadlines(clock, 100);
    const aborted: string[] = [];
    const first = deadlines.start('REVIVE to http://m1:5050');
    first.onAbort = () => aborted.push('first');
    clock.advance(30);
    const second = deadlines.start('KILL to http://m1:5050');
    second.onAbort = () => aborted.push('second');
    expect(clock.pending()).toBe(1);

    clock.advance(69);
    expect(aborted).toEqual([]);
    clock.advance(1);
    expect(aborted).toEqual(['first']);
    expect(first.reason).toBeInstanceOf(MasterUnreachableError);
    expect(first.reason!.message).toBe('REVIVE to http://m1:5050: no answer within 100 ms');
    expect(second.reason).toBeUndefined();
    clock.advance(29);
    expect(aborted).toEqual(['first']);
    clock.advance(1);
    expect(aborted).toEqual(['first', 'second']);
    expect(second.reason!.message).toBe('KILL to http://m1:5050: no answer within 100 ms');
    expect(deadlines.size).toBe(0);
  });

  it('forgets finished calls and leaves no timer once none is in flight', () => {
    const clock = new VirtualClock();
    const deadlines = new CallDeadlines(clock, 100);
    const done = deadlines.start('ACKNOWLEDGE to http://m1:5050');
    const open = deadlines.start('ACKNOWLEDGE to http://m1:5050');
    deadlines.finish(done);
    clock.advance(100);
    expect(done.reason).toBeUndefined();
    expect(open.reason).toBeInstanceOf(MasterUnreachableError);

    const last = deadlines.start('DECLINE to http://m1:5050');
    expect(clock.pending()).toBe(1);
    deadlines.finish(last);
    expect(clock.pending()).toBe(0);
  });

  it('abortAll aborts every call in flight with the reason, once', () => {
    const clock = new VirtualClock();
    const deadlines = new CallDeadlines(clock, 100);
    const reasons: Error[] = [];
    const calls = [deadlines.start('A to m'), deadlines.start('B to m')];
    for (const call of calls) call.onAbort = (reason) => reasons.push(reason);
    const stop = new Error('the scheduler client stopped');
    deadlines.abortAll(stop);
    clock.advance(1000);
    expect(reasons).toEqual([stop, stop]);
    expect(clock.pending()).toBe(0);
  });
});
