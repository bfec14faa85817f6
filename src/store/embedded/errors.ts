/**
 * The errors the embedded etcd-compatible server raises, with etcd's exact messages and gRPC
 * status codes: clients (npm `etcd3`, etcdctl) recognise errors by these strings, so they are
 * part of the wire contract. The in-process Kv turns the compaction error into the store
 * layer's `CompactedError`; everything else surfaces as an `EtcdServerError`.
 */
import { MesetaError } from '../../errors.ts';

/** gRPC status codes used here (numbers as in grpc's status.h). */
export const GrpcCode = {
  ok: 0,
  invalidArgument: 3,
  notFound: 5,
  resourceExhausted: 8,
  failedPrecondition: 9,
  outOfRange: 11,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
} as const;

export class EtcdServerError extends MesetaError {
  constructor(
    readonly grpcCode: number,
    message: string,
  ) {
    super('EtcdServer', message);
  }
}

/** Reading or watching below the compact revision. */
export class RevisionCompactedError extends EtcdServerError {
  constructor(readonly compactRevision: number) {
    super(GrpcCode.outOfRange, 'etcdserver: mvcc: required revision has been compacted');
  }
}

export const etcdErrors = {
  futureRevision: () =>
    new EtcdServerError(
      GrpcCode.outOfRange,
      'etcdserver: mvcc: required revision is a future revision',
    ),
  tooManyOps: () =>
    new EtcdServerError(GrpcCode.invalidArgument, 'etcdserver: too many operations in txn request'),
  duplicateKey: () =>
    new EtcdServerError(GrpcCode.invalidArgument, 'etcdserver: duplicate key given in txn request'),
  emptyKey: () => new EtcdServerError(GrpcCode.invalidArgument, 'etcdserver: key is not provided'),
  valueProvided: () =>
    new EtcdServerError(GrpcCode.invalidArgument, 'etcdserver: value is provided'),
  leaseProvided: () =>
    new EtcdServerError(GrpcCode.invalidArgument, 'etcdserver: lease is provided'),
  keyNotFound: () => new EtcdServerError(GrpcCode.invalidArgument, 'etcdserver: key not found'),
  leaseNotFound: () =>
    new EtcdServerError(GrpcCode.notFound, 'etcdserver: requested lease not found'),
  leaseExists: () =>
    new EtcdServerError(GrpcCode.failedPrecondition, 'etcdserver: lease already exists'),
  leaseTtlTooLarge: () =>
    new EtcdServerError(GrpcCode.outOfRange, 'etcdserver: too large lease TTL'),
  stopped: () => new EtcdServerError(GrpcCode.unavailable, 'etcdserver: server stopped'),
  storageFailed: (cause: string) =>
    new EtcdServerError(GrpcCode.internal, `etcdserver: storage failed: ${cause}`),
};
