/**
 * Errors of the Mesos wire layer. Their messages use Mesos's own wording where Mesos has one
 * ("Missing required fields: …", "Failed to base64 decode bytes field …"), so that the
 * simulator can return them verbatim in its 400 bodies and a client can show them as they are.
 */
import { MesetaError } from '../errors.ts';

/** A message could not be encoded or decoded (bad JSON, wrong types, missing required fields). */
export class CodecError extends MesetaError {
  constructor(message: string, path?: string) {
    super('MesosCodec', message, path ? { path } : {});
  }
}

/** A RecordIO stream is malformed or ended in the middle of a record. */
export class RecordIOError extends MesetaError {
  constructor(message: string) {
    super('RecordIO', message);
  }
}
