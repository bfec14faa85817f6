/**
 * Small internal records kept as JSON under `<prefix>/internal/<name>` (the Mesos framework
 * id, apply-set inventories, …). Every write is a compare-and-swap on the record's revision
 * ("0" meaning "must not exist"); `update` wraps read-modify-write in a retry loop. Records
 * made through `withFence` carry the fence (e.g. the leader's) like the object store does.
 */
import { MesetaError } from '../errors.ts';
import { AlreadyExistsError, ConflictError, LeaseLostError, NotFoundError } from './errors.ts';
import { keyLayout, type KeyLayout } from './keys.ts';
import type { Compare, Kv, Revision } from './kv.ts';
import { compareHolds, type Fence } from './object-store.ts';

export interface InternalRecord<T> {
  value: T;
  /** The record's mod revision: pass it back to `put` to replace exactly this version. */
  revision: Revision;
}

export class InternalRecords {
  private readonly keys: KeyLayout;

  constructor(
    private readonly kv: Kv,
    private readonly options: { prefix?: string } = {},
    private readonly fences: readonly Fence[] = [],
  ) {
    this.keys = keyLayout(options.prefix);
  }

  withFence(fence: Fence): InternalRecords {
    return new InternalRecords(this.kv, this.options, [...this.fences, fence]);
  }

  async get<T>(name: string): Promise<InternalRecord<T> | undefined> {
    const key = this.keys.internal(name);
    const kv = (await this.kv.range({ key })).kvs[0];
    if (!kv) return undefined;
    try {
      return { value: JSON.parse(kv.value) as T, revision: kv.modRevision };
    } catch (error) {
      throw new MesetaError('Corrupt', `${key}: stored value is not JSON`, {}, { cause: error });
    }
  }

  /**
   * Writes `value` if the record is still at `expected` (its revision, or "0" for absent).
   * Resolves to the new revision.
   */
  async put<T>(name: string, value: T, expected: Revision): Promise<Revision> {
    const key = this.keys.internal(name);
    const guard: Compare = { key, target: 'mod', result: '==', revision: expected };
    return this.write(name, guard, { type: 'put', key, value: JSON.stringify(value) }, expected);
  }

  /** Deletes the record if it is still at `expected`. */
  async delete(name: string, expected: Revision): Promise<void> {
    const key = this.keys.internal(name);
    const guard: Compare = { key, target: 'mod', result: '==', revision: expected };
    await this.write(name, guard, { type: 'delete', range: { key } }, expected);
  }

  /** Reads, applies `change`, writes back; retries from a fresh read when someone raced it. */
  async update<T>(
    name: string,
    change: (current: T | undefined) => T,
    attempts = 10,
  ): Promise<InternalRecord<T>> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get<T>(name);
      const value = change(current?.value);
      try {
        const revision = await this.put(name, value, current?.revision ?? '0');
        return { value, revision };
      } catch (error) {
        const raced = error instanceof ConflictError || error instanceof AlreadyExistsError;
        if (!raced || attempt >= attempts) throw error;
      }
    }
  }

  private async write(
    name: string,
    guard: Compare,
    op: Parameters<Kv['txn']>[1][number],
    expected: Revision,
  ): Promise<Revision> {
    for (const fence of this.fences) fence.check?.();
    const fenceCompares = this.fences.flatMap((fence) => fence.compares);
    const checkKeys = [...new Set([guard.key, ...fenceCompares.map((c) => c.key)])];
    const result = await this.kv.txn(
      [guard, ...fenceCompares],
      [op],
      checkKeys.map((key) => ({ type: 'range', range: { key } })),
    );
    if (result.succeeded) return result.revision;
    const now = new Map(
      result.results.flatMap((r) =>
        r.type === 'range' && r.kvs[0] ? [[r.kvs[0].key, r.kvs[0]]] : [],
      ),
    );
    for (const fence of this.fences) {
      if (!fence.compares.every((c) => compareHolds(c, now.get(c.key)))) {
        fence.onViolated?.();
        throw new LeaseLostError(
          `write of internal record ${name} refused: the fence no longer holds`,
        );
      }
    }
    const stored = now.get(guard.key);
    if (expected === '0') throw new AlreadyExistsError(`internal record ${name} already exists`);
    if (!stored) throw new NotFoundError(`internal record ${name} not found`);
    throw new ConflictError(
      `internal record ${name} changed (now at revision ${stored.modRevision}, expected ${expected}); re-read and retry`,
    );
  }
}
