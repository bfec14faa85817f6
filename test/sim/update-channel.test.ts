import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { UpdateChannel, parseUpdateFault } from '../../src/sim/update-channel.ts';

describe('update faults', () => {
  it('parses the control API bodies', () => {
    expect(parseUpdateFault({ kind: 'duplicate' })).toEqual({ kind: 'duplicate', count: 1 });
    expect(parseUpdateFault({ kind: 'delay', count: 2, delay_ms: 500 })).toEqual({
      kind: 'delay',
      count: 2,
      delayMs: 500,
    });
    expect(parseUpdateFault({ kind: 'delay' })).toBe("'delay_ms' must be a number >= 0");
    expect(parseUpdateFault({ kind: 'lose', count: 0 })).toBe("'count' must be a positive integer");
  });

  it('applies each fault to the next N updates, in order, then delivers normally', () => {
    const clock = new VirtualClock();
    const channel = new UpdateChannel(clock);
    const delivered: string[] = [];
    const send = (name: string) => () => delivered.push(name);
    channel.inject({ kind: 'lose', count: 2 });
    channel.inject({ kind: 'reorder', count: 1 });
    channel.deliver(send('a'));
    channel.deliver(send('b'));
    channel.deliver(send('c'));
    channel.deliver(send('d'));
    channel.deliver(send('e'));
    expect(delivered).toEqual(['d', 'c', 'e']);
    channel.inject({ kind: 'reorder', count: 1 });
    channel.deliver(send('f'));
    clock.advance(1000);
    expect(delivered).toEqual(['d', 'c', 'e', 'f']);
    expect(channel.affected).toEqual({ lose: 2, duplicate: 0, reorder: 2, delay: 0 });
  });
});
