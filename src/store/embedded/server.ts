/**
 * meseta's etcd-compatible server: the part of etcd's v3 gRPC API that npm `etcd3` and
 * `etcdctl` use (KV, Watch, Lease, Maintenance.Status, Cluster.MemberList), over the MVCC
 * engine, on meseta's small gRPC server (grpc-server.ts), with etcd's own .proto files (the
 * copies npm `etcd3` ships): hand-written codecs for the KV service, proto-loader's for the rest. Errors carry etcd's gRPC status codes and messages, which clients match on. Anything
 * else (auth, membership changes, snapshots, defragment…) answers UNIMPLEMENTED.
 *
 * @example
 *   const server = await startEmbeddedEtcd({ dataDir: '/var/lib/meseta/store', port: 2379 });
 *   const client = new Etcd3({ hosts: server.endpoint });
 */
import { loadSync, type ServiceDefinition } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Clock } from '../../clock.ts';
import { silentLogger, type Logger } from '../../log.ts';
import type { Kv } from '../kv.ts';
import { EtcdServerError, GrpcCode } from './errors.ts';
import * as wire from './grpc-codec.ts';
import type { DuplexCall } from './grpc-server.ts';
import { GrpcServer, type GrpcMethod, type GrpcStatus } from './grpc-server.ts';
import { inProcessKv } from './in-process-kv.ts';
import { keyToBytes } from './key-space.ts';
import {
  decodeDeleteRangeRequest,
  decodePutRequest,
  decodeRangeRequest,
  decodeTxnRequest,
  KvResponseEncoder,
} from './kv-messages.ts';
import { MvccEngine } from './mvcc.ts';
import type {
  Change,
  DeleteRangeRequest,
  DeleteRangeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
} from './requests.ts';
import { EMBEDDED_VERSION } from './version.ts';

export interface EmbeddedEtcdOptions {
  /** Where to persist; absent for a memory-only server (tests). */
  dataDir?: string;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  clock?: Clock;
  log?: Logger;
  /** Interval of progress notifications to watches that ask for them (etcd: 10 minutes). */
  progressNotifyIntervalMs?: number;
  snapshotEvery?: number;
}

export interface EmbeddedEtcd {
  /** `http://host:port`, what etcd clients take as an endpoint. */
  endpoint: string;
  port: number;
  /** The same store in process, without gRPC (closing it leaves the server running). */
  inProcessKv(): Kv;
  /** Stops serving, then flushes and closes the data directory. */
  close(): Promise<void>;
}

/** etcd's default request limit (1.5 MiB) plus its allowance for gRPC overhead (512 KiB). */
const MAX_RECEIVE_BYTES = 1.5 * 2 ** 20 + 512 * 2 ** 10;
/** A single-member cluster after its first election. */
const RAFT_TERM = 2;

