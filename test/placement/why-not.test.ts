import { describe, expect, it } from 'vitest';
import { WhyNot } from '../../src/placement/why-not.ts';

describe('WhyNot', () => {
  it('counts agents per reason, largest group first, with the largest offer per resource', () => {
    const why = new WhyNot();
    why.total = 6;
    why.add('unique', (n, total) => `UNIQUE hostname: ${n === total ? 'all ' : ''}${n} agents`);
    why.add('unique', () => 'not used: the first describer is kept');
    why.addShortage({ resource: 'cpus', need: 2, offered: 1.5, message: '' });
    why.addShortage({ resource: 'cpus', need: 2, offered: 0.5, message: '' });
    why.addShortage({ resource: 'cpus', need: 2, offered: 1, message: '' });
    why.addShortage({ resource: 'ports', need: 1, offered: 0, port: 8080, message: '' });
    expect(why.reasons()).toEqual([
      'cpus: need 2, largest offer 1.5 (3 agents)',
      'UNIQUE hostname: 2 agents',
      'ports: 8080 not offered (1 agent)',
    ]);
    expect(why.message()).toBe(
      'no agent can take an instance (6 agents): cpus: need 2, largest offer 1.5 (3 agents); UNIQUE hostname: 2 agents; ports: 8080 not offered (1 agent)',
    );
  });

  it('says when there are no agents at all', () => {
    expect(new WhyNot().message()).toBe('no agent can take an instance: no agents are known');
    expect(new WhyNot().empty).toBe(true);
  });
});
