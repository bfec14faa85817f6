/**
 * The subscription's byte stream turned into Mesos Events: RecordIO framing, then the codec
 * for the stream's encoding. Pure (no I/O), so it is what the decoding benchmark measures.
 * Anything malformed (a bad length, a record that does not decode, a stream that stops inside
 * a record) throws a StreamError saying which event and what was wrong; the stream cannot be
 * trusted after that, and the client resynchronises by subscribing again.
 */
import { decodeEvent, type Format } from '../codec.ts';
import { RecordDecoder } from '../recordio.ts';
import type { Event } from '../scheduler-types.ts';
import { StreamError } from './errors.ts';

export class EventStreamDecoder {
  private readonly records: RecordDecoder;
  private decoded = 0;

  constructor(
    private readonly format: Format,
    maxEventBytes?: number,
  ) {
    this.records = new RecordDecoder({ maxRecordBytes: maxEventBytes });
  }

  /** Events completed by this chunk, in order. */
  push(chunk: Uint8Array): Event[] {
    let records: Buffer[];
    try {
      records = this.records.push(chunk);
    } catch (error) {
      throw this.malformed(error);
    }
    const events: Event[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      try {
        events[i] = decodeEvent(records[i]!, this.format);
      } catch (error) {
        throw this.malformed(error);
      }
      this.decoded++;
    }
    return events;
  }

  /** The stream ended; throws if it ended inside a record. */
  end(): void {
    try {
      this.records.end();
    } catch (error) {
      throw this.malformed(error);
    }
  }

  /** Events decoded so far. */
  get count(): number {
    return this.decoded;
  }

  private malformed(error: unknown): StreamError {
    return new StreamError(
      'malformed',
      `Malformed ${this.format} event stream after ${this.decoded} events: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
