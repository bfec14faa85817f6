/**
 * The binary encoding of what the engine persists: log records (one per write, lease change or
 * compaction) and the pieces of a snapshot. Framing and checksums are the log's business
 * (see wal.ts); this module only turns values into bytes and back, and rejects bytes it does not
 * understand instead of guessing.
 */

import { crc32Range } from './crc32.ts';
import type { Change } from './requests.ts';

/** One change to durable state, in the order it was applied. */
export type Mutation =
  | { op: 'put'; key: string; value: string; lease: string }
  | { op: 'del'; key: string }
  | { op: 'grant'; id: string; ttl: number }
  | { op: 'revoke'; id: string }
  | { op: 'compact'; revision: number };

/** What one log record holds: every mutation of one engine step, and the revision after it. */
export interface LogRecord {
  /** Position in the log, 1-based and gapless; a snapshot records the last index it covers. */
  index: number;
  revision: number;
  mutations: Mutation[];
}

const opCode = { put: 1, del: 2, grant: 3, revoke: 4, compact: 5 } as const;

export class Encoder {
  private buf: Buffer;
  private at = 0;

  /** Encodes into a fresh buffer of `size` bytes, or into `size` itself (reusing it). */
  constructor(size: number | Buffer = 256) {
    this.buf = typeof size === 'number' ? Buffer.allocUnsafe(size) : size;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  u8(n: number): this {
    this.room(1);
    this.buf[this.at++] = n;
    return this;
  }

  u32(n: number): this {
    this.room(4);
    this.buf.writeUInt32LE(n, this.at);
    this.at += 4;
    return this;
  }

  /** Revisions, indexes and TTLs: integers below 2^53, stored as doubles. */
  num(n: number): this {
    this.room(8);
    this.buf.writeDoubleLE(n, this.at);
    this.at += 8;
    return this;
  }

  /** A byte string (engine keys and values, lease ids). */
  str(s: string): this {
    const n = s.length;
    this.u32(n);
    this.room(n);
    if (n < 64) {
      // Short strings: a loop is cheaper than crossing into C++ for Buffer#write.
      const buf = this.buf;
      for (let i = 0, at = this.at; i < n; i++) buf[at + i] = s.charCodeAt(i);
      this.at += n;
    } else {
      this.at += this.buf.write(s, this.at, 'latin1');
    }
    return this;
  }

  bytes(b: Uint8Array): this {
    this.u32(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  get position(): number {
    return this.at;
  }

  /**
   * Writes one log frame, `[u32 length][u32 CRC-32][payload]`, with the payload that `encode`
   * writes (see wal.ts).
   */
  frame(encode: (e: this) => void): this {
    const at = this.at;
    this.u32(0).u32(0);
    encode(this);
    this.buf.writeUInt32LE(this.at - at - 8, at);
    this.buf.writeUInt32LE(crc32Range(this.buf, at + 8, this.at), at + 4);
    return this;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  /** The whole buffer written into (grown, perhaps), for reuse once nothing reads it. */
  get buffer(): Buffer {
    return this.buf;
  }
}

export class Decoder {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new Error('record ends early');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  u32(): number {
    this.need(4);
    const n = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return n;
  }

  num(): number {
    this.need(8);
    const n = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return n;
  }

  str(): string {
    const n = this.u32();
    this.need(n);
    const s = this.buf.toString('latin1', this.at, this.at + n);
    this.at += n;
    return s;
  }

  bytes(): Buffer {
    const n = this.u32();
    this.need(n);
    // A copy: the source buffer is a whole file read that should not stay alive.
    const b = Buffer.from(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    return b;
  }

  get done(): boolean {
    return this.at === this.buf.length;
  }
}

/**
 * Encodes a record into `e`. The key changes of a write are passed as `changes` (encoded as
 * the put and del mutations they are) so the hot path builds no mutation objects; they come
 * before `record.mutations`.
 */
export function encodeRecord(record: LogRecord, e: Encoder, changes: readonly Change[] = []): void {
  e.num(record.index)
    .num(record.revision)
    .u32(changes.length + record.mutations.length);
  for (const c of changes) {
    if (c.type === 'put') e.u8(opCode.put).str(c.kv.key).str(c.kv.value).str(c.kv.lease);
    else e.u8(opCode.del).str(c.kv.key);
  }
  for (const m of record.mutations) {
    e.u8(opCode[m.op]);
    switch (m.op) {
      case 'put':
        e.str(m.key).str(m.value).str(m.lease);
        break;
      case 'del':
        e.str(m.key);
        break;
      case 'grant':
        e.str(m.id).num(m.ttl);
        break;
      case 'revoke':
        e.str(m.id);
        break;
      case 'compact':
        e.num(m.revision);
        break;
    }
  }
}

export function decodeRecord(payload: Buffer): LogRecord {
  const d = new Decoder(payload);
  const index = d.num();
  const revision = d.num();
  const count = d.u32();
  const mutations: Mutation[] = [];
  for (let i = 0; i < count; i++) {
    const code = d.u8();
    switch (code) {
      case opCode.put:
        mutations.push({ op: 'put', key: d.str(), value: d.str(), lease: d.str() });
        break;
      case opCode.del:
        mutations.push({ op: 'del', key: d.str() });
        break;
      case opCode.grant:
        mutations.push({ op: 'grant', id: d.str(), ttl: d.num() });
        break;
      case opCode.revoke:
        mutations.push({ op: 'revoke', id: d.str() });
        break;
      case opCode.compact:
        mutations.push({ op: 'compact', revision: d.num() });
        break;
      default:
        throw new Error(`unknown mutation code ${code}`);
    }
  }
  if (!d.done) throw new Error('trailing bytes after record');
  return { index, revision, mutations };
}
