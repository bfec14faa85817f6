import { describe, expect, it } from 'vitest';
import { frame, readFrames } from '../../../src/store/embedded/wal.ts';

const payloads = ['one', 'two', 'three'].map((s) => Buffer.from(s));
const log = Buffer.concat(payloads.map(frame));

describe('WAL frames', () => {
  it('reads back every intact frame', () => {
    const read = readFrames(log);
    expect(read.payloads.map(String)).toEqual(['one', 'two', 'three']);
    expect(read.validBytes).toBe(log.length);
    expect(read.damage).toBeUndefined();
  });

  it('stops before a frame cut short, whether in its header or its payload', () => {
    const lastStart = log.length - frame(Buffer.from('three')).length;
    for (const cut of [lastStart + 3, lastStart + 10, log.length - 1]) {
      const read = readFrames(log.subarray(0, cut));
      expect(read.payloads.map(String)).toEqual(['one', 'two']);
      expect(read.validBytes).toBe(lastStart);
      expect(read.damage).toMatch(/short frame/);
    }
  });

  it('stops at a frame whose checksum does not match, never returning its bytes', () => {
    const damaged = Buffer.from(log);
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 2) ^ 0xff, damaged.length - 2);
    const read = readFrames(damaged);
    expect(read.payloads.map(String)).toEqual(['one', 'two']);
    expect(read.damage).toMatch(/checksum mismatch/);
  });

  it('treats a zero or absurd length as damage rather than reading on', () => {
    const zeros = Buffer.concat([log, Buffer.alloc(64)]);
    expect(readFrames(zeros)).toMatchObject({ validBytes: log.length });
    expect(readFrames(zeros).damage).toMatch(/impossible frame length 0/);
  });
});
