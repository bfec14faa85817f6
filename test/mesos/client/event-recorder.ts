/** Records a SchedulerClient's events, so a test can wait for one that matches. */
import type { SchedulerClient } from '../../../src/mesos/client/scheduler-client.ts';
import type {
  EventOf,
  SchedulerEvent,
  SchedulerEventType,
} from '../../../src/mesos/client/events.ts';
import { until } from '../../support/until.ts';

export class EventRecorder {
  readonly events: SchedulerEvent[] = [];
  ended = false;
  readonly done: Promise<void>;

  constructor(client: SchedulerClient) {
    const iterator = client.events();
    this.done = (async () => {
      for await (const event of iterator) this.events.push(event);
      this.ended = true;
    })();
  }

  of<T extends SchedulerEventType>(type: T): EventOf<T>[] {
    return this.events.filter((event): event is EventOf<T> => event.type === type);
  }

  /** Waits for the `count`-th event of `type` that satisfies `match`. */
  async next<T extends SchedulerEventType>(
    type: T,
    match: (event: EventOf<T>) => boolean = () => true,
    count = 1,
  ): Promise<EventOf<T>> {
    return until(() => this.of(type).filter(match)[count - 1], {
      what: `${count} ${type} event(s); got ${this.events.map((e) => e.type).join(',')}`,
    });
  }
}
