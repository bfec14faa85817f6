/**
 * Apply-set inventories: for each named apply-set, the Apps (`namespace/name`) that applying
 * it has created or updated, kept as an internal record (`<prefix>/internal/applysets/NAME`).
 * Pruning deletes only Apps listed here, never an App the set did not apply. Every write is a
 * compare-and-swap on the record's revision.
 */
import { nameProblem } from '../api/index.ts';
import { UsageError } from '../errors.ts';
import type { InternalRecords } from '../store/internal-records.ts';
import type { Revision } from '../store/kv.ts';

export interface Inventory {
  /** `namespace/name` of every App the set applied, sorted. */
  apps: string[];
}

export interface StoredInventory {
  inventory: Inventory;
  /** "0" when the set has no record yet. */
  revision: Revision;
}

export function inventoryRecordName(applySet: string): string {
  const problem = nameProblem(applySet);
  if (problem) throw new UsageError(`--applyset "${applySet}": ${problem}`);
  return `applysets/${applySet}`;
}

export async function readInventory(
  records: InternalRecords,
  applySet: string,
): Promise<StoredInventory> {
  const record = await records.get<Inventory>(inventoryRecordName(applySet));
  if (!record) return { inventory: { apps: [] }, revision: '0' };
  const apps = Array.isArray(record.value?.apps) ? record.value.apps.filter(isString) : [];
  return { inventory: { apps }, revision: record.revision };
}

/** Replaces the inventory if it is still at `expected`; returns the new revision. */
export async function writeInventory(
  records: InternalRecords,
  applySet: string,
  apps: Iterable<string>,
  expected: Revision,
): Promise<Revision> {
  const inventory: Inventory = { apps: [...new Set(apps)].sort() };
  return records.put(inventoryRecordName(applySet), inventory, expected);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
