import { describe, expect, it } from 'vitest';
import { StreamError } from '../../../src/mesos/client/errors.ts';
import { EventStreamDecoder } from '../../../src/mesos/client/event-stream.ts';
import { EventHub, fromMesosEvent } from '../../../src/mesos/client/events.ts';
import { encodeEvent } from '../../../src/mesos/codec.ts';
import { encodeRecord } from '../../../src/mesos/recordio.ts';
import { silentLogger } from '../../../src/log.ts';
import { events } from '../fixtures.ts';

describe.each(['json', 'protobuf'] as const)('EventStreamDecoder (%s)', (format) => {
  const bytes = Buffer.concat(events.map((event) => encodeRecord(encodeEvent(event, format))));

  it('decodes the same events whatever the chunk size', () => {
    for (const size of [1, 7, 100, bytes.length]) {
      const decoder = new EventStreamDecoder(format);
      const out = [];
      for (let i = 0; i < bytes.length; i += size)
        out.push(...decoder.push(bytes.subarray(i, i + size)));
      decoder.end();
      expect(out.map((e) => e.type)).toEqual(events.map((e) => e.type));
      expect(decoder.count).toBe(events.length);
    }
  });

  it('reports a truncated stream as malformed, counting the events before it', () => {
    const decoder = new EventStreamDecoder(format);
    decoder.push(bytes.subarray(0, bytes.length - 1));
    const error = (() => {
      try {
        decoder.end();
      } catch (e) {
        return e as StreamError;
      }
    })();
    expect(error).toBeInstanceOf(StreamError);
    expect(error!.reason).toBe('malformed');
    expect(error!.message).toMatch(
      new RegExp(
        `^Malformed ${format} event stream after ${events.length - 1} events: Stream ended inside a record`,
      ),
    );
  });

  it('refuses an event larger than the maximum', () => {
    const decoder = new EventStreamDecoder(format, 10);
    expect(() => decoder.push(Buffer.from('11\n'))).toThrow(/exceeds the maximum of 10 bytes/);
  });
});

describe('fromMesosEvent', () => {
  it('maps every data-carrying Mesos event to a client event', () => {
    const mapped = events.map((event) => fromMesosEvent(event)?.type);
    expect(mapped.filter(Boolean).length).toBeGreaterThan(4);
    expect(fromMesosEvent({ type: 'HEARTBEAT' })).toBeUndefined();
  });
});

describe('EventHub', () => {
  it('gives every iterator every event in order, buffered, and ends them on close', async () => {
    const hub = new EventHub(silentLogger);
    const a = hub.iterate();
    const b = hub.iterate();
    hub.emit({ type: 'heartbeat' });
    hub.emit({ type: 'rescind', offerId: { value: 'o' } });
    const pending = a.next();
    hub.close();
    expect((await pending).value).toEqual({ type: 'heartbeat' });
    const rest = [];
    for await (const event of b) rest.push(event.type);
    expect(rest).toEqual(['heartbeat', 'rescind']);
    expect((await a.next()).value).toEqual({ type: 'rescind', offerId: { value: 'o' } });
    expect((await a.next()).done).toBe(true);
  });

  it('keeps delivering when a listener throws', () => {
    const hub = new EventHub(silentLogger);
    const seen: string[] = [];
    hub.on('heartbeat', () => {
      throw new Error('bug');
    });
    const off = hub.on('*', (event) => seen.push(event.type));
    hub.emit({ type: 'heartbeat' });
    off();
    hub.emit({ type: 'heartbeat' });
    expect(seen).toEqual(['heartbeat']);
  });
});
