/**
 * The placement controller as the controller manager registers it: a name and a factory from
 * the shared dependencies to something that runs until its signal aborts.
 *
 * @example
 *   const controller = placementController.create({ store, recorder, clock, logger, metrics });
 *   await controller.run(signal);
 */
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { Registry } from '../../runtime/metrics.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import { PlacementController, type PlacementControllerOptions } from './placement-controller.ts';

export interface PlacementControllerDeps {
  store: ObjectStore;
  recorder?: EventRecorder;
  clock?: Clock;
  logger?: Logger;
  metrics?: Registry;
}

export const placementController = {
  name: 'placement',
  create(
    deps: PlacementControllerDeps,
    options: Omit<PlacementControllerOptions, keyof PlacementControllerDeps> = {},
  ): { run(signal: AbortSignal): Promise<void> } {
    return new PlacementController({ ...options, ...deps });
  },
};

export { PlacementController };
export type { PlacementControllerOptions };
