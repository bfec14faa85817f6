/**
 * Errors of the scheduler client. Every failure a caller can see is one of these (or a
 * `CodecError` for a call the codec cannot encode), each carrying what Mesos said, verbatim,
 * so that a person reading a log knows what the master objected to. None of them ever
 * contains the framework's secret.
 */
import { MesetaError } from '../../errors.ts';
import type { CallType } from '../scheduler-types.ts';

/** The master answered a call with something other than success (202, or 200 for UPDATE_FRAMEWORK). */
export class MesosCallError extends MesetaError {
  readonly status: number;
  readonly callType: CallType;
  /** The response body: Mesos's own explanation, e.g. "Framework is not subscribed". */
  readonly mesosMessage: string;

  constructor(callType: CallType, status: number, mesosMessage: string) {
    super('MesosCall', `${callType} failed with HTTP ${status}: ${mesosMessage || '(no message)'}`);
    this.status = status;
    this.callType = callType;
    this.mesosMessage = mesosMessage;
  }
}

/** A call was made while the client has no subscription; nothing was sent. */
export class NotSubscribedError extends MesetaError {
  readonly state: string;

  constructor(callType: CallType, state: string) {
    super('NotSubscribed', `Cannot send ${callType}: the scheduler is not subscribed (${state})`);
    this.state = state;
  }
}

/** No master could be reached, or the one reached did not answer in time. */
export class MasterUnreachableError extends MesetaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MasterUnreachable', message, {}, options);
  }
}

/**
 * The master refused the subscription itself: an ERROR event before SUBSCRIBED (invalid roles,
 * a disallowed user…) or a 4xx answer to SUBSCRIBE. Retrying with the same configuration cannot
 * help, so the client stops.
 */
export class SubscribeRefusedError extends MesetaError {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(
      'SubscribeRefused',
      status === undefined
        ? `Mesos refused the subscription: ${message}`
        : `Mesos refused the subscription with HTTP ${status}: ${message || '(no message)'}`,
    );
    this.status = status;
  }
}

/**
 * "Framework has been removed": the framework id is dead (torn down, or its failover timeout
 * expired and its tasks were killed). A new framework id, and a person, are needed.
 */
export class FrameworkRemovedError extends MesetaError {
  readonly frameworkId: string | undefined;

  constructor(frameworkId: string | undefined, mesosMessage: string) {
    super(
      'FrameworkRemoved',
      `Mesos removed framework ${frameworkId ?? '(unknown id)'}: ${mesosMessage}. ` +
        'Its tasks are gone; subscribing again needs a new framework id.',
    );
    this.frameworkId = frameworkId;
  }
}

/**
 * "Framework failed over": another scheduler subscribed with this framework id and took the
 * framework over. This client stops instead of taking it back, which would make the two fight.
 */
export class FrameworkFailedOverError extends MesetaError {
  readonly frameworkId: string | undefined;

  constructor(frameworkId: string | undefined, mesosMessage: string) {
    super(
      'FrameworkFailedOver',
      `Framework ${frameworkId ?? '(unknown id)'} was taken over by another scheduler: ${mesosMessage}`,
    );
    this.frameworkId = frameworkId;
  }
}

/** An ERROR event that does not end the subscription; the master usually closes the stream next. */
export class MesosErrorEvent extends MesetaError {
  constructor(readonly mesosMessage: string) {
    super('MesosError', `Mesos sent ERROR: ${mesosMessage}`);
  }
}

/** The event stream broke: malformed or truncated records, a dropped connection, lost heartbeats. */
export class StreamError extends MesetaError {
  readonly reason: StreamEndReason;

  constructor(reason: StreamEndReason, message: string, options?: { cause?: unknown }) {
    super('MesosStream', message, {}, options);
    this.reason = reason;
  }
}

export type StreamEndReason =
  | 'dropped'
  | 'ended'
  | 'heartbeat-timeout'
  | 'malformed'
  | 'error-event'
  | 'framework-id-not-saved'
  | 'unreachable';
