/**
 * The Mesos v1 scheduler client's public surface. Everything a framework needs is here; the
 * modules behind it (leader detection, subscription, event stream, call builders, backoff)
 * are internal and may change.
 */
export {
  SchedulerClient,
  type AcknowledgeResult,
  type ClientState,
  type SchedulerClientOptions,
} from './scheduler-client.ts';
export type { Credential, FrameworkConfig, SchedulerClientConfig } from './config.ts';
export { defaultCapabilities } from './config.ts';
export type { EventOf, SchedulerEvent, SchedulerEventType } from './events.ts';
export type { ReconcileTask } from './calls.ts';
export {
  FrameworkFailedOverError,
  FrameworkRemovedError,
  MasterUnreachableError,
  MesosCallError,
  MesosErrorEvent,
  NotSubscribedError,
  StreamError,
  SubscribeRefusedError,
  type StreamEndReason,
} from './errors.ts';
export { EventStreamDecoder } from './event-stream.ts';
