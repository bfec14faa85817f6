/** Leader election and fencing against a real etcd: the leader contract suite. */
import { afterAll, describe, expect, it } from 'vitest';
import type { Kv } from '../../src/store/kv.ts';
import { LeaderElection } from '../../src/store/leader.ts';
import { etcdBackend } from '../support/etcd-backend.ts';
import { describeLeaderContract } from './leader-contract.ts';

const etcd = etcdBackend();
afterAll(() => etcd.close());
describeLeaderContract('etcd', etcd);

describe('LeaderElection timings', () => {
  it('refuses timings where the leader could act after another took over', () => {
    const unused = {} as Kv;
    const elect = (leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number) => () =>
      new LeaderElection(unused, {
        role: 'apps',
        identity: 'me',
        leaseDurationMs,
        renewDeadlineMs,
        retryPeriodMs,
      });
    expect(elect(15_000, 10_000, 2_000)).not.toThrow();
    expect(elect(10_000, 10_000, 2_000)).toThrow('renew deadline < lease duration');
    expect(elect(15_000, 2_000, 2_000)).toThrow('retry period < renew deadline');
  });
});