export async function startEmbeddedEtcd(options: EmbeddedEtcdOptions = {}): Promise<EmbeddedEtcd> {
  const log = options.log ?? silentLogger;
  const engine = await MvccEngine.open({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.progressNotifyIntervalMs
      ? { progressNotifyIntervalMs: options.progressNotifyIntervalMs }
      : {}),
    ...(options.snapshotEvery ? { snapshotEvery: options.snapshotEvery } : {}),
    log,
  });
  const host = options.host ?? '127.0.0.1';
  const services = new EtcdServices(engine, () => endpoint);
  const proto = loadEtcdProto();
  const methods = [
    ...serve(proto.KV, services.kv(), kvCodecs(engine)),
    ...serve(proto.Watch, services.watch()),
    ...serve(proto.Lease, services.lease()),
    ...serve(proto.Maintenance, services.maintenance()),
    ...serve(proto.Cluster, services.cluster()),
  ];
  let server: GrpcServer;
  try {
    server = await GrpcServer.listen(methods, {
      host,
      port: options.port ?? 0,
      maxReceiveBytes: MAX_RECEIVE_BYTES,
      failureStatus: asGrpcStatus,
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const port = server.port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('embedded etcd serving', { endpoint, dataDir: options.dataDir ?? '(memory)' });
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    port,
    inProcessKv: () => inProcessKv(engine),
    close: () =>
      (closing ??= (async () => {
        services.closeStreams();
        await server.close();
        await engine.close();
      })()),
  };
}

interface EtcdProto {
  KV: ServiceDefinition;
  Watch: ServiceDefinition;
  Lease: ServiceDefinition;
  Maintenance: ServiceDefinition;
  Cluster: ServiceDefinition;
}

let loaded: EtcdProto | undefined;

/** etcd's rpc.proto as shipped by npm `etcd3`: the same definitions the client uses. */
function loadEtcdProto(): EtcdProto {
  if (loaded) return loaded;
  const etcd3Dir = dirname(createRequire(import.meta.url).resolve('etcd3/package.json'));
  const definition = loadSync(join(etcd3Dir, 'proto', 'rpc.proto'), {
    keepCase: true,
    longs: String,
    // No default-filling of requests: grpc-codec.ts reads an absent field as its proto default,
    // and filling every field of every request costs CPU on each call.
  });
  const service = (name: string) => definition[`etcdserverpb.${name}`] as ServiceDefinition;
  loaded = {
    KV: service('KV'),
    Watch: service('Watch'),
    Lease: service('Lease'),
    Maintenance: service('Maintenance'),
    Cluster: service('Cluster'),
  };
  return loaded;
}

type Handler = ((request: never) => Promise<unknown>) | ((call: DuplexCall) => void);
type Codec = { decode(bytes: Buffer): unknown; encode(message: never): Buffer };

/**
 * The methods of `service` that `handlers` implements (the others answer UNIMPLEMENTED), with
 * proto-loader's codecs unless `codecs` has hand-written ones.
 */
function serve(
  service: ServiceDefinition,
  handlers: Record<string, Handler>,
  codecs: Record<string, Codec> = {},
): GrpcMethod[] {
  return Object.entries(handlers).map(([name, handler]) => {
    const definition = service[name]!;
    const codec = codecs[name];
    const method: GrpcMethod = {
      path: definition.path,
      decode: codec ? codec.decode : (bytes) => definition.requestDeserialize(bytes),
      encode: codec
        ? (codec.encode as (message: unknown) => Buffer)
        : (message) => definition.responseSerialize(message as object),
    };
    if (definition.requestStream) method.bidi = handler as (call: DuplexCall) => void;
    else method.unary = handler as (request: unknown) => Promise<unknown>;
    return method;
  });
}

/**
 * The hand-written codecs of kv-messages.ts for the KV calls made once per client request:
 * their handlers take engine requests and return engine results. Compact keeps proto-loader's.
 */
function kvCodecs(engine: MvccEngine): Record<string, Codec> {
  const encoder = new KvResponseEncoder({ ...engine.member, raftTerm: RAFT_TERM });
  return {
    Range: { decode: decodeRangeRequest, encode: (r: RangeResponse) => encoder.rangeResponse(r) },
    Put: { decode: decodePutRequest, encode: (r: PutResponse) => encoder.putResponse(r) },
    DeleteRange: {
      decode: decodeDeleteRangeRequest,
      encode: (r: DeleteRangeResponse) => encoder.deleteRangeResponse(r),
    },
    Txn: { decode: decodeTxnRequest, encode: (r: TxnResponse) => encoder.txnResponse(r) },
  };
}

class EtcdServices {
  private readonly streams = new Set<DuplexCall>();

  constructor(
    private readonly engine: MvccEngine,
    private readonly endpoint: () => string,
  ) {}

  private header = (revision: number): wire.Header => ({
    cluster_id: this.engine.member.clusterId,
    member_id: this.engine.member.memberId,
    revision,
    raft_term: RAFT_TERM,
  });

  closeStreams(): void {
    for (const call of this.streams) call.end();
    this.streams.clear();
  }

  /** Range, Put, DeleteRange and Txn take and give engine shapes: see kvCodecs. */
  kv(): Record<string, Handler> {
    const e = this.engine;
    return {
      // The gRPC server turns their failures into statuses (asGrpcStatus): no wrapper promise.
      Range: (req: RangeRequest) => e.range(req),
      Put: (req: PutRequest) => e.put(req),
      DeleteRange: (req: DeleteRangeRequest) => e.deleteRange(req),
      Txn: (req: TxnRequest) => e.txn(req),
      Compact: unary(
        (m) => e.compact(wire.wireNumber(m.revision)),
        (r) => ({ header: this.header(r.revision) }),
      ),
    };
  }

  lease(): Record<string, Handler> {
    const e = this.engine;
    return {
      LeaseGrant: unary(
        (m) => e.leaseGrant(wire.wireNumber(m.TTL), wire.wireLease(m.ID)),
        (r) => ({ header: this.header(r.revision), ID: r.id, TTL: r.ttl, error: '' }),
      ),
      LeaseRevoke: unary(
        (m) => e.leaseRevoke(wire.wireLease(m.ID)),
        (r) => ({ header: this.header(r.revision) }),
      ),
      LeaseTimeToLive: unary(
        async (m) => e.leaseTimeToLive(wire.wireLease(m.ID), m.keys === true),
        (r) => ({
          header: this.header(r.revision),
          ID: r.id,
          TTL: r.ttl,
          grantedTTL: r.grantedTtl,
          keys: r.keys.map(keyToBytes),
        }),
      ),
      LeaseLeases: unary(
        async () => e.leaseList(),
        (ids) => ({ header: this.header(e.revision), leases: ids.map((ID) => ({ ID })) }),
      ),
      LeaseKeepAlive: (call: DuplexCall) => {
        this.track(call);
        call.on('data', (m: wire.Wire) => {
          const id = wire.wireLease(m.ID);
          tryCall(() => e.leaseKeepAlive(id)).then(
            (r) => call.write({ header: this.header(r.revision), ID: id, TTL: r.ttl }),
            (error: unknown) => call.end(asGrpcStatus(error)),
          );
        });
      },
    };
  }

  watch(): Record<string, Handler> {
    return { Watch: (call: DuplexCall) => this.serveWatch(call) };
  }

  maintenance(): Record<string, Handler> {
    const e = this.engine;
    return {
      Status: unary(
        async () => null,
        () => ({
          header: this.header(e.revision),
          version: EMBEDDED_VERSION,
          dbSize: e.dbSize,
          leader: e.member.memberId,
          raftIndex: e.raftIndex,
          raftTerm: RAFT_TERM,
          raftAppliedIndex: e.raftIndex,
          errors: [],
          dbSizeInUse: e.dbSize,
          isLearner: false,
        }),
      ),
    };
  }

  cluster(): Record<string, Handler> {
    const e = this.engine;
    return {
      MemberList: unary(
        async () => null,
        () => ({
          header: this.header(e.revision),
          members: [
            {
              ID: e.member.memberId,
              name: 'meseta',
              peerURLs: [],
              clientURLs: [this.endpoint()],
              isLearner: false,
            },
          ],
        }),
      ),
    };
  }

  private track(call: DuplexCall): void {
    this.streams.add(call);
    const forget = () => this.streams.delete(call);
    call.on('end', () => {
      forget();
      call.end();
    });
    call.on('closed', forget);
  }

  /** One Watch stream: many watches, multiplexed by watch id, as etcd does. */
  private serveWatch(call: DuplexCall): void {
    const e = this.engine;
    const watches = new Map<number, () => void>();
    let nextId = 0;
    const stopAll = () => {
      for (const cancel of watches.values()) cancel();
      watches.clear();
    };
    this.track(call);
    call.on('end', stopAll);
    call.on('closed', stopAll);
    call.on('data', (m: wire.Wire) => {
      try {
        if (m.create_request) {
          const r = m.create_request as wire.Wire;
          let id = wire.wireNumber(r.watch_id);
          if (id !== 0 && watches.has(id)) {
            call.write({
              header: this.header(e.watchedRevision),
              watch_id: -1,
              created: true,
              canceled: true,
              cancel_reason: 'mvcc: duplicate watch ID provided on the WatchStream',
            });
            return;
          }
          if (id === 0) while (watches.has(nextId)) nextId++;
          if (id === 0) id = nextId++;
          const filters = ((r.filters as number[]) ?? []).map(Number);
          const prevKv = r.prev_kv === true;
          // etcd answers "created" first; replayed events, or the compaction, follow.
          call.write({ header: this.header(e.watchedRevision), watch_id: id, created: true });
          const started = e.watch(
            {
              interval: wire.watchInterval(r),
              startRevision: wire.wireNumber(r.start_revision),
              prevKv,
              noPut: filters.includes(wire.FILTER_NOPUT),
              noDelete: filters.includes(wire.FILTER_NODELETE),
              progressNotify: r.progress_notify === true,
            },
            {
              events: (revision: number, changes: Change[]) =>
                call.write({
                  header: this.header(revision),
                  watch_id: id,
                  events: changes.map((c) => wire.event(c, prevKv)),
                }),
              progress: (revision: number) =>
                call.write({ header: this.header(revision), watch_id: id }),
              // The server ends every stream itself when it closes.
              closed: () => {},
            },
          );
          if ('compacted' in started) {
            call.write({
              header: this.header(e.watchedRevision),
              watch_id: id,
              canceled: true,
              compact_revision: started.compacted,
              cancel_reason: 'etcdserver: mvcc: required revision has been compacted',
            });
          } else {
            watches.set(id, started.cancel);
          }
        } else if (m.cancel_request) {
          const id = wire.wireNumber((m.cancel_request as wire.Wire).watch_id);
          const cancel = watches.get(id);
          if (!cancel) return;
          cancel();
          watches.delete(id);
          call.write({ header: this.header(e.watchedRevision), watch_id: id, canceled: true });
        } else if (m.progress_request) {
          // Not tied to one watch: etcd answers with watch id -1.
          call.write({ header: this.header(e.watchedRevision), watch_id: -1 });
        }
      } catch (error) {
        stopAll();
        call.end(asGrpcStatus(error));
      }
    });
  }
}

/** A unary handler over proto-loader's decoded messages. */
function unary<T>(
  handle: (request: wire.Wire) => Promise<T>,
  respond: (result: T) => wire.Wire,
): (request: wire.Wire) => Promise<wire.Wire> {
  return (request) => tryCall(() => handle(request)).then(respond);
}

/** The status a failed call answers with: etcd's code and message, or INTERNAL. */
function asGrpcStatus(error: unknown): GrpcStatus {
  if (error instanceof EtcdServerError) return { code: error.grpcCode, details: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: GrpcCode.internal, details: `etcdserver: ${message}` };
}

/** Handler failures as the gRPC server takes them. */
function tryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn().catch((error: unknown) => Promise.reject(asGrpcStatus(error)));
  } catch (error) {
    return Promise.reject(asGrpcStatus(error));
  }
}
