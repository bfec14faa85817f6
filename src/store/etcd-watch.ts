/**
 * One etcd watch on its own raw gRPC stream, as a KvWatch. Never re-established silently:
 * when the stream ends, errors, or stops answering progress requests, `batches` throws
 * WatchBrokenError (CompactedError when the start revision is gone) and the caller resumes from
 * the last revision it saw. etcd3's own auto-reconnecting watcher is not used: it is known to go
 * quiet after a reconnect.
 */
import type { IDuplexStream, IWatchRequest, IWatchResponse } from 'etcd3';
import { AsyncQueue } from './async-queue.ts';
import { CompactedError, WatchBrokenError } from './errors.ts';
import { rangeKeys, toWatchEvent } from './etcd-wire.ts';
import type { KvWatch, WatchBatch, WatchOptions } from './kv.ts';

/** What a watch needs of its client. */
export interface WatchTransport {
  openWatchStream(): Promise<IDuplexStream<IWatchRequest, IWatchResponse>>;
  translate(error: unknown): unknown;
}

/**
 * One watch on its own gRPC stream. Batches are split per revision; progress answers become
 * empty batches when the caller asked for them. Liveness: after `interval` of silence a
 * progress request is sent, and a second silent interval declares the stream dead.
 */
export class EtcdWatch implements KvWatch {
  private readonly queue = new AsyncQueue<WatchBatch>();
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private closed = false;
  private lastHeard = Date.now();
  private askedProgress = false;
  private timer: NodeJS.Timeout | undefined;
  readonly done: Promise<void>;
  readonly batches: AsyncIterable<WatchBatch>;

  constructor(
    private readonly kv: WatchTransport,
    private readonly options: WatchOptions,
    private readonly interval: number,
  ) {
    this.batches = this.queue;
    this.done = this.queue.finished;
    // A consumer that leaves its loop early ends the queue: release the stream too.
    void this.queue.finished.then(() => {
      if (this.closed) return;
      this.closed = true;
      this.teardown();
    });
    void this.open();
  }

  private async open(): Promise<void> {
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    try {
      stream = await this.kv.openWatchStream();
    } catch (error) {
      this.fail(new WatchBrokenError('could not open a watch stream', { cause: error }));
      return;
    }
    if (this.closed) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    stream.on('data', (response: IWatchResponse) => this.receive(response));
    stream.on('error', (error: Error) =>
      this.fail(
        new WatchBrokenError(`watch stream failed: ${error.message}`, {
          cause: this.kv.translate(error),
        }),
      ),
    );
    stream.on('end', () => this.fail(new WatchBrokenError('watch stream ended')));
    stream.write({
      create_request: {
        ...rangeKeys(this.options.range),
        ...(this.options.startRevision ? { start_revision: this.options.startRevision } : {}),
        prev_kv: this.options.prevKv ?? false,
        progress_notify: this.options.progressNotify ?? false,
      },
    });
    this.lastHeard = Date.now();
    this.timer = setInterval(() => this.checkAlive(), Math.max(10, this.interval / 2));
    this.timer.unref?.();
  }

  private checkAlive(): void {
    const silent = Date.now() - this.lastHeard;
    if (silent >= 2 * this.interval) {
      this.fail(new WatchBrokenError(`watch stream silent for ${silent} ms`));
    } else if (silent >= this.interval && !this.askedProgress) {
      this.askedProgress = true;
      this.stream?.write({ progress_request: {} });
    }
  }

  private receive(response: IWatchResponse): void {
    this.lastHeard = Date.now();
    this.askedProgress = false;
    if (response.canceled) {
      const compact = response.compact_revision;
      if (compact && compact !== '0') this.fail(new CompactedError(compact));
      else
        this.fail(
          new WatchBrokenError(`watch cancelled: ${response.cancel_reason || 'by server'}`),
        );
      return;
    }
    if (response.created && response.events.length === 0) return;
    if (response.events.length === 0) {
      if (this.options.progressNotify) {
        this.queue.push({ revision: response.header.revision, events: [] });
      }
      return;
    }
    let current: WatchBatch | undefined;
    for (const event of response.events) {
      const converted = toWatchEvent(event);
      if (!current || current.revision !== converted.kv.modRevision) {
        if (current) this.queue.push(current);
        current = { revision: converted.kv.modRevision, events: [] };
      }
      current.events.push(converted);
    }
    if (current) this.queue.push(current);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.teardown();
    this.queue.fail(error);
  }

  private teardown(): void {
    if (this.timer) clearInterval(this.timer);
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      (stream as unknown as NodeJS.EventEmitter).removeAllListeners('data');
      stream.on('error', () => {});
      // Half-close first: etcd3 resets every connection to the host when a stream that is still
      // writable errors with CANCELLED (its own cancel included), failing the next call.
      stream.end();
      stream.cancel();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.teardown();
    this.queue.end();
  }
}
