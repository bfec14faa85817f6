/**
 * The write-ahead log: segment files of framed records, each frame
 * `[u32 payload length][u32 CRC32 of payload][payload]` (little-endian). Appends are
 * group-committed: records appended in one turn of the event loop, or while earlier batches are
 * being flushed, go out together in one write to a segment opened with O_DSYNC (the write returns
 * once its data, and the file size that reaches it, are on disk: fdatasync's guarantee, in the
 * same thread-pool job), and an append's promise resolves only once its record and every earlier
 * one are on disk. Reading stops at
 * the first frame that is short or fails its checksum, and says where, so a torn tail can be cut
 * off instead of misread.
 */
import { close, closeSync, constants, fsyncSync, openSync, readFileSync, write } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Encoder } from './record-codec.ts';
import { crc32 } from 'node:zlib';

const HEADER = 8;
/** No record is this large (etcd's request limit is 1.5 MiB); a bigger length is damage. */
const MAX_RECORD = 64 * 2 ** 20;

export function frame(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

export interface ReadFrames {
  payloads: Buffer[];
  /** Bytes of intact frames from the start; everything after is damaged or torn. */
  validBytes: number;
  /** Why reading stopped before the end of the file, if it did. */
  damage?: string;
}

/** Reads every intact frame of `bytes` up to the first damaged one. */
export function readFrames(bytes: Buffer): ReadFrames {
  const payloads: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < HEADER) {
      return { payloads, validBytes: at, damage: `short frame header at byte ${at}` };
    }
    const length = bytes.readUInt32LE(at);
    const sum = bytes.readUInt32LE(at + 4);
    if (length === 0 || length > MAX_RECORD) {
      return {
        payloads,
        validBytes: at,
        damage: `impossible frame length ${length} at byte ${at}`,
      };
    }
    if (bytes.length - at - HEADER < length) {
      return { payloads, validBytes: at, damage: `short frame at byte ${at}` };
    }
    const payload = bytes.subarray(at + HEADER, at + HEADER + length);
    if (crc32(payload) !== sum) {
      return { payloads, validBytes: at, damage: `checksum mismatch in frame at byte ${at}` };
    }
    payloads.push(payload);
    at += HEADER + length;
  }
  return { payloads, validBytes: at };
}

export function readFramesFile(path: string): ReadFrames {
  return readFrames(readFileSync(path));
}

export function segmentName(firstIndex: number): string {
  return `wal-${String(firstIndex).padStart(16, '0')}.log`;
}

