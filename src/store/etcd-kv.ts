/**
 * The Kv contract over a real etcd (or anything speaking etcd's v3 gRPC API), through npm
 * `etcd3`'s low-level clients. Promises:
 * - errors come out as the store's typed errors: an unreachable server is an UnavailableError
 *   naming the endpoints, a compacted revision a CompactedError;
 * - watches are raw gRPC streams that fail loudly instead of reconnecting (etcd-watch.ts);
 * - a write is never repeated: one that may or may not have landed is reported, so
 *   compare-and-swap callers keep their guarantees; reads are tried on the next endpoint;
 * - with several endpoints, one that just failed is passed over while another answers.
 */
import { readFileSync } from 'node:fs';
import {
  Etcd3,
  EtcdLeaseInvalidError,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
  ClientClosedError,
  isRecoverableError,
  type IOptions,
  type IWatchResponse,
  type IDuplexStream,
  type IWatchRequest,
} from 'etcd3';
import { MesetaError } from '../errors.ts';
import { CompactedError, NotFoundError, UnavailableError } from './errors.ts';
import { EtcdWatch } from './etcd-watch.ts';
import { rangeKeys, toCompare, toKeyValue, toOpResult, toRequestOp } from './etcd-wire.ts';
import type {
  Compare,
  KeyRange,
  Kv,
  KvWatch,
  LeaseId,
  Op,
  RangeOptions,
  RangeResult,
  Revision,
  TxnResult,
  WatchOptions,
} from './kv.ts';

export interface EtcdConfig {
  /** e.g. `http://127.0.0.1:2379`; all `https://` or all `http://`. */
  endpoints: string[];
  /** Each a file path or PEM text. A CA alone verifies the server; cert+key authenticate us. */
  tls?: { ca?: string; cert?: string; key?: string };
  auth?: { username: string; password: string };
  /** Deadline of every unary call (connect included). Default 5000. */
  dialTimeoutMs?: number;
  /**
   * A watch stream silent for this long is asked for progress; silent for twice this long it
   * is declared dead. Default 10000.
   */
  watchProgressIntervalMs?: number;
}

export function openEtcdKv(config: EtcdConfig): Kv {
  return new EtcdKv(config);
}
type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
type PolicyContext = { signal: AbortSignal; attempt: number };

/** A policy that runs the call once: retrying writes is the caller's business. */
const passThrough = policy(async (fn) => fn());

function policy(execute: <T>(fn: () => Promise<T> | T) => Promise<T>): Policy {
  const context: PolicyContext = { signal: new AbortController().signal, attempt: 1 };
  return {
    execute: <T>(fn: (c: PolicyContext) => Promise<T> | T) =>
      Promise.resolve().then(() => execute(() => fn(context))),
    onSuccess: () => ({ dispose() {} }),
    onFailure: () => ({ dispose() {} }),
  } as unknown as Policy;
}

/** How long an endpoint that failed is passed over while others may be healthy. */
const ENDPOINT_DOWN_MS = 2000;

/**
 * Per-endpoint health for etcd3's connection pool: an endpoint that just failed is skipped (the
 * pool then tries the next one) for ENDPOINT_DOWN_MS, unless every endpoint is down, in which
 * case all are tried again, so that a single-endpoint client reconnects as soon as it can.
 */
class EndpointHealth {
  private readonly downUntil = new Map<string, number>();

  constructor(private readonly endpoints: string[]) {}

  policyFor(endpoint: string): Policy {
    return policy(async (fn) => {
      if (this.isDown(endpoint) && !this.endpoints.every((e) => this.isDown(e))) {
        throw new EndpointSkipped(endpoint);
      }
      try {
        return await fn();
      } catch (error) {
        if (error instanceof Error && isRecoverableError(error)) {
          this.downUntil.set(endpoint, Date.now() + ENDPOINT_DOWN_MS);
        }
        throw error;
      }
    });
  }

  private isDown(endpoint: string): boolean {
    return (this.downUntil.get(endpoint) ?? 0) > Date.now();
  }
}

