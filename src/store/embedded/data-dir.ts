/**
 * The embedded server's data directory: a snapshot plus write-ahead log segments.
 *
 *   <dir>/LOCK                       pid of the process that has the directory open
 *   <dir>/member                     cluster and member ids (JSON), fixed at creation
 *   <dir>/snapshot                   the full state as of log index N (framed records)
 *   <dir>/wal-<first index>.log      log segments, replayed in order after the snapshot
 *
 * Promises: a record is acknowledged only after it is fsync'd; a snapshot appears only whole
 * (temp file, fsync, rename, fsync of the directory), and log segments it covers are deleted
 * only after that. On open, a torn or corrupt tail of the newest segment is reported and cut
 * off; damage anywhere else stops the open with an error naming the file and byte.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { MesetaError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { decodeRecord, encodeRecord, type LogRecord } from './record-codec.ts';
import type { Change } from './requests.ts';
import { fsyncDir, readFramesFile, segmentFirstIndex, WalWriter } from './wal.ts';

export interface MemberIds {
  /** Decimal strings of etcd's uint64 cluster and member ids. */
  clusterId: string;
  memberId: string;
}

export interface Recovered {
  /** Snapshot frame payloads (see snapshot.ts), absent for a new directory. */
  snapshot?: Buffer[];
  /** Log records after the snapshot, in index order. */
  records: LogRecord[];
  member: MemberIds;
}

export class DataDirError extends MesetaError {
  constructor(dir: string, message: string) {
    super('DataDir', `${dir}: ${message}`);
  }
}

