/**
 * One subscription, from SUBSCRIBE to the end of its event stream. It finds the leader, checks
 * the answer (200, a known Content-Type, a Mesos-Stream-Id), decodes the RecordIO stream
 * whatever its chunking, and watches it: no bytes for `missedHeartbeats` heartbeat intervals
 * (or no SUBSCRIBED within the subscribe timeout) means the stream is dead. It never retries
 * itself; it says how it ended, and the client decides: resubscribe after a backoff, or stop
 * for good (framework removed, failed over, subscription refused).
 */
import type { IncomingMessage } from 'node:http';
import type { Clock, Timer } from '../../clock.ts';
import { MesetaError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { encodeCall, formatOfContentType, type Format } from '../codec.ts';
import type { Call, Event } from '../scheduler-types.ts';
import type { MasterInfo } from '../types.ts';
import {
  FrameworkFailedOverError,
  FrameworkRemovedError,
  MasterUnreachableError,
  StreamError,
  SubscribeRefusedError,
  type StreamEndReason,
} from './errors.ts';
import { EventStreamDecoder } from './event-stream.ts';
import { origin, post, readBody } from './http.ts';
import type { LeaderDetector } from './leader.ts';

export interface Subscribed {
  frameworkId: string;
  heartbeatIntervalSeconds: number;
  masterInfo: MasterInfo | undefined;
  streamId: string;
  url: URL;
}

export interface SubscriptionContext {
  call: Call;
  format: Format;
  /** Content-Type, Accept and, with a credential, Authorization. */
  headers: Record<string, string>;
  leader: LeaderDetector;
  clock: Clock;
  logger: Logger;
  subscribeTimeoutMs: number;
  missedHeartbeats: number;
  maxEventBytes: number;
  /** Fires when the client stops. */
  stop: AbortSignal;
  /** Called on SUBSCRIBED; the stream is not read further until it settles. Throwing ends the stream. */
  onSubscribed(subscribed: Subscribed): Promise<void>;
  /** Every other event, in order (ERROR only when it does not end the subscription). */
  onEvent(event: Event): void;
}

export type SubscriptionEnd =
  | { kind: 'stopped' }
  /** Resubscribe after a backoff; `subscribed` says whether SUBSCRIBED had arrived. */
  | {
      kind: 'retry';
      reason: StreamEndReason;
      error: MesetaError;
      subscribed: boolean;
    }
  | {
      kind: 'terminal';
      error: FrameworkRemovedError | FrameworkFailedOverError | SubscribeRefusedError;
      message: string;
    };

const removedText = 'Framework has been removed';
const failedOverText = 'Framework failed over';

export async function runSubscription(ctx: SubscriptionContext): Promise<SubscriptionEnd> {
  const attempt = new AbortController();
  const onStop = () => attempt.abort(ctx.stop.reason);
  if (ctx.stop.aborted) return { kind: 'stopped' };
  ctx.stop.addEventListener('abort', onStop, { once: true });
  let subscribedInfo: Subscribed | undefined;
  // Started once the stream is open; until then each master has its own answer timeout.
  let watchdog: Watchdog | undefined;
  const startWatchdog = () =>
    new Watchdog(ctx.clock, ctx.subscribeTimeoutMs, (silentMs) =>
      attempt.abort(
        subscribedInfo
          ? new StreamError(
              'heartbeat-timeout',
              `No heartbeat from ${origin(subscribedInfo.url)} for ${silentMs} ms ` +
                `(${ctx.missedHeartbeats} intervals of ${subscribedInfo.heartbeatIntervalSeconds} s)`,
            )
          : new MasterUnreachableError(`SUBSCRIBE: no SUBSCRIBED event within ${silentMs} ms`),
      ),
    );
  try {
    return await stream();
  } catch (error) {
    if (ctx.stop.aborted) return { kind: 'stopped' };
    const reason = attempt.signal.aborted ? attempt.signal.reason : error;
    return retry(reason, subscribedInfo !== undefined);
  } finally {
    watchdog?.cancel();
    ctx.stop.removeEventListener('abort', onStop);
    attempt.abort(new StreamError('ended', 'subscription finished'));
  }

  async function stream(): Promise<SubscriptionEnd> {
    const body = encodeCall(ctx.call, ctx.format);
    const { url, response } = await ctx.leader.find(
      (target) => postWithHeadTimeout(target, body),
      attempt.signal,
    );
    const head = await checkHead(url, response, attempt.signal);
    if ('kind' in head) return head;
    ctx.logger.debug('event stream open', { master: origin(url), streamId: head.streamId });
    const decoder = new EventStreamDecoder(head.format, ctx.maxEventBytes);
    const dog = (watchdog = startWatchdog());
    let errorMessage: string | undefined;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        dog.touch();
        for (const event of decoder.push(chunk)) {
          if (event.type === 'SUBSCRIBED' && event.subscribed) {
            const info: Subscribed = {
              frameworkId: event.subscribed.framework_id.value,
              heartbeatIntervalSeconds: event.subscribed.heartbeat_interval_seconds ?? 15,
              masterInfo: event.subscribed.master_info,
              streamId: head.streamId,
              url,
            };
            try {
              await ctx.onSubscribed(info);
            } catch (error) {
              throw new StreamError(
                'framework-id-not-saved',
                `Could not save framework id ${info.frameworkId}: ${(error as Error).message}`,
                { cause: error },
              );
            }
            if (attempt.signal.aborted) throw attempt.signal.reason;
            subscribedInfo = info;
            dog.limit(info.heartbeatIntervalSeconds * 1000 * ctx.missedHeartbeats);
            continue;
          }
          if (event.type === 'ERROR') {
            const message = event.error?.message ?? '';
            const end = classifyError(message, subscribedInfo);
            if (end) return end;
            errorMessage = message;
          }
          ctx.onEvent(event);
        }
      }
    } catch (error) {
      if (error instanceof MesetaError || attempt.signal.aborted) throw error;
      throw new StreamError(
        'dropped',
        `The event stream from ${origin(url)} dropped: ${(error as Error).message}`,
        { cause: error },
      );
    }
    decoder.end();
    if (errorMessage !== undefined) {
      return retry(
        new StreamError(
          'error-event',
          `The master closed the event stream after ERROR: ${errorMessage}`,
        ),
        subscribedInfo !== undefined,
      );
    }
    return retry(
      new StreamError('ended', `The master at ${origin(url)} closed the event stream`),
      subscribedInfo !== undefined,
    );
  }

  /**
   * A master that accepts the connection but never answers must not hold up the others: each
   * candidate gets the subscribe timeout to send its response head.
   */
  async function postWithHeadTimeout(target: URL, body: Buffer): Promise<IncomingMessage> {
    const request = new AbortController();
    const onAttempt = () => request.abort(attempt.signal.reason);
    attempt.signal.addEventListener('abort', onAttempt, { once: true });
    const timer = ctx.clock.setTimeout(
      () =>
        request.abort(
          new MasterUnreachableError(`no answer to SUBSCRIBE within ${ctx.subscribeTimeoutMs} ms`),
        ),
      ctx.subscribeTimeoutMs,
    );
    try {
      return await post(target, body, {
        headers: ctx.headers,
        agent: false,
        signal: request.signal,
      });
    } catch (error) {
      attempt.signal.removeEventListener('abort', onAttempt);
      throw error;
    } finally {
      timer.cancel();
    }
  }

  function classifyError(
    message: string,
    subscribed: Subscribed | undefined,
  ): SubscriptionEnd | undefined {
    const id = subscribed?.frameworkId ?? ctx.call.framework_id?.value;
    if (message.includes(removedText)) {
      return { kind: 'terminal', error: new FrameworkRemovedError(id, message), message };
    }
    if (message.includes(failedOverText)) {
      return { kind: 'terminal', error: new FrameworkFailedOverError(id, message), message };
    }
    if (!subscribed)
      return { kind: 'terminal', error: new SubscribeRefusedError(message), message };
    return undefined;
  }
}