export function segmentFirstIndex(name: string): number | undefined {
  const match = /^wal-(\d{16})\.log$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Makes a directory entry (a new or renamed file) durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Records appended together; they share one synchronous write. */
interface Batch {
  segment: Segment;
  encoder: Encoder;
  done: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
  synced: boolean;
  bytes: number;
  records: number;
}

interface Segment {
  name: string;
  fd: number;
  /** Where the next batch goes: batches are written at known offsets, possibly concurrently. */
  size: number;
}

const writeAsync = promisify(write);
const closeAsync = promisify(close);

/**
 * How many batches may be being written at once. Concurrent synchronous writes to one file let
 * the file system commit them together, which multiplies throughput on slow disks.
 */
const CONCURRENT_FLUSHES = 3;
/** A batch this large starts flushing without waiting for the end of the event-loop turn. */
const EARLY_FLUSH_BYTES = 64 * 1024;
/**
 * A batch of this many records starts at once too. A client that sends requests in bursts (64
 * puts, say, all handled in one event-loop turn) then gets the first replies while the rest of
 * the burst is still being handled and written, and works on them meanwhile, instead of both
 * sides taking turns to wait for one commit of the whole burst.
 */
const EARLY_FLUSH_RECORDS = 16;

export class WalWriter {
  private segment: Segment;
  private readonly segments: Segment[] = [];
  /** Batches not yet started; appends go to the last one. */
  private queue: Batch[] = [];
  /** Started batches, oldest first; each is acknowledged only after every older one. */
  private inFlight: Batch[] = [];
  private pumpScheduled = false;
  private failure: Error | undefined;
  bytesWritten = 0;
  /** Size of the last batch written: the next batch's buffer starts that big, to avoid regrowth. */
  private lastBatchBytes = 0;
  /**
   * Buffers of batches already written, for the next batches: a group commit of a few records
   * would otherwise allocate (and leave to the garbage collector) a 64 KiB buffer each.
   */
  private readonly spareBuffers: Buffer[] = [];

  private constructor(
    private readonly dir: string,
    first: Segment,
  ) {
    this.segment = first;
    this.segments.push(first);
  }

  /** Starts a new segment whose first record will have index `firstIndex`. */
  static create(dir: string, firstIndex: number): WalWriter {
    return new WalWriter(dir, openSegment(dir, firstIndex));
  }

  /** True while some appended record is not yet on disk. */
  get busy(): boolean {
    return this.inFlight.length > 0 || this.queue.length > 0;
  }

  /**
   * Frames the payload that `encode` writes and queues it. Resolves when it (and everything
   * appended before it) is durable; rejects if a disk write failed. Payloads are encoded
   * straight into the batch's buffer.
   */
  append(encode: (encoder: Encoder) => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let batch = this.queue[this.queue.length - 1];
    if (!batch || batch.segment !== this.segment) {
      batch = newBatch(this.segment, this.lastBatchBytes, this.spareBuffers.pop());
      this.queue.push(batch);
    }
    batch.encoder.frame(encode);
    batch.records++;
    // A big batch goes now, so its write overlaps the work of producing the next one.
    if (batch.encoder.position >= EARLY_FLUSH_BYTES || batch.records >= EARLY_FLUSH_RECORDS) {
      this.pump();
    }
    if (!this.pumpScheduled) {
      // Let every append of this turn of the event loop join the batch before it starts.
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
    return batch.done;
  }

  /** Resolves once everything appended so far is durable. */
  barrier(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    // The newest batch is enough: batches are acknowledged in order.
    const last = this.queue[this.queue.length - 1] ?? this.inFlight[this.inFlight.length - 1];
    return last ? last.done : Promise.resolve();
  }

  /**
   * Sends later appends to a fresh segment starting at `firstIndex`, and returns the names of
   * the segments before it, which may be deleted once a snapshot covering them is durable and
   * `barrier()` has resolved. Synchronous, so that no append can slip in between the caller's
   * snapshot of the state and the switch.
   */
  rotate(firstIndex: number): string[] {
    const next = openSegment(this.dir, firstIndex);
    const older = this.segments.map((s) => s.name);
    this.segment = next;
    this.segments.push(next);
    return older;
  }

  /** Closes segments that are no longer written to (after `rotate` and a barrier). */
  async retire(names: string[]): Promise<void> {
    for (const name of names) {
      const i = this.segments.findIndex((s) => s.name === name);
      if (i < 0 || this.segments[i] === this.segment) continue;
      await closeAsync(this.segments[i]!.fd);
      this.segments.splice(i, 1);
    }
  }

  async close(): Promise<void> {
    await this.barrier().catch(() => {});
    for (const s of this.segments) await closeAsync(s.fd);
    this.segments.length = 0;
  }

  /** Starts queued batches while there is room. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight.length < CONCURRENT_FLUSHES) {
      const next = this.queue[0]!;
      // A new segment starts only once the old one is durable, so a damaged tail can only
      // ever be in the newest segment that holds data.
      if (this.inFlight.length > 0 && this.inFlight[0]!.segment !== next.segment) return;
      this.queue.shift();
      this.inFlight.push(next);
      void this.flush(next);
    }
  }

  private async flush(batch: Batch): Promise<void> {
    try {
      const bytes = batch.encoder.finish();
      const segment = batch.segment;
      const offset = segment.size;
      segment.size += bytes.length;
      batch.bytes = bytes.length;
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await writeAsync(
          segment.fd,
          bytes,
          written,
          bytes.length - written,
          offset + written,
        );
        written += bytesWritten;
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.failure) return;
    batch.synced = true;
    while (this.inFlight[0]?.synced) {
      const done = this.inFlight.shift()!;
      this.bytesWritten += done.bytes;
      this.lastBatchBytes = done.bytes;
      const buffer = done.encoder.buffer;
      if (this.spareBuffers.length < SPARE_BUFFERS && buffer.length <= MAX_SPARE_BYTES) {
        this.spareBuffers.push(buffer);
      }
      done.resolve();
    }
    this.pump();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const b of [...this.inFlight, ...this.queue]) b.reject(error);
    this.inFlight = [];
    this.queue = [];
  }
}

/** Written batches' buffers kept for reuse: one per flush in flight, and one being filled. */
const SPARE_BUFFERS = CONCURRENT_FLUSHES + 1;
/** A buffer grown past this (a huge write) is not kept. */
const MAX_SPARE_BYTES = 2 ** 20;

function newBatch(segment: Segment, expectedBytes: number, spare: Buffer | undefined): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // A failed batch rejects every caller; none of them may leave it unhandled.
  done.catch(() => {});
  const size = Math.min(Math.max(64 * 1024, Math.ceil(expectedBytes * 1.25)), 16 * 2 ** 20);
  return {
    segment,
    encoder: new Encoder(spare && spare.length >= size ? spare : size),
    done,
    resolve,
    reject,
    synced: false,
    bytes: 0,
    records: 0,
  };
}

function openSegment(dir: string, firstIndex: number): Segment {
  const name = segmentName(firstIndex);
  // Truncates: a segment of this name can only be an empty one left by an earlier run. O_DSYNC
  // makes each write durable before it returns; fdatasync after it would cost a second
  // thread-pool round trip per group commit, which shows on a loaded machine.
  const fd = openSync(
    join(dir, name),
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC,
  );
  fsyncDir(dir);
  return { name, fd, size: 0 };
}
