import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.ts';
import { BridgeMetrics } from '../../../src/controllers/bridge/bridge-metrics.ts';
import { OfferBook } from '../../../src/controllers/bridge/offer-book.ts';
import { OfferPolicy } from '../../../src/controllers/bridge/offer-policy.ts';
import { silentLogger } from '../../../src/log.ts';
import { MesosCallError } from '../../../src/mesos/client/index.ts';
import type { Filters, Offer, OfferID } from '../../../src/mesos/types.ts';

const offer = (id: string, agent = 'a'): Offer => ({
  id: { value: id },
  framework_id: { value: 'F' },
  agent_id: { value: agent },
  hostname: agent,
  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
});

function setup() {
  const clock = new VirtualClock(1_000_000);
  const calls: string[] = [];
  const declined: { ids: string[]; refuse?: number }[] = [];
  let failDecline = false;
  const client = {
    async decline(ids: OfferID[], filters?: Filters) {
      if (failDecline) throw new MesosCallError('DECLINE', 500, 'boom');
      declined.push({ ids: ids.map((i) => i.value), refuse: filters?.refuse_seconds });
    },
    async suppress() {
      calls.push('suppress');
    },
    async revive() {
      calls.push('revive');
    },
  };
  const offers = new OfferBook();
  const touched = new Set<string>();
  const bound = new Set<string>();
  const policy = new OfferPolicy({
    client,
    offers,
    clock,
    logger: silentLogger,
    metrics: new BridgeMetrics(undefined, { offersHeld: () => 0, statusBacklog: () => 0 }),
    maxHoldMs: 10_000,
    shortRefuseSeconds: 5,
    idleRefuseSeconds: 120,
    idleGraceMs: 3_000,
    awaitsLaunch: (agentId) => bound.has(agentId),
    offersChanged: (ids) => [...ids].forEach((id) => touched.add(id)),
  });
  return {
    clock,
    calls,
    declined,
    offers,
    touched,
    bound,
    policy,
    failDeclines: () => (failDecline = true),
  };
}

describe('OfferPolicy', () => {
  it('declines everything for long and suppresses once when nothing is pending', async () => {
    const t = setup();
    t.offers.add(offer('o1', 'a'), t.clock.now());
    t.offers.add(offer('o2', 'b'), t.clock.now());
    await t.policy.apply(0);
    expect(t.declined).toEqual([{ ids: ['o1', 'o2'], refuse: 120 }]);
    expect(t.calls).toEqual(['suppress']);
    expect(t.offers.size).toBe(0);
    expect([...t.touched].sort()).toEqual(['a', 'b']);
    await t.policy.apply(0);
    expect(t.calls).toEqual(['suppress']);
    expect(t.policy.isSuppressed).toBe(true);
  });

  it('revives when something becomes pending, and holds offers up to the limit', async () => {
    const t = setup();
    await t.policy.apply(0);
    await t.policy.apply(3);
    expect(t.calls).toEqual(['suppress', 'revive']);
    t.offers.add(offer('old'), t.clock.now());
    t.clock.advance(6_000);
    t.offers.add(offer('new'), t.clock.now());
    await t.policy.apply(3);
    expect(t.declined).toEqual([]);
    t.clock.advance(4_000);
    await t.policy.apply(3);
    expect(t.declined).toEqual([{ ids: ['old'], refuse: 5 }]);
    expect(t.offers.untaken().map((o) => o.id.value)).toEqual(['new']);
    expect(t.calls).toEqual(['suppress', 'revive']); // one REVIVE is enough
  });

  it('holds offers through a lull in demand shorter than the grace, then declines for long', async () => {
    const t = setup();
    t.offers.add(offer('o1', 'a'), t.clock.now());
    await t.policy.apply(4);
    // The launch queue's next wave is not created yet: nothing pending for a moment.
    t.clock.advance(2_999);
    await t.policy.apply(0);
    expect(t.declined).toEqual([]);
    expect(t.calls).toEqual([]);
    expect(t.offers.size).toBe(1);
    // Gone for the whole grace: an idle framework.
    t.clock.advance(1);
    await t.policy.apply(0);
    expect(t.declined).toEqual([{ ids: ['o1'], refuse: 120 }]);
    expect(t.calls).toEqual(['suppress']);
    await t.policy.apply(1);
    expect(t.calls).toEqual(['suppress', 'revive']);
  });

  it('keeps old offers of an agent where an instance awaits launch', async () => {
    const t = setup();
    t.offers.add(offer('oa', 'a'), t.clock.now());
    t.offers.add(offer('ob', 'b'), t.clock.now());
    t.bound.add('a');
    t.clock.advance(10_000);
    await t.policy.apply(1);
    expect(t.declined).toEqual([{ ids: ['ob'], refuse: 5 }]);
    expect(t.offers.untaken().map((o) => o.id.value)).toEqual(['oa']);
  });

  it('never declines offers taken by a launch in progress', async () => {
    const t = setup();
    const taken = offer('taken');
    t.offers.add(taken, t.clock.now());
    t.offers.take([taken]);
    await t.policy.apply(0);
    expect(t.declined).toEqual([]);
    expect(t.offers.size).toBe(1);
  });

  it('keeps offers whose DECLINE failed, to decline them next time', async () => {
    const t = setup();
    t.offers.add(offer('o1'), t.clock.now());
    t.failDeclines();
    await t.policy.apply(0);
    expect(t.offers.untaken().map((o) => o.id.value)).toEqual(['o1']);
  });
});
