import { describe, expect, it } from 'vitest';
import { OfferBook, sumResources } from '../../../src/controllers/bridge/offer-book.ts';
import type { Offer, Resource } from '../../../src/mesos/types.ts';

const cpus = (value: number, role = 'apps'): Resource => ({
  name: 'cpus',
  type: 'SCALAR',
  scalar: { value },
  allocation_info: { role },
});
const ports = (begin: number, end: number): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: [{ begin: String(begin), end: String(end) }] },
  allocation_info: { role: 'apps' },
});

function offer(id: string, agent: string, resources: Resource[]): Offer {
  return {
    id: { value: id },
    framework_id: { value: 'F' },
    agent_id: { value: agent },
    hostname: agent,
    resources,
  };
}

describe('OfferBook', () => {
  it('indexes offers by agent and sums what each agent offers', () => {
    const book = new OfferBook();
    book.add(offer('o1', 'a', [cpus(1), ports(31000, 31010)]), 0);
    book.add(offer('o2', 'a', [cpus(0.5), ports(31011, 31020)]), 5);
    book.add(offer('o3', 'b', [cpus(2)]), 5);
    expect(book.size).toBe(3);
    expect([...book.agents()].sort()).toEqual(['a', 'b']);
    expect(book.offered('a')).toEqual([cpus(1.5), ports(31000, 31020)]);
    expect(book.heldSince(0).map((o) => o.id.value)).toEqual(['o1']);
    expect(book.oldestReceivedAt('a')).toBe(0);
    expect(book.oldestReceivedAt('c')).toBeUndefined();
    expect(book.remove('o1')).toBe('a');
    expect(book.remove('o1')).toBeUndefined();
    expect(book.offered('a')).toEqual([cpus(0.5), ports(31011, 31020)]);
  });

  it('keeps taken offers out of sums and declines until released', () => {
    const book = new OfferBook();
    const o = offer('o1', 'a', [cpus(1)]);
    book.add(o, 0);
    book.take([o]);
    expect(book.available('a')).toEqual([]);
    expect(book.untaken()).toEqual([]);
    expect([...book.agents()]).toEqual([]);
    book.release([o]);
    expect(book.available('a')).toEqual([o]);
    expect(book.clear()).toEqual(['a']);
    expect(book.size).toBe(0);
  });

  it('keeps resources of different roles apart when summing', () => {
    expect(sumResources([cpus(1), cpus(2, 'db'), cpus(1)])).toEqual([cpus(2), cpus(2, 'db')]);
  });
});
