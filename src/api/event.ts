/**
 * Event: what happened to an object and why, shaped like Kubernetes' core/v1 Event. Repeats
 * of the same reason and message about the same object are one Event whose `count` grows and
 * whose `lastTimestamp` moves; Events expire some time after their last occurrence.
 */
import type { ObjectMeta } from '../store/object.ts';

export type EventType = 'Normal' | 'Warning';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface Event {
  apiVersion: 'meseta.io/v1';
  kind: 'Event';
  metadata: ObjectMeta;
  involvedObject: InvolvedObject;
  type: EventType;
  /** One CamelCase word. */
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source?: { component?: string };
}

export const EVENT_KIND = 'Event';
