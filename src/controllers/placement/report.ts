/**
 * Tells each App whether its instances could be placed: the App condition `Placed` (False,
 * reason `Unschedulable`, with the why-not message, while instances wait for an agent; True,
 * reason `AllPlaced`, once they are placed again), and a Warning Event `FailedPlacement` with the
 * same message (a Normal `Placed` Event when it clears). An App that never had trouble gets no
 * condition at all, so a healthy cluster costs no status writes.
 *
 * Offers come and go, so an App is reported only once its instances have stayed unplaced for
 * `unschedulableAfterMs` (3 s): while a burst starts, every offer can be in use for a moment and
 * come back at Mesos's next allocation, which is not worth a warning. The message's figures
 * change often too: a changed message is written at most every `minIntervalMs` per App (a flip
 * of the status at once), and the Event repeated at most every `eventIntervalMs` unless the
 * message changes. Status writes are compare-and-swap
 * (`updateStatus` on the version read); a lost race is left to the next round.
 */
import type { Condition } from '../../api/app-types.ts';
import { appResource, type StoredApp } from '../../api/resources.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import type { Informer } from '../../runtime/informer.ts';
import { ConflictError, NotFoundError } from '../../store/errors.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import type { AppOutcome } from '../../placement/round.ts';

export const PLACED_CONDITION = 'Placed';
export const UNSCHEDULABLE = 'Unschedulable';
export const FAILED_PLACEMENT = 'FailedPlacement';

/**
 * The index the Apps informer given to the reporter must have: Apps whose `Placed` condition
 * is False under the value `False`, so that clearing them costs nothing when there are none.
 */
export const BY_PLACED = 'byPlaced';
export const placedIndex = (app: StoredApp): string[] =>
  placedCondition(app)?.status === 'False' ? ['False'] : [];

export interface PlacementReporterOptions {
  store: ObjectStore;
  apps: Informer<StoredApp>;
  recorder?: EventRecorder | undefined;
  clock: Clock;
  logger: Logger;
  minIntervalMs?: number;
  eventIntervalMs?: number;
  /** How long instances stay unplaced before the App is reported. Default 3 s. */
  unschedulableAfterMs?: number;
}

interface Reported {
  message: string;
  at: number;
  eventMessage?: string;
  eventAt?: number;
}

export class PlacementReporter {
  readonly #reported = new Map<string, Reported>();
  readonly #minIntervalMs: number;
  readonly #eventIntervalMs: number;
  readonly #unschedulableAfterMs: number;
  /** Apps with instances left unplaced, and since when (ms), until they are placed. */
  readonly #unplacedSince = new Map<string, number>();

  constructor(private readonly options: PlacementReporterOptions) {
    this.#minIntervalMs = options.minIntervalMs ?? 10_000;
    this.#eventIntervalMs = options.eventIntervalMs ?? 60_000;
    this.#unschedulableAfterMs = options.unschedulableAfterMs ?? 3_000;
  }

  /**
   * Brings every App's `Placed` condition in line with the round's outcomes (by `ns/app`).
   * Returns when an App left unplaced becomes due for reporting, if one is waiting for that:
   * a round then should look again even if nothing changes meanwhile.
   */
  async report(outcomes: ReadonlyMap<string, AppOutcome>): Promise<number | undefined> {
    const { apps, clock } = this.options;
    const now = clock.now();
    for (const key of this.#unplacedSince.keys()) {
      if (!((outcomes.get(key)?.unplaced ?? 0) > 0)) this.#unplacedSince.delete(key);
    }
    let due: number | undefined;
    for (const [key, outcome] of outcomes) {
      if (outcome.unplaced === 0) continue;
      const app = apps.get(key);
      if (!app) continue;
      let since = this.#unplacedSince.get(key);
      if (since === undefined) this.#unplacedSince.set(key, (since = now));
      const reportAt = since + this.#unschedulableAfterMs;
      if (now < reportAt && placedCondition(app)?.status !== 'False') {
        due = Math.min(due ?? reportAt, reportAt);
        continue;
      }
      const message = `${outcome.unplaced} ${outcome.unplaced === 1 ? 'instance' : 'instances'} not placed: ${outcome.message ?? 'no agent fits'}`;
      await this.#set(key, app, 'False', UNSCHEDULABLE, message);
    }
    for (const app of apps.byIndex(BY_PLACED, 'False')) {
      const key = `${app.metadata.namespace ?? ''}/${app.metadata.name}`;
      if ((outcomes.get(key)?.unplaced ?? 0) > 0) continue;
      await this.#set(key, app, 'True', 'AllPlaced', 'every instance is placed');
    }
    return due;
  }

  async #set(
    key: string,
    app: StoredApp,
    status: 'True' | 'False',
    reason: string,
    message: string,
  ): Promise<void> {
    const { clock, store, recorder, logger } = this.options;
    const now = clock.now();
    const old = placedCondition(app);
    const flips = old?.status !== status;
    if (!flips && old?.reason === reason && old.message === message) return;
    const last = this.#reported.get(key);
    if (!flips && last && now - last.at < this.#minIntervalMs) return;
    const stamp = new Date(now).toISOString();
    const next: Condition = {
      type: PLACED_CONDITION,
      status,
      reason,
      message,
      lastTransitionTime: flips || !old ? stamp : old.lastTransitionTime,
      ...(app.metadata.generation !== undefined
        ? { observedGeneration: app.metadata.generation }
        : {}),
    };
    const conditions = app.status?.conditions ?? [];
    const updated = old
      ? conditions.map((c) => (c.type === PLACED_CONDITION ? next : c))
      : [...conditions, next];
    try {
      await store.updateStatus(appResource, {
        ...app,
        status: { ...app.status, conditions: updated },
      });
    } catch (error) {
      if (error instanceof ConflictError || error instanceof NotFoundError) return;
      logger.warn('could not write the Placed condition', { app: key, error });
      return;
    }
    const reported: Reported = { ...last, message, at: now };
    this.#reported.set(key, reported);
    if (!recorder) return;
    if (status === 'False') {
      const repeat =
        reported.eventMessage === message &&
        reported.eventAt !== undefined &&
        now - reported.eventAt < this.#eventIntervalMs;
      if (repeat) return;
      reported.eventMessage = message;
      reported.eventAt = now;
      await recorder.warning(app, FAILED_PLACEMENT, message);
    } else if (flips) {
      delete reported.eventMessage;
      delete reported.eventAt;
      await recorder.normal(app, 'Placed', message);
    }
  }
}

function placedCondition(app: StoredApp): Condition | undefined {
  return app.status?.conditions?.find((c) => c.type === PLACED_CONDITION);
}
