/**
 * Leader election per named role on an etcd lease, with fencing.
 *
 * A candidate campaigns by creating `<prefix>/leases/<role>` on a fresh lease, only if the key
 * is absent (compare create revision == 0). The leader renews its lease every `retryPeriodMs`;
 * when no renewal has succeeded for `renewDeadlineMs` (shorter than the lease, so that it stops
 * before anyone else can take over), or the lease or key turns out to be gone, leadership is
 * lost: `signal` aborts at once with a LeaseLostError and the leader must stop acting.
 *
 * Fencing: `fenced()` is the compare "the leader key is still the one I created"; `fence`
 * carries it for `ObjectStore.withFence`, so that every write a leader makes fails with
 * LeaseLostError once it is no longer leader, even if it has not noticed yet.
 * Defaults are Kubernetes': lease 15 s, renew deadline 10 s, retry 2 s.
 */
import { realClock, type Clock, type Timer } from '../clock.ts';
import { MesetaError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { LeaseLostError, UnavailableError } from './errors.ts';
import { keyLayout } from './keys.ts';
import type { Compare, Kv, LeaseId, Revision } from './kv.ts';
import type { Fence } from './object-store.ts';

export interface LeaderElectionOptions {
  role: string;
  /** Who is campaigning, e.g. `hostname/pid`; shown to observers. */
  identity: string;
  prefix?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface Leadership {
  readonly role: string;
  readonly identity: string;
  readonly leaseId: LeaseId;
  /** Aborts, with a LeaseLostError as reason, the moment leadership ends. */
  readonly signal: AbortSignal;
  /** Holds while this leadership lasts: the leader key's create revision is ours. */
  fenced(): Compare;
  /** The fence for `ObjectStore.withFence`. */
  readonly fence: Fence;
  /** Gives leadership up: revokes the lease so that another candidate can take over at once. */
  resign(): Promise<void>;
}

export class LeaderElection {
  private readonly key: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(
    private readonly kv: Kv,
    private readonly options: LeaderElectionOptions,
  ) {
    this.key = keyLayout(options.prefix).leader(options.role);
    this.leaseMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseMs || this.retryMs >= this.renewDeadlineMs) {
      throw new MesetaError(
        'Invalid',
        'leader election needs retry period < renew deadline < lease duration',
        { path: 'leaderElection' },
      );
    }
    this.clock = options.clock ?? realClock;
    this.log = (options.logger ?? silentLogger).child({ role: options.role });
  }

  /** Who leads now, if anyone. */
  async holder(): Promise<{ identity: string; leaseId: LeaseId } | undefined> {
    const { kvs } = await this.kv.range({ key: this.key });
    return kvs[0] ? { identity: kvs[0].value, leaseId: kvs[0].lease } : undefined;
  }

  /** Resolves once this candidate leads; rejects with the signal's reason when aborted. */
  async campaign(signal?: AbortSignal): Promise<Leadership> {
    for (;;) {
      signal?.throwIfAborted();
      try {
        const won = await this.tryAcquire();
        if (won) return won;
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        this.log.warn('cannot reach the store while campaigning', { error });
      }
      await this.clock.sleep(this.retryMs, signal);
    }
  }

  private async tryAcquire(): Promise<Leadership | undefined> {
    const startedAt = this.clock.now();
    const lease = await this.kv.grantLease(Math.max(1, Math.ceil(this.leaseMs / 1000)));
    try {
      const txn = await this.kv.txn(
        [{ key: this.key, target: 'create', result: '==', revision: '0' }],
        [{ type: 'put', key: this.key, value: this.options.identity, lease: lease.id }],
      );
      if (txn.succeeded) {
        this.log.info('became leader', { identity: this.options.identity });
        return new HeldLeadership(this.kv, this.key, lease.id, txn.revision, startedAt, {
          role: this.options.role,
          identity: this.options.identity,
          renewDeadlineMs: this.renewDeadlineMs,
          retryMs: this.retryMs,
          clock: this.clock,
          log: this.log,
        });
      }
    } catch (error) {
      await this.kv.revokeLease(lease.id).catch(() => {});
      throw error;
    }
    await this.kv.revokeLease(lease.id).catch(() => {});
    return undefined;
  }
}

interface HeldOptions {
  role: string;
  identity: string;
  renewDeadlineMs: number;
  retryMs: number;
  clock: Clock;
  log: Logger;
}

class HeldLeadership implements Leadership {
  readonly role: string;
  readonly identity: string;
  readonly signal: AbortSignal;
  readonly fence: Fence;
  private readonly controller = new AbortController();
  private lastRenewed: number;
  private deadline: Timer | undefined;
  private renewal: Timer | undefined;

  constructor(
    private readonly kv: Kv,
    private readonly key: string,
    readonly leaseId: LeaseId,
    private readonly createRevision: Revision,
    acquiredAt: number,
    private readonly options: HeldOptions,
  ) {
    this.role = options.role;
    this.identity = options.identity;
    this.signal = this.controller.signal;
    this.lastRenewed = acquiredAt;
    this.fence = {
      compares: [this.fenced()],
      check: () => {
        if (this.signal.aborted) throw this.signal.reason;
      },
      onViolated: () => this.lose('a fenced write found the leader key changed'),
    };
    this.armDeadline();
    this.scheduleRenewal();
  }

  fenced(): Compare {
    return { key: this.key, target: 'create', result: '==', revision: this.createRevision };
  }

  async resign(): Promise<void> {
    if (this.signal.aborted) return;
    this.stop(new LeaseLostError(`${this.identity} resigned leadership of ${this.role}`));
    await this.kv.revokeLease(this.leaseId).catch((error: unknown) => {
      this.options.log.warn('could not revoke the lease on resigning', { error });
    });
  }

  private armDeadline(): void {
    this.deadline?.cancel();
    const left = this.lastRenewed + this.options.renewDeadlineMs - this.options.clock.now();
    this.deadline = this.options.clock.setTimeout(
      () => this.lose(`no renewal for ${this.options.renewDeadlineMs} ms`),
      Math.max(0, left),
    );
  }

  private scheduleRenewal(): void {
    this.renewal = this.options.clock.setTimeout(() => void this.renew(), this.options.retryMs);
  }

  private async renew(): Promise<void> {
    if (this.signal.aborted) return;
    const attemptAt = this.options.clock.now();
    try {
      const ttl = await this.kv.keepAliveOnce(this.leaseId);
      if (this.signal.aborted) return;
      if (ttl <= 0) return this.lose('the lease expired');
      const { kvs } = await this.kv.range({ key: this.key });
      if (this.signal.aborted) return;
      if (kvs[0]?.createRevision !== this.createRevision) {
        return this.lose('the leader key is gone or belongs to someone else');
      }
      this.lastRenewed = attemptAt;
      this.armDeadline();
    } catch (error) {
      this.options.log.warn('lease renewal failed', { error });
    }
    if (!this.signal.aborted) this.scheduleRenewal();
  }

  private lose(why: string): void {
    if (this.signal.aborted) return;
    this.options.log.warn('lost leadership', { why });
    this.stop(new LeaseLostError(`${this.identity} lost leadership of ${this.role}: ${why}`));
    // Best effort: a lease that outlives a server restart must not keep the key (and with it
    // the fence) alive for a leader that has already stopped.
    void this.kv.revokeLease(this.leaseId).catch(() => {});
  }

  private stop(reason: LeaseLostError): void {
    this.deadline?.cancel();
    this.renewal?.cancel();
    this.controller.abort(reason);
  }
}
