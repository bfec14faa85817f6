import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frame, readFrames, readFramesFile, WalWriter } from '../../../src/store/embedded/wal.ts';

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

describe('WalWriter', () => {
  it('group-commits concurrent appends and keeps them in append order on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meseta-wal-'));
    try {
      const wal = WalWriter.create(dir, 1);
      const acknowledged: number[] = [];
      const appends = Array.from({ length: 5000 }, (_, i) =>
        wal.append((e) => e.str(`record ${i}`)).then(() => acknowledged.push(i)),
      );
      await Promise.all(appends);
      await wal.close();
      // Acknowledged in order, and each acknowledged record is readable, in order.
      expect(acknowledged).toEqual(Array.from({ length: 5000 }, (_, i) => i));
      const [segment] = readdirSync(dir);
      const read = readFramesFile(join(dir, segment!));
      expect(read.damage).toBeUndefined();
      expect(read.payloads.map((p) => p.subarray(4).toString('latin1'))).toEqual(
        Array.from({ length: 5000 }, (_, i) => `record ${i}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
