import { describe, expect, it } from 'vitest';
import { RecordIOError } from '../../src/mesos/errors.ts';
import { RecordDecoder, encodeRecord, readRecords } from '../../src/mesos/recordio.ts';

/** A small deterministic PRNG (mulberry32), so a failing split can be reproduced. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function splitRandomly(data: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    const size = 1 + Math.floor(random() * Math.min(64, data.length - pos));
    chunks.push(data.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}

describe('RecordIO', () => {
  it('frames a record as its byte length, a newline and the bytes', () => {
    expect(encodeRecord('{"type":"HEARTBEAT"}').toString()).toBe('20\n{"type":"HEARTBEAT"}');
    expect(encodeRecord('é').toString()).toBe('2\né');
    expect(() => encodeRecord('')).toThrow(RecordIOError);
  });

  it('decodes the same records whatever the chunk boundaries', () => {
    const random = prng(42);
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) =>
        Buffer.from(`{"n":${i},"pad":"${'x'.repeat(Math.floor(random() * 300))}"}`),
      );
      const stream = Buffer.concat(records.map((record) => encodeRecord(record)));
      const decoder = new RecordDecoder();
      const decoded = splitRandomly(stream, random).flatMap((chunk) => decoder.push(chunk));
      decoder.end();
      expect(decoded).toEqual(records);
    }
  });

  it('returns several records from one chunk and a large record split in many', () => {
    const decoder = new RecordDecoder();
    expect(decoder.push(Buffer.from('1\na2\nbc3\ndef'))).toEqual(
      ['a', 'bc', 'def'].map((s) => Buffer.from(s)),
    );
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const framed = encodeRecord(big);
    const out: Buffer[] = [];
    for (let pos = 0; pos < framed.length; pos += 65536) {
      out.push(...decoder.push(framed.subarray(pos, pos + 65536)));
    }
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(big)).toBe(true);
    decoder.end();
  });

  it('rejects a non-digit length, a zero length, an empty line and an oversized record', () => {
    expect(() => new RecordDecoder().push(Buffer.from('1x\na'))).toThrow(
      'Expected a decimal record length, found byte 0x78',
    );
    expect(() => new RecordDecoder().push(Buffer.from('0\n'))).toThrow(
      'Record length must not be zero',
    );
    expect(() => new RecordDecoder().push(Buffer.from('\n'))).toThrow('empty line');
    expect(() => new RecordDecoder({ maxRecordBytes: 10 }).push(Buffer.from('11\n'))).toThrow(
      'Record length 11 exceeds the maximum of 10 bytes',
    );
    expect(() => new RecordDecoder().push(Buffer.from('1'.repeat(21)))).toThrow('too long');
  });

  it('stays failed after an error', () => {
    const decoder = new RecordDecoder();
    expect(() => decoder.push(Buffer.from('x'))).toThrow(RecordIOError);
    expect(() => decoder.push(Buffer.from('1\na'))).toThrow(RecordIOError);
  });

  it('reports a stream that ends inside a record or its length', () => {
    const inData = new RecordDecoder();
    expect(inData.push(Buffer.from('5\nab'))).toEqual([]);
    expect(() => inData.end()).toThrow('Stream ended inside a record: got 2 of 5 bytes');
    const inHeader = new RecordDecoder();
    inHeader.push(Buffer.from('1\na12'));
    expect(() => inHeader.end()).toThrow('Stream ended inside a record length');
  });

  it('reads records from an async stream of chunks', async () => {
    async function* chunks() {
      yield Buffer.from('3\nabc4');
      yield Buffer.from('\nde');
      yield Buffer.from('fg');
    }
    const seen: string[] = [];
    for await (const record of readRecords(chunks())) seen.push(record.toString());
    expect(seen).toEqual(['abc', 'defg']);

    async function* truncated() {
      yield Buffer.from('3\nab');
    }
    await expect(async () => {
      for await (const _ of readRecords(truncated())) void _;
    }).rejects.toThrow(RecordIOError);
  });
});
