/**
 * The contract of leader election and fencing over any Kv backend: one leader among
 * candidates, takeover after resigning and after the leader dies, fenced writes refused once
 * leadership is gone, and (restartable backends) loss reported when the server goes away.
 * Run it with `describeLeaderContract('<backend>', factory)`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/store/errors.ts';
import type { Kv } from '../../src/store/kv.ts';
import { LeaderElection, type Leadership } from '../../src/store/leader.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { until } from '../support/until.ts';
import { uniquePrefix, type KvBackend, type KvBackendFactory } from '../support/kv-backend.ts';
import { widget, widgetType } from './store-contract.ts';

// Short timings: etcd's shortest lease is about 2 s.
const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 200 };

export function describeLeaderContract(name: string, factory: KvBackendFactory): void {
  describe(`leader election contract: ${name}`, () => {
    let backend: KvBackend;
    let kv: Kv;
    let prefix: string;
    const held: Leadership[] = [];
    const extraClients: Kv[] = [];
    const elect = (identity: string, on = kv) =>
      new LeaderElection(on, { role: 'rollout', identity, prefix, ...timings });
    const lead = async (election: LeaderElection, signal?: AbortSignal) => {
      const leadership = await election.campaign(signal);
      held.push(leadership);
      return leadership;
    };

    beforeAll(async () => {
      backend = await factory.open();
      kv = backend.kv;
    });
    afterAll(async () => {
      await kv.close();
    });
    beforeEach(() => {
      prefix = uniquePrefix();
    });
    afterEach(async () => {
      await Promise.all(held.splice(0).map((l) => l.resign().catch(() => {})));
      await Promise.all(extraClients.splice(0).map((c) => c.close()));
    });

    it('elects one of two candidates; the other takes over when the first resigns', async () => {
      const first = await lead(elect('a'));
      let attempts = 0;
      const counting: Kv = Object.create(kv) as Kv;
      counting.txn = (...args) => {
        attempts++;
        return kv.txn(...args);
      };
      let second: Leadership | undefined;
      const waiting = lead(elect('b', counting)).then((l) => (second = l));
      expect(await elect('observer').holder()).toMatchObject({ identity: 'a' });
      // b keeps trying but cannot lead while a does.
      await until(() => attempts >= 3, { within: 5000, what: 'b to try three times' });
      expect(second).toBeUndefined();

      await first.resign();
      expect(first.signal.aborted).toBe(true);
      expect(first.signal.reason).toBeInstanceOf(LeaseLostError);
      await waiting;
      expect(second!.identity).toBe('b');
      expect(await elect('observer').holder()).toMatchObject({ identity: 'b' });

      const store = new ObjectStore({ kv, prefix });
      await expect(store.withFence(first.fence).create(widgetType, widget('x'))).rejects.toThrow(
        LeaseLostError,
      );
      await store.withFence(second!.fence).create(widgetType, widget('y'));
    });

    it('hands over when the leader dies: its lease expires and it reports the loss', async () => {
      const doomedKv = (await factory.open()).kv;
      extraClients.push(doomedKv);
      const doomed = await lead(elect('doomed', doomedKv));
      const heir = lead(elect('heir'));
      // The leader's process loses its connection for good.
      await doomedKv.close();
      const next = await heir;
      expect(next.identity).toBe('heir');
      // By the time anyone else leads, the old leader has already been told it lost.
      expect(doomed.signal.aborted).toBe(true);
      expect(doomed.signal.reason).toBeInstanceOf(LeaseLostError);
    });

    it('refuses fenced writes when the lease is revoked behind the leader', async () => {
      const leader = await lead(elect('a'));
      const fenced = new ObjectStore({ kv, prefix }).withFence(leader.fence);
      const created = await fenced.create(widgetType, widget('f'));
      await kv.revokeLease(leader.leaseId);
      const successor = await lead(elect('b'));
      expect(successor.identity).toBe('b');
      await expect(
        fenced.update(widgetType, { ...created, spec: { size: 2 } }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      expect(leader.signal.aborted).toBe(true);
    });

    if (factory.restartable) {
      it('reports the loss at once when the server goes away, and fences writes after', async () => {
        const leader = await lead(elect('a'));
        const fenced = new ObjectStore({ kv, prefix }).withFence(leader.fence);
        const lostAt = new Promise<number>((resolve) =>
          leader.signal.addEventListener('abort', () => resolve(Date.now())),
        );
        const stoppedAt = Date.now();
        await backend.stop!();
        try {
          const at = await lostAt;
          expect(at - stoppedAt).toBeLessThan(
            timings.renewDeadlineMs + 2 * timings.retryPeriodMs + 1000,
          );
          expect(leader.signal.reason).toBeInstanceOf(LeaseLostError);
        } finally {
          await backend.start!();
        }
        await expect(fenced.create(widgetType, widget('late'))).rejects.toBeInstanceOf(
          LeaseLostError,
        );
      });
    }
  });
}
