/**
 * The Mesos bridge's public surface: the controller, its options, and the factory the
 * controller manager registers (`bridgeController.create(deps)` gives something to `run`).
 */
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { Registry } from '../../runtime/metrics.ts';
import type { InternalRecords } from '../../store/internal-records.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import {
  BridgeController,
  type BridgeControllerOptions,
  type BridgeMesosConfig,
} from './bridge-controller.ts';

export {
  BridgeController,
  FRAMEWORK_ID_RECORD,
  type BridgeControllerOptions,
  type BridgeMesosConfig,
  type FrameworkIdRecord,
} from './bridge-controller.ts';
export { newTaskId, ownerKey, taskOwner } from './task-id.ts';
export { buildTaskInfo, type TaskInput } from './task-info.ts';

/** What the manager hands every controller it creates, plus where Mesos is. */
export interface BridgeDeps {
  /** Fenced by the leader lease: every write of the bridge goes through it. */
  store: ObjectStore;
  /** Fenced the same way (the framework id lives here). */
  records: InternalRecords;
  mesos: BridgeMesosConfig;
  clock?: Clock;
  logger?: Logger;
  metrics?: Registry;
  recorder?: EventRecorder;
  /** Any further BridgeControllerOptions (timings, filters). */
  options?: Partial<Omit<BridgeControllerOptions, 'store' | 'records' | 'mesos'>>;
}

/**
 * The factory the controller manager registers: `create` makes a BridgeController for one
 * leadership term (`run(signal)`, `synced()`); it touches neither the store nor Mesos before
 * `run`.
 */
export const bridgeController = {
  name: 'bridge',
  summary: 'talks to Mesos: launches bound instances, kills, writes task status, publishes agents',
  create(deps: BridgeDeps): BridgeController {
    return new BridgeController({
      ...deps.options,
      store: deps.store,
      records: deps.records,
      mesos: deps.mesos,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.recorder ? { recorder: deps.recorder } : {}),
    });
  },
};
