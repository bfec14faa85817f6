import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.ts';
import { MvccEngine } from '../../../src/store/embedded/mvcc.ts';
import { frame } from '../../../src/store/embedded/wal.ts';

let dir: string;
const open: MvccEngine[] = [];
const start = async (options: Partial<Parameters<typeof MvccEngine.open>[0]> = {}) => {
  const engine = await MvccEngine.open({ dataDir: dir, ...options });
  open.push(engine);
  return engine;
};
const v = (s: string) => s;
const segments = () =>
  readdirSync(dir)
    .filter((name) => name.startsWith('wal-'))
    .sort();
const values = async (engine: MvccEngine, revision = 0) =>
  Object.fromEntries(
    (await engine.range({ key: '\0', rangeEnd: '\0', revision })).kvs.map((kv) => [
      kv.key,
      kv.value.toString(),
    ]),
  );

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meseta-store-'));
});
afterEach(async () => {
  for (const engine of open.splice(0)) await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('data directory', () => {
  it('keeps every acknowledged write across a restart without a clean close', async () => {
    const clock = new VirtualClock(5_000);
    const first = await start({ clock });
    const writes = Array.from({ length: 500 }, (_, i) =>
      first.put({ key: `k${String(i).padStart(3, '0')}`, value: v(String(i)) }),
    );
    await Promise.all(writes);
    const { id } = await first.leaseGrant(30);
    await first.put({ key: 'leased', value: v('x'), lease: id });
    await first.deleteRange({ key: 'k000' });
    await first.compact(100);
    // No close: the second engine reads what the first acknowledged, as after a crash.
    const second = await start({ clock });
    expect(second.revision).toBe(first.revision);
    expect(second.compactRevision).toBe(100);
    expect(await values(second)).toEqual(await values(first));
    expect(second.leaseTimeToLive(id, true)).toMatchObject({ grantedTtl: 30, keys: ['leased'] });
    expect(() => second.range({ key: 'k001', revision: 99 })).toThrow('compacted');
  });

  it('drops a half-written last record and carries on', async () => {
    const first = await start();
    await first.put({ key: 'a', value: v('1') });
    await first.put({ key: 'b', value: v('2') });
    await first.close();
    const [segment] = segments();
    const path = join(dir, segment!);
    const intact = statSync(path).size;
    appendFileSync(path, frame(Buffer.alloc(100, 7)).subarray(0, 50));

    const second = await start();
    expect(await values(second)).toEqual({ a: '1', b: '2' });
    expect(statSync(path).size).toBe(intact);
    await second.put({ key: 'c', value: v('3') });
    await second.close();
    const third = await start();
    expect(await values(third)).toEqual({ a: '1', b: '2', c: '3' });
    expect(third.revision).toBe(4);
  });

  it('drops a last record whose checksum does not match instead of misreading it', async () => {
    const first = await start();
    await first.put({ key: 'a', value: v('1') });
    await first.close();
    const path = join(dir, segments()[0]!);
    const forged = frame(Buffer.from('not a record'));
    forged.writeUInt32LE((forged.readUInt32LE(4) ^ 1) >>> 0, 4);
    appendFileSync(path, forged);
    const second = await start();
    expect(await values(second)).toEqual({ a: '1' });
    expect(second.revision).toBe(2);
  });

  it('refuses to open when a log segment is damaged before later records', async () => {
    const first = await start();
    await first.put({ key: 'a', value: v('1') });
    await first.close();
    const second = await start();
    await second.put({ key: 'b', value: v('2') });
    await second.close();
    const [older] = segments();
    appendFileSync(join(dir, older!), Buffer.from('garbage!garbage!'));
    await expect(start()).rejects.toThrow(/damaged before its end/);
  });

  it('snapshots, drops the log it covers, and restores history from the snapshot', async () => {
    const first = await start({ snapshotEvery: 50 });
    for (let i = 0; i < 120; i++) await first.put({ key: `k${i % 7}`, value: v(String(i)) });
    const before = await values(first);
    await first.close();
    expect(existsSync(join(dir, 'snapshot'))).toBe(true);
    expect(segments().length).toBeLessThanOrEqual(2);
    const second = await start();
    expect(second.revision).toBe(121);
    expect(await values(second)).toEqual(before);
    expect(await values(second, 10)).toEqual({
      k0: '7',
      k1: '8',
      k2: '2',
      k3: '3',
      k4: '4',
      k5: '5',
      k6: '6',
    });
  });

  it('restores compaction and leases from a snapshot', async () => {
    const clock = new VirtualClock(0);
    const first = await start({ snapshotEvery: 10, clock });
    const { id } = await first.leaseGrant(60);
    for (let i = 0; i < 30; i++) await first.put({ key: `k${i % 3}`, value: v(String(i)) });
    await first.put({ key: 'leased', value: v('x'), lease: id });
    await first.compact(20);
    for (let i = 0; i < 30; i++) await first.put({ key: 'tail', value: v(String(i)) });
    await first.close();
    expect(existsSync(join(dir, 'snapshot'))).toBe(true);
    clock.advance(50_000);
    const second = await start({ clock });
    expect(second.compactRevision).toBe(20);
    expect(() => second.range({ key: 'k0', revision: 19 })).toThrow('compacted');
    expect((await second.range({ key: 'k2', revision: 20 })).kvs[0]?.value).toBe('17');
    // A restart starts lease TTLs afresh, as etcd does.
    expect(second.leaseTimeToLive(id, true)).toMatchObject({ ttl: 60, keys: ['leased'] });
  });

  it('refuses a directory another live process holds', async () => {
    appendFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    await expect(start()).rejects.toThrow(/in use by process/);
  });
});
