/**
 * The shape of every stored object: Kubernetes-style metadata, a spec the user owns and a
 * status the controllers own, plus the descriptor of a resource type (its group, version, kind
 * and plural, and the admission hook every write of that type goes through).
 */
import { compareRevisions } from './kv.ts';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  /** Required for namespaced kinds, absent for cluster-scoped ones. */
  namespace?: string;
  /** Set by the store at creation, never changed. */
  uid?: string;
  /** Starts at 1; the store adds one whenever `spec` changes, and only then. */
  generation?: number;
  /** etcd's mod_revision of the object, as a string; the store sets it on every read. */
  resourceVersion?: string;
  /** Set by the store at creation (RFC 3339). */
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** While any remain, deleting the object only sets `deletionTimestamp`. */
  finalizers?: string[];
  /** Set by the store when deletion was asked for and finalizers remain. */
  deletionTimestamp?: string;
  ownerReferences?: OwnerReference[];
}

export interface StoredObject<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
}

export type WriteOperation = 'create' | 'update' | 'updateStatus' | 'markDeleted';

export interface AdmissionContext<T> {
  operation: WriteOperation;
  /** The stored object this write replaces (absent on create). */
  old?: T;
}

/**
 * Validates and defaults an object before it is written: returns the object to store, or
 * throws (a ValidationError naming the field). Runs before every write of the type, so that
 * the store only ever holds admitted objects. Metadata the store owns (uid, generation,
 * resourceVersion, creationTimestamp, deletionTimestamp) is re-applied after it runs.
 */
export type Admission<T> = (object: T, context: AdmissionContext<T>) => T;

export interface ResourceType<T extends StoredObject = StoredObject> {
  /** API group, e.g. `meseta.io`; empty for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Lowercase plural used in keys, e.g. `apps`. */
  plural: string;
  namespaced: boolean;
  /** See Admission. A method, so that a ResourceType<App> is a ResourceType of any object. */
  admit?(object: T, context: AdmissionContext<T>): T;
}

/** What names a type, without its admission hook. */
export type ResourceNames = Pick<
  ResourceType,
  'group' | 'version' | 'kind' | 'plural' | 'namespaced'
>;

/** Names one object of a type. */
export interface ObjectRef {
  namespace?: string;
  name: string;
}

export function apiVersionOf(type: ResourceNames): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** Whether `a` is a later version of an object than `b` (by resourceVersion). */
export function isNewerVersion(a: StoredObject, b: StoredObject): boolean {
  return compareRevisions(a.metadata.resourceVersion ?? '0', b.metadata.resourceVersion ?? '0') > 0;
}