class EndpointSkipped extends Error {
  constructor(endpoint: string) {
    super(`${endpoint} failed recently`);
    this.name = 'BrokenCircuitError';
  }
}

class EtcdKv implements Kv {
  private readonly client: Etcd3;
  private readonly endpointNames: string;
  private readonly callTimeoutMs: number;
  private readonly progressIntervalMs: number;
  private readonly watches = new Set<EtcdWatch>();
  /** How many endpoints a read may try before giving up. */
  private readonly attempts: number;

  constructor(config: EtcdConfig) {
    if (config.endpoints.length === 0) {
      throw new MesetaError('Invalid', 'etcd: at least one endpoint is needed', {
        path: 'endpoints',
      });
    }
    this.endpointNames = config.endpoints.join(',');
    this.callTimeoutMs = config.dialTimeoutMs ?? 5000;
    this.progressIntervalMs = config.watchProgressIntervalMs ?? 10_000;
    this.attempts = config.endpoints.length;
    const health = new EndpointHealth(config.endpoints);
    const options: IOptions = {
      hosts: config.endpoints,
      faultHandling: {
        global: passThrough,
        host: (endpoint) => health.policyFor(endpoint),
      },
      defaultCallOptions: (context) =>
        context.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs },
      grpcOptions: {
        // Notice a dead connection even when no call is running; etcd refuses pings more often
        // than every 5 s.
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
        'grpc.keepalive_permit_without_calls': 1,
        // A watch catching up after a pause can deliver far more than gRPC's 4 MiB default
        // in one response; etcd's own client lifts the limit the same way.
        'grpc.max_receive_message_length': -1,
      },
    };
    if (config.tls) {
      const { ca, cert, key } = config.tls;
      options.credentials = {
        rootCertificate: pem(ca, 'tls.ca') ?? Buffer.alloc(0),
        ...(cert ? { certChain: pem(cert, 'tls.cert') } : {}),
        ...(key ? { privateKey: pem(key, 'tls.key') } : {}),
      };
      if (!ca) delete (options.credentials as { rootCertificate?: Buffer }).rootCertificate;
    }
    if (config.auth) options.auth = { ...config.auth };
    this.client = new Etcd3(options);
  }

  async range(range: KeyRange, options: RangeOptions = {}): Promise<RangeResult> {
    const response = await this.read(() =>
      this.client.kv.range({
        ...rangeKeys(range),
        ...(options.limit ? { limit: options.limit } : {}),
        ...(options.revision ? { revision: options.revision } : {}),
        keys_only: options.keysOnly ?? false,
        count_only: options.countOnly ?? false,
      }),
    );
    return {
      kvs: response.kvs.map(toKeyValue),
      more: response.more,
      count: Number(response.count),
      revision: response.header.revision,
    };
  }

  async put(key: string, value: string, options: { lease?: LeaseId } = {}): Promise<Revision> {
    const response = await this.call(() =>
      this.client.kv.put({
        key: Buffer.from(key),
        value: Buffer.from(value),
        ...(options.lease && options.lease !== '0' ? { lease: options.lease } : {}),
      }),
    );
    return response.header.revision;
  }

  async delete(range: KeyRange): Promise<{ deleted: number; revision: Revision }> {
    const response = await this.call(() => this.client.kv.deleteRange(rangeKeys(range)));
    return { deleted: Number(response.deleted), revision: response.header.revision };
  }

  async txn(compares: Compare[], success: Op[], failure: Op[] = []): Promise<TxnResult> {
    const response = await this.call(() =>
      this.client.kv.txn({
        compare: compares.map(toCompare),
        success: success.map(toRequestOp),
        failure: failure.map(toRequestOp),
      }),
    );
    const ran = response.succeeded ? success : failure;
    return {
      succeeded: response.succeeded,
      revision: response.header.revision,
      results: response.responses.map((r, i) => toOpResult(r, ran[i]!, response.header.revision)),
    };
  }

  watch(options: WatchOptions): KvWatch {
    const watch = new EtcdWatch(this, options, this.progressIntervalMs);
    this.watches.add(watch);
    watch.done.finally(() => this.watches.delete(watch)).catch(() => {});
    return watch;
  }

  async compact(revision: Revision): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: true }));
  }

  async grantLease(ttlSeconds: number): Promise<{ id: LeaseId; ttl: number }> {
    const response = await this.call(() => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }));
    return { id: response.ID, ttl: Number(response.TTL) };
  }

  async keepAliveOnce(id: LeaseId): Promise<number> {
    const stream = await this.call(() =>
      this.client.leaseClient.leaseKeepAlive({ deadline: Date.now() + this.callTimeoutMs }),
    );
    try {
      const ttl = await new Promise<number>((resolve, reject) => {
        stream.on('data', (response) => resolve(Number(response.TTL)));
        stream.on('error', (error) => reject(error));
        stream.on('end', () =>
          reject(new UnavailableError(this.endpointNames, 'lease keep-alive stream ended early')),
        );
        stream.write({ ID: id });
      });
      return Math.max(0, ttl);
    } catch (error) {
      throw this.translate(error);
    } finally {
      // Half-close before cancelling, for the reason given in EtcdWatch.teardown.
      stream.on('error', () => {});
      stream.end();
      stream.cancel();
    }
  }

  async revokeLease(id: LeaseId): Promise<void> {
    try {
      await this.call(() => this.client.leaseClient.leaseRevoke({ ID: id }));
    } catch (error) {
      // Revoking a lease that already expired has nothing left to do.
      if (error instanceof NotFoundError) return;
      throw error;
    }
  }

  async leaseTimeToLive(id: LeaseId): Promise<number> {
    const response = await this.read(() => this.client.leaseClient.leaseTimeToLive({ ID: id }));
    return Number(response.TTL);
  }

  async status(): Promise<{ revision: Revision; version: string; dbSize: number }> {
    const response = await this.read(() => this.client.maintenance.status());
    return {
      revision: response.header.revision,
      version: response.version,
      dbSize: Number(response.dbSize),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.watches].map((watch) => watch.close()));
    this.client.close();
  }

  /** Opens a raw watch stream (used by EtcdWatch). */
  openWatchStream(): Promise<IDuplexStream<IWatchRequest, IWatchResponse>> {
    return this.call(() => this.client.watchClient.watch());
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /**
   * A call that is safe to repeat (reads): when its endpoint is unavailable, it is tried on the
   * next one. Writes are never repeated: one that may have landed is reported to the caller.
   */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call(fn);
      } catch (error) {
        if (!(error instanceof UnavailableError) || attempt >= this.attempts) throw error;
      }
    }
  }

  /** Maps etcd3's errors to the store's; anything unknown passes through unchanged. */
  translate(error: unknown): unknown {
    if (error instanceof MesetaError) return error;
    if (!(error instanceof Error)) return error;
    const message = error.message;
    if (
      error instanceof GRPCUnavailableError ||
      error instanceof GRPCDeadlineExceededError ||
      error instanceof ClientClosedError ||
      error.name === 'BrokenCircuitError'
    ) {
      return new UnavailableError(this.endpointNames, `etcd is unavailable (${message})`, {
        cause: error,
      });
    }
    if (message.includes('required revision has been compacted')) {
      return new CompactedError('unknown');
    }
    if (error instanceof EtcdLeaseInvalidError || message.includes('lease not found')) {
      return new NotFoundError(`etcd at ${this.endpointNames}: lease not found`);
    }
    return new MesetaError(
      'Etcd',
      `etcd at ${this.endpointNames}: ${message}`,
      {},
      { cause: error },
    );
  }
}

function pem(value: string | undefined, field: string): Buffer | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (error) {
    throw new MesetaError(
      'Invalid',
      `cannot read ${value}: ${(error as Error).message}`,
      { file: value, path: field },
      { cause: error },
    );
  }
}
