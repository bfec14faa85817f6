/**
 * The Mesos protobuf schema, loaded once from the `.proto` files under `src/mesos/proto/` (our
 * own copies with Mesos's package, message names and field numbers). Everything that needs
 * field-level knowledge (the protobuf codec, the Mesos JSON codec, required-field checks) asks
 * this module; nothing else in meseta knows field numbers.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoDir = join(dirname(fileURLToPath(import.meta.url)), 'proto');

const files = [
  'mesos/v1/mesos.proto',
  'mesos/v1/scheduler/scheduler.proto',
  'mesos/v1/master/master.proto',
];

/** The fully-qualified names of the top-level messages meseta sends and receives. */
export const MessageNames = {
  Call: 'mesos.v1.scheduler.Call',
  Event: 'mesos.v1.scheduler.Event',
  MasterCall: 'mesos.v1.master.Call',
  MasterResponse: 'mesos.v1.master.Response',
  MasterEvent: 'mesos.v1.master.Event',
} as const;

export type MessageName = (typeof MessageNames)[keyof typeof MessageNames] | string;

let root: protobuf.Root | undefined;

/** The resolved protobufjs root holding every Mesos type meseta knows. */
export function mesosRoot(): protobuf.Root {
  if (!root) {
    const loaded = new protobuf.Root();
    loaded.resolvePath = (_origin, target) => join(protoDir, target);
    loaded.loadSync(files, { keepCase: true });
    loaded.resolveAll();
    root = loaded;
  }
  return root;
}

const typeCache = new Map<string, protobuf.Type>();

/** Looks up a message type by its fully-qualified name, e.g. `mesos.v1.TaskStatus`. */
export function messageType(name: MessageName): protobuf.Type {
  let type = typeCache.get(name);
  if (!type) {
    type = mesosRoot().lookupType(name);
    typeCache.set(name, type);
  }
  return type;
}

/** A proto2 field's explicit `[default = …]`, or undefined when it has none. */
export function explicitDefault(field: protobuf.Field): unknown {
  const options = field.options as Record<string, unknown> | undefined;
  return options && 'default' in options ? options.default : undefined;
}

export function isDeprecated(field: protobuf.Field): boolean {
  const options = field.options as Record<string, unknown> | undefined;
  return options?.deprecated === true;
}
