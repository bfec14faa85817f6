/**
 * RecordIO, the framing of Mesos's streaming responses: each record is its byte length in
 * decimal, a newline, then exactly that many bytes (`20\n{"type":"HEARTBEAT"}`), with nothing
 * between records. The decoder is incremental and correct whatever the chunk boundaries: a
 * record split across chunks, many records in one chunk, a length split mid-digit.
 */
import { RecordIOError } from './errors.ts';

/** Frames one record. */
export function encodeRecord(record: Uint8Array | string): Buffer {
  const length = typeof record === 'string' ? Buffer.byteLength(record, 'utf8') : record.length;
  if (length === 0) throw new RecordIOError('RecordIO records must not be empty');
  const header = `${length}\n`;
  // One allocation: the length header, then the record written in place after it.
  const framed = Buffer.allocUnsafe(header.length + length);
  framed.write(header, 0, 'latin1');
  if (typeof record === 'string') framed.write(record, header.length, 'utf8');
  else framed.set(record, header.length);
  return framed;
}

export interface RecordDecoderOptions {
  /** Largest record accepted, in bytes (default 64 MiB). */
  maxRecordBytes?: number;
}

const defaultMax = 64 * 1024 * 1024;
// A length header longer than this cannot be a valid uint64 in decimal.
const maxHeaderDigits = 20;

/**
 * Incremental decoder: `push` chunks as they arrive and get back the records they complete (a
 * record that lies whole in one chunk is a view of that chunk, so do not write into a chunk
 * after pushing it);
 * call `end` when the stream ends, which throws if it stopped inside a record. Once it has
 * thrown, the decoder stays failed.
 */
export class RecordDecoder {
  private readonly max: number;
  private header = '';
  private expected = -1;
  private parts: Buffer[] = [];
  private have = 0;
  private failed: RecordIOError | undefined;

  constructor(options: RecordDecoderOptions = {}) {
    this.max = options.maxRecordBytes ?? defaultMax;
  }

  push(chunk: Uint8Array): Buffer[] {
    if (this.failed) throw this.failed;
    const records: Buffer[] = [];
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    let pos = 0;
    while (pos < data.length) {
      if (this.expected < 0) {
        pos = this.readHeader(data, pos);
        continue;
      }
      const take = Math.min(this.expected - this.have, data.length - pos);
      if (take === this.expected) {
        // The whole record is in this chunk: hand out a view of it, not a copy.
        records.push(data.subarray(pos, pos + take));
        pos += take;
        this.expected = -1;
        continue;
      }
      this.parts.push(data.subarray(pos, pos + take));
      this.have += take;
      pos += take;
      if (this.have === this.expected) {
        records.push(Buffer.concat(this.parts));
        this.parts = [];
        this.have = 0;
        this.expected = -1;
      }
    }
    return records;
  }

  /** Declares the end of the stream; throws if a record was left incomplete. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.expected >= 0) {
      this.fail(`Stream ended inside a record: got ${this.have} of ${this.expected} bytes`);
    }
    if (this.header.length > 0) this.fail('Stream ended inside a record length');
  }

  private readHeader(data: Buffer, start: number): number {
    let pos = start;
    while (pos < data.length) {
      const c = data[pos]!;
      pos++;
      if (c === 0x0a) {
        if (this.header.length === 0) this.fail('Expected a record length, got an empty line');
        const length = Number(this.header);
        this.header = '';
        if (length === 0) this.fail('Record length must not be zero');
        if (length > this.max) {
          this.fail(`Record length ${length} exceeds the maximum of ${this.max} bytes`);
        }
        this.expected = length;
        return pos;
      }
      if (c < 0x30 || c > 0x39) {
        this.fail(
          `Expected a decimal record length, found byte 0x${c.toString(16).padStart(2, '0')}`,
        );
      }
      this.header += String.fromCharCode(c);
      if (this.header.length > maxHeaderDigits) this.fail('Record length is too long');
    }
    return pos;
  }

  private fail(message: string): never {
    this.failed = new RecordIOError(message);
    throw this.failed;
  }
}

/** Decodes a whole RecordIO stream of byte chunks into records, as they complete. */
export async function* readRecords(
  chunks: AsyncIterable<Uint8Array>,
  options?: RecordDecoderOptions,
): AsyncGenerator<Buffer> {
  const decoder = new RecordDecoder(options);
  for await (const chunk of chunks) yield* decoder.push(chunk);
  decoder.end();
}
