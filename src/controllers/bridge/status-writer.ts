/**
 * Writes what Mesos says about tasks into their Instances' status, and only then acknowledges
 * it. Updates queue up and go out in batches: one compare-and-swap per instance (several updates
 * of one instance folded into one write), up to 128 updates per batch, and up to 8 batches in
 * flight at once, so that one slow transaction does not hold every task's next update back.
 *
 * Promises:
 * - one write in flight per instance: a batch takes no update of an instance that another batch
 *   in flight is writing; such updates wait, in order, for a later batch;
 * - an update with a uuid is acknowledged only after its status is in the store, or after the
 *   bridge decided that it concerns no current instance (stale or orphan), so a crash or a store
 *   outage costs a resend by Mesos, never a lost state;
 * - a lost race (conflict) re-reads the instance from the store and folds the updates again;
 * - while the store is unavailable the batch is retried with backoff; nothing is acknowledged;
 * - each transaction's written updates are acknowledged as soon as it has landed, without
 *   waiting for the batch's conflict re-reads;
 * - an update whose task is not the instance's current task, or that says alive a task the
 *   instance recorded as ended, is acknowledged without a write and reported (`onStale`) so
 *   that a live one can be killed as an orphan.
 */
import type { Instance } from '../../api/instance.ts';
import { instanceResource } from '../../api/resources.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { TaskStatus } from '../../mesos/types.ts';
import { ConflictError, NotFoundError } from '../../store/errors.ts';
import type { BatchOp, ObjectStore } from '../../store/object-store.ts';
import { whileUnavailable } from '../../store/unavailable-backoff.ts';
import { writeEach } from '../../store/write-each.ts';
import type { BridgeMetrics } from './bridge-metrics.ts';
import { applyTaskStatus, isTerminal } from './instance-status.ts';
import type { InstanceView } from './instance-view.ts';
import { ownerKey, taskOwner } from './task-id.ts';

export interface StatusWriterOptions {
  store: ObjectStore;
  view: InstanceView;
  clock: Clock;
  logger: Logger;
  metrics: BridgeMetrics;
  /** Sends the ACKNOWLEDGE (nothing when the update has no uuid). */
  acknowledge(status: TaskStatus): Promise<void>;
  /** An update about a task that is no instance's current task. */
  onStale(status: TaskStatus): void;
  /** Updates per batch (default 128: one transaction, as the store allows 128 operations). */
  maxBatch?: number;
  /** Batches written at once (default 8). */
  maxFlushes?: number;
  signal: AbortSignal;
}

/** One instance's updates in this flush, folded onto the version last read. */
interface Folding {
  key: string;
  base: Instance;
  updates: TaskStatus[];
}

const maxConflictRounds = 5;

export class StatusWriter {
  private queue: TaskStatus[] = [];
  /** Updates taken by the batches in flight. */
  private inFlight = 0;
  private flushes = 0;
  /** Instances that a batch in flight writes: their next updates wait. */
  private readonly writing = new Set<string>();
  private readonly maxBatch: number;
  private readonly maxFlushes: number;

  constructor(private readonly options: StatusWriterOptions) {
    this.maxBatch = options.maxBatch ?? 128;
    this.maxFlushes = options.maxFlushes ?? 8;
  }

  /** Updates received and not handled yet (queued or being written). */
  get backlog(): number {
    return this.queue.length + this.inFlight;
  }

  push(status: TaskStatus): void {
    this.queue.push(status);
    this.startFlushes();
  }

