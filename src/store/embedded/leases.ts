/**
 * The lease table: which leases exist, when each expires, and which keys are attached. Time
 * comes from the injected Clock; expiry is checked lazily (a timer fires at the last known
 * expiry and re-arms itself if the lease was renewed since), so a keep-alive costs no timer
 * churn. Revoking (and what it does to keys) is the engine's job: this table calls `onExpire`.
 */
import type { Clock, Timer } from '../../clock.ts';

/** etcd's smallest TTL on a default single-node server: (3 × 10 election ticks / 2) × 100 ms, rounded up. */
export const MIN_LEASE_TTL = 2;
/** etcd's largest TTL (MaxLeaseTTL). */
export const MAX_LEASE_TTL = 9_000_000_000;

export interface Lease {
  id: string;
  ttl: number;
  expiresAt: number;
  keys: Set<string>;
  timer?: Timer;
}

export class LeaseTable {
  private readonly leases = new Map<string, Lease>();
  private counter = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: (id: string) => void,
  ) {}

  get(id: string): Lease | undefined {
    return this.leases.get(id);
  }

  has(id: string): boolean {
    return this.leases.has(id);
  }

  all(): Lease[] {
    return [...this.leases.values()];
  }

  /** A fresh positive int64 id, as a decimal string, not in use. */
  newId(): string {
    for (;;) {
      this.counter = (this.counter + 1) & 0xffff;
      const id = ((BigInt(this.clock.now()) << 16n) | BigInt(this.counter)) & 0x7fffffffffffffffn;
      if (id !== 0n && !this.leases.has(id.toString())) return id.toString();
    }
  }

  /** Adds a lease expiring `ttl` seconds from now (also used on restart: TTLs start afresh). */
  add(id: string, ttl: number): Lease {
    const lease: Lease = { id, ttl, expiresAt: this.clock.now() + ttl * 1000, keys: new Set() };
    this.leases.set(id, lease);
    this.arm(lease);
    return lease;
  }

  remove(id: string): Lease | undefined {
    const lease = this.leases.get(id);
    if (!lease) return undefined;
    lease.timer?.cancel();
    this.leases.delete(id);
    return lease;
  }

  /** Restarts the lease's TTL; returns it, or undefined when there is no such lease. */
  renew(id: string): Lease | undefined {
    const lease = this.leases.get(id);
    if (lease) lease.expiresAt = this.clock.now() + lease.ttl * 1000;
    return lease;
  }

  /** Whole seconds left (etcd truncates), never below 0. */
  remaining(lease: Lease): number {
    return Math.max(0, Math.floor((lease.expiresAt - this.clock.now()) / 1000));
  }

  attach(id: string, key: string): void {
    this.leases.get(id)?.keys.add(key);
  }

  detach(id: string, key: string): void {
    this.leases.get(id)?.keys.delete(key);
  }

  close(): void {
    for (const lease of this.leases.values()) lease.timer?.cancel();
  }

  private arm(lease: Lease): void {
    lease.timer = this.clock.setTimeout(
      () => {
        if (this.leases.get(lease.id) !== lease) return;
        if (this.clock.now() >= lease.expiresAt) this.onExpire(lease.id);
        else this.arm(lease);
      },
      Math.max(0, lease.expiresAt - this.clock.now()),
    );
  }
}
