/**
 * What the client tells its user: typed events, delivered both to listeners (`on`) and to
 * async iterators (`events()`), in the order they happened. Mesos events keep their payloads
 * in the wire shape of `types.ts` (an Offer is a Mesos Offer); the client adds its own
 * connection events (disconnected, reconnected). Iterators buffer without bound, so a consumer
 * that falls behind costs memory, never an event.
 */
import type { MesetaError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Event } from '../scheduler-types.ts';
import type {
  AgentID,
  Base64,
  ExecutorID,
  InverseOffer,
  MasterInfo,
  Offer,
  OfferID,
  OperationStatus,
  TaskStatus,
} from '../types.ts';
import type { StreamEndReason } from './errors.ts';

export type SchedulerEvent =
  | {
      type: 'subscribed';
      frameworkId: string;
      heartbeatIntervalSeconds: number;
      masterInfo: MasterInfo | undefined;
      /** Origin of the leading master, e.g. `http://m2:5050`. */
      master: string;
      streamId: string;
      /** True when this is not the client's first subscription. */
      resubscribed: boolean;
    }
  | { type: 'reconnected'; frameworkId: string; downtimeMs: number; attempts: number }
  | { type: 'offers'; offers: Offer[] }
  | { type: 'inverseOffers'; inverseOffers: InverseOffer[] }
  | { type: 'rescind'; offerId: OfferID }
  | { type: 'rescindInverseOffer'; inverseOfferId: OfferID }
  | { type: 'update'; status: TaskStatus }
  | { type: 'operationUpdate'; status: OperationStatus }
  | { type: 'message'; agentId: AgentID; executorId: ExecutorID; data: Base64 }
  | { type: 'failure'; agentId?: AgentID; executorId?: ExecutorID; status?: number }
  | {
      type: 'error';
      /** Mesos's text, verbatim. */
      message: string;
      /**
       * `failed-over`: another scheduler took this framework id over; `removed`: the framework
       * id is dead and a new one is needed; `refused`: the subscription was rejected. All three
       * stop the client. `other`: the client resubscribes when the master closes the stream.
       */
      kind: 'failed-over' | 'removed' | 'refused' | 'other';
      error: MesetaError;
    }
  | { type: 'heartbeat' }
  | {
      type: 'disconnected';
      reason: StreamEndReason;
      error: MesetaError;
      /** When the client will try to subscribe again. */
      retryInMs: number;
    };

export type SchedulerEventType = SchedulerEvent['type'];
export type EventOf<T extends SchedulerEventType> = Extract<SchedulerEvent, { type: T }>;

/**
 * The client event for a Mesos event that carries data, or undefined for SUBSCRIBED, HEARTBEAT
 * and ERROR (the client handles those itself) and for types it does not know.
 */
export function fromMesosEvent(event: Event): SchedulerEvent | undefined {
  switch (event.type) {
    case 'OFFERS':
      return { type: 'offers', offers: event.offers?.offers ?? [] };
    case 'INVERSE_OFFERS':
      return { type: 'inverseOffers', inverseOffers: event.inverse_offers?.inverse_offers ?? [] };
    case 'RESCIND':
      return event.rescind ? { type: 'rescind', offerId: event.rescind.offer_id } : undefined;
    case 'RESCIND_INVERSE_OFFER':
      return event.rescind_inverse_offer
        ? {
            type: 'rescindInverseOffer',
            inverseOfferId: event.rescind_inverse_offer.inverse_offer_id,
          }
        : undefined;
    case 'UPDATE':
      return event.update ? { type: 'update', status: event.update.status } : undefined;
    case 'UPDATE_OPERATION_STATUS':
      return event.update_operation_status
        ? { type: 'operationUpdate', status: event.update_operation_status.status }
        : undefined;
    case 'MESSAGE':
      return event.message
        ? {
            type: 'message',
            agentId: event.message.agent_id,
            executorId: event.message.executor_id,
            data: event.message.data,
          }
        : undefined;
    case 'FAILURE': {
      const failure: EventOf<'failure'> = { type: 'failure' };
      if (event.failure?.agent_id) failure.agentId = event.failure.agent_id;
      if (event.failure?.executor_id) failure.executorId = event.failure.executor_id;
      if (event.failure?.status !== undefined) failure.status = event.failure.status;
      return failure;
    }
    default:
      return undefined;
  }
}

type AnyListener = (event: SchedulerEvent) => void;

/** Fans events out to listeners and iterators, in order. */
export class EventHub {
  private readonly listeners = new Map<SchedulerEventType | '*', Set<AnyListener>>();
  private readonly queues = new Set<EventQueue>();
  private closed = false;

  constructor(private readonly logger: Logger) {}

  on<T extends SchedulerEventType>(
    type: T | '*',
    listener: (event: EventOf<T>) => void,
  ): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as AnyListener);
    return () => set.delete(listener as AnyListener);
  }

  /** An iterator over every event from now on; it ends when the client stops. */
  iterate(): AsyncIterableIterator<SchedulerEvent> {
    const queue = new EventQueue(() => this.queues.delete(queue));
    if (this.closed) queue.close();
    else this.queues.add(queue);
    return queue;
  }

  emit(event: SchedulerEvent): void {
    if (this.closed) return;
    for (const queue of this.queues) queue.push(event);
    this.call(this.listeners.get(event.type), event);
    this.call(this.listeners.get('*'), event);
  }

  private call(listeners: Set<AnyListener> | undefined, event: SchedulerEvent): void {
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not break the stream for everyone else.
        this.logger.error('scheduler event listener threw', { event: event.type, error });
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const queue of this.queues) queue.close();
    this.queues.clear();
  }
}

class EventQueue implements AsyncIterableIterator<SchedulerEvent> {
  private buffer: SchedulerEvent[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<SchedulerEvent>) => void) | undefined;
  private done = false;

  constructor(private readonly detach: () => void) {}

  push(event: SchedulerEvent): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
    } else {
      this.buffer.push(event);
    }
  }

  close(): void {
    this.done = true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<SchedulerEvent>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<SchedulerEvent>> {
    this.detach();
    this.close();
    this.buffer = [];
    this.head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SchedulerEvent> {
    return this;
  }
}