async function checkHead(
  url: URL,
  response: IncomingMessage,
  signal: AbortSignal,
): Promise<{ format: Format; streamId: string } | SubscriptionEnd> {
  const status = response.statusCode ?? 0;
  if (status !== 200) {
    const text = (await readBody(response, signal, 64 * 1024).catch(() => Buffer.alloc(0)))
      .toString('utf8')
      .trim();
    if (status >= 400 && status < 500) {
      return { kind: 'terminal', error: new SubscribeRefusedError(text, status), message: text };
    }
    return retry(
      new MasterUnreachableError(`SUBSCRIBE to ${origin(url)} answered HTTP ${status}: ${text}`),
      false,
    );
  }
  const contentType = response.headers['content-type'];
  // Mesos sends the bare media type; a proxy may add parameters, which change nothing.
  const format = formatOfContentType(contentType?.split(';')[0]!.trim());
  const streamId = response.headers['mesos-stream-id'];
  if (!format || typeof streamId !== 'string' || streamId === '') {
    response.destroy();
    const problem = !format
      ? `unexpected Content-Type ${JSON.stringify(contentType ?? null)}`
      : 'no Mesos-Stream-Id header';
    return retry(new StreamError('malformed', `SUBSCRIBE to ${origin(url)}: ${problem}`), false);
  }
  return { format, streamId };
}

function retry(error: unknown, subscribed: boolean): SubscriptionEnd {
  if (error instanceof StreamError)
    return { kind: 'retry', reason: error.reason, error, subscribed };
  if (error instanceof MesetaError)
    return { kind: 'retry', reason: 'unreachable', error, subscribed };
  const wrapped = new StreamError(
    'dropped',
    `The event stream failed: ${(error as Error)?.message ?? error}`,
    {
      cause: error,
    },
  );
  return { kind: 'retry', reason: 'dropped', error: wrapped, subscribed };
}

/**
 * Fires once when nothing has arrived for `limitMs`. Arrivals only stamp a time, so a busy
 * stream costs no timer churn; the timer re-arms itself for the remaining time when it fires.
 */
class Watchdog {
  private last: number;
  private timer: Timer | undefined;
  private limitMs: number;

  constructor(
    private readonly clock: Clock,
    limitMs: number,
    private readonly onSilence: (silentMs: number) => void,
  ) {
    this.limitMs = limitMs;
    this.last = clock.now();
    this.arm(limitMs);
  }

  touch(): void {
    this.last = this.clock.now();
  }

  limit(ms: number): void {
    this.limitMs = ms;
    this.touch();
    this.timer?.cancel();
    this.arm(ms);
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.check(), ms);
  }

  private check(): void {
    const silent = this.clock.now() - this.last;
    if (silent >= this.limitMs) {
      this.timer = undefined;
      this.onSilence(silent);
    } else {
      this.arm(this.limitMs - silent);
    }
  }
}
