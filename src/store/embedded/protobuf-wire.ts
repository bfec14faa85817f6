/**
 * Protocol Buffers wire format primitives for the hand-written etcd message codecs
 * (kv-messages.ts): a reader over one message's bytes and a writer into a preallocated buffer.
 * Byte strings are engine byte strings (latin1 JavaScript strings, see key-space.ts), so keys and
 * values go between the wire and the engine without a Buffer per field. The reader rejects
 * truncated or malformed input with a `ProtoDecodeError` instead of guessing.
 */

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(`invalid protobuf message: ${message}`);
    this.name = 'ProtoDecodeError';
  }
}

const TWO_32 = 2 ** 32;

/** Reads the fields of one message from `buf[pos, end)`. */
export class ProtoReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  get more(): boolean {
    return this.pos < this.end;
  }

  /**
   * An unsigned varint that fits in 53 bits (field tags, lengths, and int64 values in the
   * common range). Negative int64s and values of 2^53 or more are decoded by `int64`.
   */
  private smallVarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (pos >= this.end) throw new ProtoDecodeError('truncated varint');
      const byte = buf[pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        return result;
      }
      scale *= 128;
    }
    return -1; // 8 or more bytes: over 2^56, handled by the caller
  }

  /** An int64 varint as a BigInt, two's complement (up to 10 bytes). */
  private bigVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoDecodeError('truncated varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  /** A field key: field number * 8 + wire type. */
  tag(): number {
    const tag = this.smallVarint();
    if (tag < 0 || tag >= TWO_32) throw new ProtoDecodeError('field tag out of range');
    return tag;
  }

  /** An int64 (or enum, or uint32) as a number; exact below 2^53, the nearest double above. */
  int64(): number {
    const start = this.pos;
    const small = this.smallVarint();
    if (small >= 0 && small <= Number.MAX_SAFE_INTEGER) return small;
    this.pos = start;
    return Number(this.bigVarint());
  }

  /** An int64 as an exact decimal string (lease ids may use all 64 bits). */
  int64String(): string {
    const start = this.pos;
    const small = this.smallVarint();
    if (small >= 0 && small <= Number.MAX_SAFE_INTEGER) return String(small);
    this.pos = start;
    return this.bigVarint().toString();
  }

  bool(): boolean {
    return this.int64() !== 0;
  }

  private length(): number {
    const n = this.smallVarint();
    if (n < 0 || n > this.end - this.pos) throw new ProtoDecodeError('length past end of message');
    return n;
  }

  /** A bytes field as an engine byte string. */
  bytes(): string {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return this.buf.toString('latin1', start, start + n);
  }

  /** A reader over an embedded message, advancing this one past it. */
  message(): ProtoReader {
    const n = this.length();
    const inner = new ProtoReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return inner;
  }

  /** Skips a field of an unknown number, as proto3 requires. */
  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.bigVarint();
        return;
      case FIXED64:
        this.advance(8);
        return;
      case LENGTH_DELIMITED:
        this.advance(this.length());
        return;
      case FIXED32:
        this.advance(4);
        return;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) throw new ProtoDecodeError('truncated field');
    this.pos += n;
  }
}

/** Bytes of the varint encoding of `n`, for 0 <= n < 2^53. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Size of a length-delimited field whose content is `n` bytes, tag included (fields < 16). */
export function delimitedSize(n: number): number {
  return 1 + varintSize(n) + n;
}

/** Size of an int64 field carrying `n` (omitted when 0), tag included (fields < 16). */
export function int64FieldSize(n: number): number {
  if (n === 0) return 0;
  return 1 + (n > 0 ? varintSize(n) : 10);
}

/** An int64 given as a decimal string, as the unsigned 64-bit value of its two's complement. */
export function int64FromString(text: string): bigint {
  return BigInt.asUintN(64, BigInt(text));
}

/** Size of an int64 field given as a decimal string (omitted when "0"). */
export function int64StringFieldSize(text: string): number {
  if (text === '0') return 0;
  const n = Number(text);
  if (Number.isSafeInteger(n)) return int64FieldSize(n);
  let v = int64FromString(text);
  let size = 2;
  while (v >= 128n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/** Writes fields into a buffer sized in advance by the caller (see the *Size functions). */
export class ProtoWriter {
  readonly buf: Buffer;
  at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** An unsigned varint, 0 <= n < 2^53. */
  varint(n: number): void {
    const buf = this.buf;
    while (n >= 128) {
      buf[this.at++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    buf[this.at++] = n;
  }

  /** An int64 field; nothing for 0, as proto3 omits defaults. Negative values take 10 bytes. */
  int64Field(tag: number, n: number): void {
    if (n === 0) return;
    this.buf[this.at++] = tag;
    if (n > 0) this.varint(n);
    else this.bigVarint(BigInt.asUintN(64, BigInt(n)));
  }

  int64StringField(tag: number, text: string): void {
    if (text === '0') return;
    const n = Number(text);
    if (Number.isSafeInteger(n)) {
      this.int64Field(tag, n);
      return;
    }
    this.buf[this.at++] = tag;
    this.bigVarint(int64FromString(text));
  }

  private bigVarint(v: bigint): void {
    while (v >= 128n) {
      this.buf[this.at++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.at++] = Number(v);
  }

  boolField(tag: number, value: boolean): void {
    if (!value) return;
    this.buf[this.at++] = tag;
    this.buf[this.at++] = 1;
  }

  /** A bytes field holding an engine byte string; nothing when empty. */
  bytesField(tag: number, s: string): void {
    const n = s.length;
    if (n === 0) return;
    this.buf[this.at++] = tag;
    this.varint(n);
    if (n < 32) {
      // Short strings: a loop is cheaper than crossing into C++.
      const buf = this.buf;
      for (let i = 0, at = this.at; i < n; i++) buf[at + i] = s.charCodeAt(i);
      this.at += n;
    } else {
      this.at += this.buf.write(s, this.at, n, 'latin1');
    }
  }

  /** The tag and length of an embedded message of `n` bytes; its fields follow. */
  messageHeader(tag: number, n: number): void {
    this.buf[this.at++] = tag;
    this.varint(n);
  }

  /** The message; a size computed wrongly in advance is a bug, not a short message. */
  finish(): Buffer {
    if (this.at !== this.buf.length) {
      throw new Error(`protobuf writer: sized ${this.buf.length} bytes, wrote ${this.at}`);
    }
    return this.buf;
  }

  raw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }
}