  /** Starts batches while there are free slots and updates that no batch in flight blocks. */
  private startFlushes(): void {
    while (this.flushes < this.maxFlushes && !this.options.signal.aborted) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.flushes++;
      this.inFlight += batch.length;
      void this.run(batch).finally(() => {
        this.flushes--;
        this.inFlight -= batch.length;
        for (const status of batch) this.writing.delete(keyOf(status));
        this.startFlushes();
      });
    }
  }

  /**
   * Up to `maxBatch` queued updates, oldest first, skipping (and keeping queued, in order)
   * those of instances that a batch in flight writes.
   */
  private take(): TaskStatus[] {
    if (this.queue.length === 0) return [];
    const batch: TaskStatus[] = [];
    const kept: TaskStatus[] = [];
    const claimed = new Set<string>();
    let i = 0;
    for (; i < this.queue.length && batch.length < this.maxBatch; i++) {
      const status = this.queue[i]!;
      const key = keyOf(status);
      if (this.writing.has(key) && !claimed.has(key)) kept.push(status);
      else {
        batch.push(status);
        claimed.add(key);
        this.writing.add(key);
      }
    }
    if (batch.length > 0)
      this.queue = kept.length ? kept.concat(this.queue.slice(i)) : this.queue.slice(i);
    return batch;
  }

  private async run(batch: TaskStatus[]): Promise<void> {
    const { signal, logger } = this.options;
    try {
      await this.flush(batch);
    } catch (error) {
      if (signal.aborted) return;
      // What was not written was not acknowledged (Mesos resends it). The whole batch goes back
      // to the front, ahead of any later updates of its instances, which stay claimed
      // meanwhile; an update written again changes nothing and is acknowledged again.
      logger.error('writing task status failed; will retry', { error, updates: batch.length });
      await this.options.clock.sleep(1000, signal).catch(() => {});
      this.queue.unshift(...batch);
    }
  }

  private async flush(batch: TaskStatus[]): Promise<void> {
    const { view, store, clock, logger, metrics, signal } = this.options;
    const started = performance.now();
    const foldings = new Map<string, Folding>();
    const stale: TaskStatus[] = [];
    const unsure: TaskStatus[] = [];
    for (const status of batch) {
      const key = ownerKey(status.task_id.value);
      const instance = key ? view.get(key) : undefined;
      if (!key || !taskOwner(status.task_id.value)) stale.push(status);
      else if (instance?.status?.taskId === status.task_id.value) {
        if (resurrected(instance, status)) stale.push(status);
        else addTo(foldings, key, instance, status);
      } else unsure.push(status);
    }
    // The cache may lag behind a launch written a moment ago: ask the store before judging.
    const freshByKey = await this.readAll(
      unsure.map((status) => ownerKey(status.task_id.value)!).filter((key) => !foldings.has(key)),
    );
    for (const status of unsure) {
      const key = ownerKey(status.task_id.value)!;
      const known = foldings.get(key);
      if (known) {
        if (known.base.status?.taskId === status.task_id.value) known.updates.push(status);
        else stale.push(status);
        continue;
      }
      const fresh = freshByKey.get(key);
      if (fresh?.status?.taskId === status.task_id.value && !resurrected(fresh, status)) {
        addTo(foldings, key, fresh, status);
      } else stale.push(status);
    }

    let round = [...foldings.values()];
    const acks: Promise<void>[] = [];
    for (let attempt = 1; round.length > 0; attempt++) {
      const written: TaskStatus[] = [];
      const ops: BatchOp[] = [];
      const writing: Folding[] = [];
      for (const folding of round) {
        const next = fold(folding, clock.now());
        if (next) {
          ops.push({ op: 'updateStatus' as const, type: instanceResource, object: next });
          writing.push(folding);
        } else {
          written.push(...folding.updates);
        }
      }
      if (ops.length === 0) {
        for (const status of written) acks.push(this.options.acknowledge(status));
        break;
      }
      const outcomes = await whileUnavailable(() => writeEach(store, ops), {
        signal,
        clock,
        logger,
        what: 'write task status',
      });
      metrics.statusBatch.observe(ops.length);
      const retry: Folding[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        const folding = writing[i]!;
        if (!outcome.error) {
          if (outcome.object) view.wrote(outcome.object as Instance);
          written.push(...folding.updates);
        } else if (outcome.error instanceof ConflictError && attempt < maxConflictRounds) {
          const fresh = await this.read(folding.key);
          if (fresh?.status?.taskId === folding.updates[0]!.task_id.value) {
            retry.push({ ...folding, base: fresh });
          } else {
            stale.push(...folding.updates);
          }
        } else if (outcome.error instanceof NotFoundError) {
          stale.push(...folding.updates);
        } else if (outcome.error instanceof ConflictError) {
          // Still racing after several rounds: leave it to Mesos's resend.
          logger.warn('task status write kept conflicting; not acknowledged', {
            instance: folding.key,
          });
        } else {
          logger.error('task status refused by the store; acknowledging anyway', {
            instance: folding.key,
            error: outcome.error,
          });
          written.push(...folding.updates);
        }
      }
      // These are in the store (or refused for good): no need to wait for the conflict rounds.
      for (const status of written) acks.push(this.options.acknowledge(status));
      round = retry;
    }
    metrics.statusWriteSeconds.observe((performance.now() - started) / 1000);
    for (const status of stale) this.options.onStale(status);
    // Every update here is now in the store or judged not to belong there.
    for (const status of stale) acks.push(this.options.acknowledge(status));
    await Promise.all(acks);
  }

  /** Fresh reads of `keys`, a few at a time. */
  private async readAll(keys: string[]): Promise<Map<string, Instance | undefined>> {
    const unique = [...new Set(keys)];
    const found = new Map<string, Instance | undefined>();
    for (let i = 0; i < unique.length; i += 64) {
      const chunk = unique.slice(i, i + 64);
      const read = await Promise.all(chunk.map((key) => this.read(key)));
      chunk.forEach((key, j) => found.set(key, read[j]));
    }
    return found;
  }

  private read(key: string): Promise<Instance | undefined> {
    const [namespace, name] = splitKey(key);
    const { store, clock, logger, signal } = this.options;
    return whileUnavailable(() => store.get(instanceResource, { namespace, name }), {
      signal,
      clock,
      logger,
      what: 'read instance',
    });
  }
}

/**
 * Mesos reports alive a task the instance recorded as ended (e.g. killed before its launch
 * reached Mesos, then launched after all). The instance has moved on: the task is an orphan.
 */
function resurrected(instance: Instance, status: TaskStatus): boolean {
  return isTerminal(instance.status?.state) && !isTerminal(status.state);
}

function addTo(
  foldings: Map<string, Folding>,
  key: string,
  instance: Instance,
  status: TaskStatus,
): void {
  const folding = foldings.get(key);
  if (folding) folding.updates.push(status);
  else foldings.set(key, { key, base: instance, updates: [status] });
}

/** The instance with all of its updates applied, or undefined when nothing changes. */
function fold(folding: Folding, now: number): Instance | undefined {
  let current = folding.base;
  let changed = false;
  for (const update of folding.updates) {
    const status = applyTaskStatus(current, update, now);
    if (!status) continue;
    current = { ...current, status };
    changed = true;
  }
  return changed ? current : undefined;
}

/** The instance an update concerns, or its task id when it names none (those never wait). */
function keyOf(status: TaskStatus): string {
  return ownerKey(status.task_id.value) ?? `\u0000${status.task_id.value}`;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
