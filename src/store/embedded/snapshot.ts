/**
 * The engine's whole durable state as a list of snapshot records: a header (log index,
 * revision, compact revision), one record per key with its kept history, one per lease, and an
 * end mark with the key count so a snapshot cut short can never pass for a whole one.
 */
import { Decoder, Encoder } from './record-codec.ts';
import type { KeyRevision } from './requests.ts';

export interface SnapshotState {
  index: number;
  revision: number;
  compactRevision: number;
  histories: Iterable<KeyRevision[]>;
  leases: Iterable<{ id: string; ttl: number }>;
}

export interface LoadedSnapshot {
  index: number;
  revision: number;
  compactRevision: number;
  histories: KeyRevision[][];
  leases: { id: string; ttl: number }[];
}

const HEADER = 1;
const KEY = 2;
const LEASE = 3;
const END = 4;

/** The snapshot file's bytes: one log frame (see wal.ts) per snapshot record. */
export function encodeSnapshot(state: SnapshotState, sizeHint = 0): Buffer {
  const e = new Encoder(Math.max(4096, sizeHint));
  e.frame((f) => f.u8(HEADER).num(state.index).num(state.revision).num(state.compactRevision));
  let keys = 0;
  for (const history of state.histories) {
    e.frame((f) => {
      f.u8(KEY).str(history[0]!.key).u32(history.length);
      for (const r of history) {
        f.num(r.mod).num(r.sub).num(r.create).num(r.version).str(r.lease).str(r.value);
      }
    });
    keys++;
  }
  for (const lease of state.leases) e.frame((f) => f.u8(LEASE).str(lease.id).num(lease.ttl));
  e.frame((f) => f.u8(END).num(keys));
  return e.finish();
}

export function decodeSnapshot(payloads: Buffer[]): LoadedSnapshot {
  const head = new Decoder(payloads[0] ?? Buffer.alloc(0));
  if (head.u8() !== HEADER) throw new Error('snapshot does not start with a header');
  const loaded: LoadedSnapshot = {
    index: head.num(),
    revision: head.num(),
    compactRevision: head.num(),
    histories: [],
    leases: [],
  };
  let ended = false;
  for (let i = 1; i < payloads.length; i++) {
    const d = new Decoder(payloads[i]!);
    const kind = d.u8();
    if (kind === KEY) {
      const key = d.str();
      const count = d.u32();
      const history: KeyRevision[] = [];
      for (let j = 0; j < count; j++) {
        const mod = d.num();
        const sub = d.num();
        const create = d.num();
        const version = d.num();
        const lease = d.str();
        history.push({ key, mod, sub, create, version, lease, value: d.str() });
      }
      loaded.histories.push(history);
    } else if (kind === LEASE) {
      loaded.leases.push({ id: d.str(), ttl: d.num() });
    } else if (kind === END) {
      if (d.num() !== loaded.histories.length) throw new Error('snapshot key count mismatch');
      ended = true;
    } else {
      throw new Error(`unknown snapshot record kind ${kind}`);
    }
  }
  if (!ended) throw new Error('snapshot has no end mark');
  return loaded;
}
