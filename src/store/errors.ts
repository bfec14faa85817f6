/** Typed errors of the store layer, shared by every Kv implementation and the object store. */
import { MesetaError } from '../errors.ts';
import type { Revision } from './kv.ts';

/** A compare-and-swap lost its race: re-read and retry, or tell the user what changed. */
export class ConflictError extends MesetaError {
  constructor(message: string, path?: string) {
    super('Conflict', message, path ? { path } : {});
  }
}

export class NotFoundError extends MesetaError {
  constructor(message: string) {
    super('NotFound', message);
  }
}

export class AlreadyExistsError extends MesetaError {
  constructor(message: string) {
    super('AlreadyExists', message);
  }
}

/** The revision asked for has been compacted away; re-list, then watch from the list. */
export class CompactedError extends MesetaError {
  constructor(readonly compactRevision: Revision) {
    super('Compacted', `revision has been compacted (compact revision ${compactRevision})`);
  }
}

/** A watch stream ended and could not be resumed; re-list, then watch again. */
export class WatchBrokenError extends MesetaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WatchBroken', message, {}, options);
  }
}

/** The store cannot be reached; names the endpoint so a person can check it. */
export class UnavailableError extends MesetaError {
  constructor(
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('Unavailable', `${endpoint}: ${message}`, {}, options);
  }
}

/** A leader lost its lease: every write fenced on it fails with this, and acting must stop. */
export class LeaseLostError extends MesetaError {
  constructor(message: string) {
    super('LeaseLost', message);
  }
}
