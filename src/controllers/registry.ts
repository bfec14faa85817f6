/**
 * The controllers a meseta process can run, by name. Each entry is a factory: the manager
 * calls `create(deps)` every time this process becomes leader of the controller's role, with
 * a store and internal records fenced by that leadership, and runs the result until the
 * leadership ends or the process stops. A factory never talks to the store before `run`, so
 * creating one is cheap and has no side effects.
 *
 * @example
 *   const apps = controllerNamed('apps');
 *   await apps.create(deps).run(signal);
 */
import type { Clock } from '../clock.ts';
import { UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Registry } from '../runtime/metrics.ts';
import type { InternalRecords } from '../store/internal-records.ts';
import type { Kv } from '../store/kv.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { AppsController } from './apps/apps-controller.ts';
import { bridgeController, type BridgeController } from './bridge/index.ts';
import { placementController, type PlacementController } from './placement/index.ts';
import { EventSweeper } from './events/sweeper.ts';
import { summaryOf } from './catalog.ts';

/** What a process was told about its surroundings, for the controllers that need it. */
export interface ControllerSettings {
  /** Mesos master URLs (the bridge's); the first that answers leads. */
  mesos: string[];
  /** The key prefix of the installation. */
  prefix: string;
  /** Who the bridge is to Mesos; unset fields take the bridge's defaults. */
  framework?: { name?: string; roles?: string[]; failoverTimeoutSeconds?: number };
  /** The apps controller's tuning; unset fields take its defaults. */
  apps?: { launchQueueLimit?: number };
  /** The placement controller's tuning; unset fields take its defaults. */
  placement?: { maxInstancesPerOffer?: number };
}

/** What a controller gets each time its process becomes the leader of its role. */
export interface ControllerDeps {
  /** Every write carries the leadership's fence: it fails once leadership is lost. */
  store: ObjectStore;
  /** Fenced like `store`. */
  records: InternalRecords;
  /** The unfenced key/value store underneath, for reads and watches only. */
  kv: Kv;
  /** Events from this controller, written through the fenced store. */
  recorder: EventRecorder;
  identity: string;
  settings: ControllerSettings;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
}

/** A controller made for one leadership term. */
export interface RunningController {
  /** Runs until `signal` aborts, then lets work in flight finish and resolves. */
  run(signal: AbortSignal): Promise<void>;
  /** Whether its caches are filled (for `/readyz`); absent means it keeps none. */
  synced?(): boolean;
}

export interface ControllerFactory {
  /** The role it is elected under and the name `--only` takes. */
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** A problem with the settings that would keep it from working, if any. */
  check?(settings: ControllerSettings): string | undefined;
  create(deps: ControllerDeps): RunningController;
}

export const appsFactory: ControllerFactory = {
  name: 'apps',
  summary: summaryOf('apps'),
  create(deps) {
    const controller = new AppsController({
      store: deps.store,
      recorder: deps.recorder,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      ...deps.settings.apps,
    });
    return {
      run: (signal) => controller.run(signal),
      synced: () =>
        controller.apps.hasSynced() &&
        controller.revisions.hasSynced() &&
        controller.instances.hasSynced() &&
        controller.agents.hasSynced(),
    };
  },
};

export const eventsFactory: ControllerFactory = {
  name: 'events',
  summary: summaryOf('events'),
  create(deps) {
    const sweeper = new EventSweeper({ store: deps.store, clock: deps.clock, logger: deps.logger });
    return { run: (signal) => sweeper.run(signal) };
  },
};

export const bridgeFactory: ControllerFactory = {
  name: 'bridge',
  summary: summaryOf('bridge'),
  check: (settings) =>
    settings.mesos.length === 0
      ? 'needs the Mesos master URLs: pass --mesos http://mesos-1:5050'
      : undefined,
  create(deps) {
    const framework = deps.settings.framework;
    const bridge = bridgeController.create({
      store: deps.store,
      records: deps.records,
      mesos: { masters: deps.settings.mesos, ...(framework ? { framework } : {}) },
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      recorder: deps.recorder,
    }) as BridgeController;
    return {
      run: (signal) => bridge.run(signal),
      synced: () =>
        bridge.instances.informer.hasSynced() &&
        bridge.revisions.hasSynced() &&
        bridge.agents.hasSynced(),
    };
  },
};

export const placementFactory: ControllerFactory = {
  name: 'placement',
  summary: summaryOf('placement'),
  create(deps) {
    const placement = placementController.create({
      store: deps.store,
      recorder: deps.recorder,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      ...deps.settings.placement,
    }) as PlacementController;
    return {
      run: (signal) => placement.run(signal),
      synced: () =>
        placement.agents.hasSynced() &&
        placement.instances.hasSynced() &&
        placement.revisions.hasSynced() &&
        placement.apps.hasSynced(),
    };
  },
};

/** Every controller meseta has, in the order they start. */
export const controllerFactories: readonly ControllerFactory[] = [
  appsFactory,
  placementFactory,
  bridgeFactory,
  eventsFactory,
];

export function controllerNamed(name: string): ControllerFactory {
  const factory = controllerFactories.find((f) => f.name === name);
  if (!factory) {
    const known = controllerFactories.map((f) => f.name).join(', ');
    throw new UsageError(`no controller named "${name}" (known: ${known})`);
  }
  return factory;
}

/**
 * The factories `--only a,b` selects (all of them when `only` is absent), in registry order,
 * after checking that each has what it needs from `settings`.
 */
export function selectControllers(
  only: readonly string[] | undefined,
  settings: ControllerSettings,
): ControllerFactory[] {
  const wanted = only === undefined ? undefined : new Set(only.map(controllerNamed));
  if (wanted?.size === 0) throw new UsageError('--only needs at least one controller name');
  const selected = controllerFactories.filter((f) => !wanted || wanted.has(f));
  for (const factory of selected) {
    const problem = factory.check?.(settings);
    if (problem) throw new UsageError(`controller ${factory.name}: ${problem}`);
  }
  return selected;
}