export class DataDir {
  private snapshotting: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    private readonly wal: WalWriter,
    private readonly log: Logger,
    /** Bytes in the snapshot file, for status. */
    private snapshotBytes: number,
  ) {}

  /**
   * Opens (creating if needed) `dir`, recovers its contents, and starts a fresh log segment for
   * the records after the last one recovered.
   */
  static async open(dir: string, log: Logger): Promise<{ dataDir: DataDir; recovered: Recovered }> {
    mkdirSync(dir, { recursive: true });
    lock(dir);
    const member = memberIds(dir);
    const snapshotPath = join(dir, 'snapshot');
    let snapshot: Buffer[] | undefined;
    let snapshotIndex = 0;
    let snapshotBytes = 0;
    if (existsSync(snapshotPath)) {
      const read = readFramesFile(snapshotPath);
      if (read.damage) throw new DataDirError(dir, `snapshot is damaged: ${read.damage}`);
      snapshot = read.payloads;
      snapshotIndex = snapshotIndexOf(snapshot);
      snapshotBytes = statSync(snapshotPath).size;
    }
    const records = recoverLog(dir, snapshotIndex, log);
    const next = (records[records.length - 1]?.index ?? snapshotIndex) + 1;
    const wal = WalWriter.create(dir, next);
    wal.bytesWritten = logBytes(dir);
    return {
      dataDir: new DataDir(dir, wal, log, snapshotBytes),
      recovered: { ...(snapshot ? { snapshot } : {}), records, member },
    };
  }

  /** Logs `record`, whose key changes are `changes`; resolves once it is durable. */
  append(record: LogRecord, changes: readonly Change[]): Promise<void> {
    return this.wal.append((encoder) => encodeRecord(record, encoder, changes));
  }

  /** True while an appended record is not yet durable. */
  get busy(): boolean {
    return this.wal.busy;
  }

  barrier(): Promise<void> {
    return this.wal.barrier();
  }

  get sizeBytes(): number {
    return this.snapshotBytes + this.wal.bytesWritten;
  }

  /**
   * Writes a snapshot (framed records, see snapshot.ts) of the state as of log index `index`.
   * It must have been encoded in the same tick as this call, so that every later record goes to
   * the new segment started here. Resolves when the snapshot is durable and the log it covers
   * is gone.
   */
  snapshot(index: number, framed: Buffer): Promise<void> {
    if (this.snapshotting) return this.snapshotting;
    this.snapshotting = this.writeSnapshot(index, framed).finally(() => {
      this.snapshotting = undefined;
    });
    return this.snapshotting;
  }

  private async writeSnapshot(index: number, framed: Buffer): Promise<void> {
    const older = this.wal.rotate(index + 1);
    const temp = join(this.dir, 'snapshot.tmp');
    const handle = await open(temp, 'w');
    try {
      for (let at = 0; at < framed.length; at += 1 << 20) {
        const chunk = framed.subarray(at, Math.min(framed.length, at + (1 << 20)));
        let written = 0;
        while (written < chunk.length) {
          written += (await handle.write(chunk, written, chunk.length - written, at + written))
            .bytesWritten;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    renameSync(temp, join(this.dir, 'snapshot'));
    fsyncDir(this.dir);
    this.snapshotBytes = framed.length;
    // Older segments may still have records in flight; let them land before closing them.
    await this.wal.barrier();
    await this.wal.retire(older);
    for (const name of older) unlinkSync(join(this.dir, name));
    this.wal.bytesWritten = 0;
    this.log.debug('snapshot written', { dir: this.dir, index, bytes: framed.length });
  }

  /** Bytes of log written since the last snapshot. */
  get logBytes(): number {
    return this.wal.bytesWritten;
  }

  /** Size of the last snapshot, to size the buffer of the next one. */
  get lastSnapshotBytes(): number {
    return this.snapshotBytes;
  }

  get snapshotInProgress(): boolean {
    return this.snapshotting !== undefined;
  }

  async close(): Promise<void> {
    await this.snapshotting?.catch(() => {});
    await this.wal.close();
    unlock(this.dir);
  }
}

function snapshotIndexOf(payloads: Buffer[]): number {
  const head = payloads[0];
  if (!head || head.length < 9 || head[0] !== 1) throw new Error('snapshot has no header');
  return head.readDoubleLE(1);
}

/** Replays segments in order; cuts a damaged tail off the newest one that holds anything. */
function recoverLog(dir: string, snapshotIndex: number, log: Logger): LogRecord[] {
  const segments = readdirSync(dir)
    .filter((name) => segmentFirstIndex(name) !== undefined)
    .sort();
  const records: LogRecord[] = [];
  let expected = snapshotIndex + 1;
  for (let s = 0; s < segments.length; s++) {
    const name = segments[s]!;
    const path = join(dir, name);
    const read = readFramesFile(path);
    if (read.damage) {
      const laterHoldData = segments
        .slice(s + 1)
        .some((later) => statSync(join(dir, later)).size > 0);
      if (laterHoldData) {
        throw new DataDirError(dir, `${name} is damaged before its end (${read.damage})`);
      }
      const size = statSync(path).size;
      log.warn('dropping a torn or corrupt log tail', {
        file: path,
        reason: read.damage,
        droppedBytes: size - read.validBytes,
      });
      truncateSync(path, read.validBytes);
    }
    for (const payload of read.payloads) {
      let record: LogRecord;
      try {
        record = decodeRecord(payload);
      } catch (error) {
        throw new DataDirError(dir, `${name}: undecodable record: ${(error as Error).message}`);
      }
      if (record.index < expected) continue; // covered by the snapshot
      if (record.index !== expected) {
        throw new DataDirError(
          dir,
          `${name}: log jumps from index ${expected - 1} to ${record.index}`,
        );
      }
      records.push(record);
      expected++;
    }
  }
  return records;
}

function logBytes(dir: string): number {
  return readdirSync(dir)
    .filter((name) => segmentFirstIndex(name) !== undefined)
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

function memberIds(dir: string): MemberIds {
  const path = join(dir, 'member');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as MemberIds;
  // etcd's ids are random uint64s; keep them below 2^63 so every client reads them alike.
  const id = () => (randomBytes(8).readBigUInt64LE() >> 1n).toString();
  const ids = { clusterId: id(), memberId: id() };
  writeFileSync(path, JSON.stringify(ids) + '\n');
  fsyncDir(dir);
  return ids;
}

function lock(dir: string): void {
  const path = join(dir, 'LOCK');
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (pid && pid !== process.pid && alive(pid)) {
      throw new DataDirError(dir, `in use by process ${pid} (remove ${path} if that is wrong)`);
    }
  }
  writeFileSync(path, `${process.pid}\n`);
}

function unlock(dir: string): void {
  try {
    unlinkSync(join(dir, 'LOCK'));
  } catch {
    // Already gone: nothing to release.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
