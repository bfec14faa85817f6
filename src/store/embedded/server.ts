/**
 * meseta's etcd-compatible server: the part of etcd's v3 gRPC API that npm `etcd3` and
 * `etcdctl` use (KV, Watch, Lease, Maintenance.Status, Cluster.MemberList), served with
 * @grpc/grpc-js from etcd's own .proto files (the copies npm `etcd3` ships), over the MVCC
 * engine. Errors carry etcd's gRPC status codes and messages, which clients match on. Anything
 * else (auth, membership changes, snapshots, defragment…) answers UNIMPLEMENTED.
 *
 * @example
 *   const server = await startEmbeddedEtcd({ dataDir: '/var/lib/meseta/store', port: 2379 });
 *   const client = new Etcd3({ hosts: server.endpoint });
 */
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Clock } from '../../clock.ts';
import { silentLogger, type Logger } from '../../log.ts';
import type { Kv } from '../kv.ts';
import { EtcdServerError, GrpcCode } from './errors.ts';
import * as wire from './grpc-codec.ts';
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

type UnaryCall = grpc.ServerUnaryCall<wire.Wire, wire.Wire>;
type UnaryCallback = grpc.sendUnaryData<wire.Wire>;
type DuplexCall = grpc.ServerDuplexStream<wire.Wire, wire.Wire>;

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
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    'grpc.max_send_message_length': 2 ** 31 - 1,
    // Channelz keeps per-call statistics nobody reads here; it costs CPU on every request.
    'grpc.enable_channelz': 0,
  });
  const services = new EtcdServices(engine, () => endpoint);
  const proto = loadEtcdProto();
  server.addService(kvService(proto.KV.service, engine), services.kv());
  server.addService(proto.Watch.service, services.watch());
  server.addService(proto.Lease.service, services.lease());
  server.addService(proto.Maintenance.service, services.maintenance());
  server.addService(proto.Cluster.service, services.cluster());
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`,
        grpc.ServerCredentials.createInsecure(),
        (error, bound) => (error ? reject(error) : resolve(bound)),
      ),
    );
  } catch (error) {
    await engine.close();
    throw error;
  }
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
        server.forceShutdown();
        await engine.close();
      })()),
  };
}

interface EtcdProto {
  KV: grpc.ServiceClientConstructor;
  Watch: grpc.ServiceClientConstructor;
  Lease: grpc.ServiceClientConstructor;
  Maintenance: grpc.ServiceClientConstructor;
  Cluster: grpc.ServiceClientConstructor;
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
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { etcdserverpb: EtcdProto };
  loaded = pkg.etcdserverpb;
  return loaded;
}

/**
 * etcd's KV service with the hand-written codecs of kv-messages.ts for the calls made once per
 * client request: their handlers get engine requests and return engine results. Compact keeps
 * proto-loader's generic codec.
 */
function kvService(base: grpc.ServiceDefinition, engine: MvccEngine): grpc.ServiceDefinition {
  const encoder = new KvResponseEncoder({ ...engine.member, raftTerm: RAFT_TERM });
  const method = <Req, Res>(
    name: string,
    decode: (bytes: Buffer) => Req,
    encode: (response: Res) => Buffer,
  ): grpc.MethodDefinition<Req, Res> => ({
    ...(base[name] as grpc.MethodDefinition<Req, Res>),
    requestDeserialize: decode,
    responseSerialize: encode,
  });
  return {
    ...base,
    Range: method('Range', decodeRangeRequest, (r: RangeResponse) => encoder.rangeResponse(r)),
    Put: method('Put', decodePutRequest, (r: PutResponse) => encoder.putResponse(r)),
    DeleteRange: method('DeleteRange', decodeDeleteRangeRequest, (r: DeleteRangeResponse) =>
      encoder.deleteRangeResponse(r),
    ),
    Txn: method('Txn', decodeTxnRequest, (r: TxnResponse) => encoder.txnResponse(r)),
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

  /** Range, Put, DeleteRange and Txn take and give engine shapes: see kvService. */
  kv(): grpc.UntypedServiceImplementation {
    const e = this.engine;
    return {
      Range: direct((req: RangeRequest) => e.range(req)),
      Put: direct((req: PutRequest) => e.put(req)),
      DeleteRange: direct((req: DeleteRangeRequest) => e.deleteRange(req)),
      Txn: direct((req: TxnRequest) => e.txn(req)),
      Compact: unary(
        (m) => e.compact(wire.wireNumber(m.revision)),
        (r) => ({ header: this.header(r.revision) }),
      ),
    };
  }

  lease(): grpc.UntypedServiceImplementation {
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
            (error: unknown) => call.emit('error', asGrpcError(error)),
          );
        });
      },
    };
  }

  watch(): grpc.UntypedServiceImplementation {
    return { Watch: (call: DuplexCall) => this.serveWatch(call) };
  }

  maintenance(): grpc.UntypedServiceImplementation {
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

  cluster(): grpc.UntypedServiceImplementation {
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
    call.on('cancelled', forget);
    call.on('error', forget);
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
    call.on('cancelled', stopAll);
    call.on('error', stopAll);
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
        call.emit('error', asGrpcError(error));
      }
    });
  }
}

function tryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(error);
  }
}

function unary<T>(
  handle: (request: wire.Wire) => Promise<T>,
  respond: (result: T) => wire.Wire,
): grpc.handleUnaryCall<wire.Wire, wire.Wire> {
  return (call: UnaryCall, callback: UnaryCallback) => {
    tryCall(() => handle(call.request)).then(
      (result) => callback(null, respond(result)),
      (error: unknown) => callback(asGrpcError(error)),
    );
  };
}

/** A unary handler whose request and response the service definition already translates. */
function direct<Req, Res>(handle: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
    tryCall(() => handle(call.request)).then(
      (result) => callback(null, result),
      (error: unknown) => callback(asGrpcError(error)),
    );
  };
}

function asGrpcError(error: unknown): Partial<grpc.StatusObject> {
  if (error instanceof EtcdServerError) return { code: error.grpcCode, details: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: GrpcCode.internal, details: `etcdserver: ${message}` };
}
