/**
 * How the store's contract suites reach a backend: each suite opens its clients with `open()`
 * and closes them; `close()` shuts the backend down and belongs to whoever made the factory
 * (the test file, in its `afterAll`). A backend whose `open()` returns the server controls
 * (`stop`, `start`, `restart`) and says so with `restartable: true` also gets the suites' tests of
 * a server going away and coming back; the others do not register those tests at all.
 */
import { randomUUID } from 'node:crypto';
import type { Kv } from '../../src/store/kv.ts';

export interface KvBackend {
  /**
   * A client of its own: `close()` releases only it, and every call on it afterwards fails
   * (the leader suite closes one to play a leader whose process died). An in-process backend
   * hands out a thin wrapper per `open()` to honour this.
   */
  kv: Kv;
  /** Stops the server behind `kv` (keeping its data). */
  stop?(): Promise<void>;
  /** Starts it again on the same address and data. */
  start?(): Promise<void>;
  restart?(): Promise<void>;
}

export interface KvBackendFactory {
  /** True when `open()` returns `stop`, `start` and `restart`. */
  restartable?: boolean;
  /** A new client on the shared backend (each call its own connection). */
  open(): Promise<KvBackend>;
  /** Stops the backend and removes what it stored. */
  close(): Promise<void>;
}

/** A key prefix no other test uses, so that tests can share one server. */
export function uniquePrefix(): string {
  return `/test-${randomUUID().slice(0, 8)}`;
}
