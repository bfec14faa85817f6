import { expect, it } from 'vitest';
import { agentObjectName } from '../../src/api/agent.ts';
import { describeAgent } from '../../src/cli/describe-agent.ts';
import { AGENT_A, AGENT_B, seedAgents } from './agents.ts';
import { describeBackends } from './backends.ts';
import { runInProcess } from './run-in-process.ts';

describeBackends('meseta describe agent', (backend) => {
  it('shows identity, domain, attributes, offers with roles and ranges, and bound instances', async () => {
    const { flags, objects } = backend.fresh();
    await seedAgents(objects);
    const result = await runInProcess(['describe', 'agent', AGENT_A, ...flags]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    for (const line of [
      `Name:           ${agentObjectName(AGENT_A)}`,
      `Agent ID:       ${AGENT_A}`,
      'Hostname:       node-a.example',
      'State:          Active',
      'Schedulable:    yes',
      'Labels:         pool=general',
      'Domain:         region eu-west, zone eu-west-1a',
      'Attributes:     rack:r1',
      '                level:2',
      'Offered:',
      '  RESOURCE   ROLE   VALUE',
      '  cpus       *      3.5',
      '  mem        *      1024',
      '  cpus       web    0.5',
      '  ports      *      [31000-31099,31200-31300]',
      'Instances:',
      '  NAMESPACE   NAME       APP    REVISION   GOAL      STATE          HEALTHY   PORTS',
      '  default     web-1-0    web    1          running   TASK_RUNNING   true      31000',
      '  shop        cart-1-0   cart   1          running   Pending        -         <none>',
    ]) {
      expect(lines).toContain(line);
    }
    expect(result.stdout).toMatch(/\nOffered at: {5}\S+ \(\d+s ago\)\n/);
    expect(result.stdout).toMatch(/\nOffered until: {2}\S+ \(in \d+s\)\n/);
    expect(result.stdout).toMatch(/\nLast offer: {5}\S+ \(\d+s ago\)\n/);
  });

  it('says when an agent is cordoned, offers nothing or hosts nothing; names what is missing', async () => {
    const { flags, objects } = backend.fresh();
    await seedAgents(objects);
    const name = agentObjectName(AGENT_B);
    const result = await runInProcess(['describe', `agent/${name}`, 'nope', ...flags]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: agent.meseta.io "nope" not found\n');
    const lines = result.stdout.split('\n');
    expect(lines).toContain('State:          Active,Unschedulable');
    expect(lines).toContain(
      'Schedulable:    no (spec.unschedulable: no new instances are placed here)',
    );
    expect(lines).toContain('Offered:        <none>');
    // Bound there, and the bridge saw its task there: listed once.
    expect(lines.filter((l) => l.includes('web-1-1'))).toEqual([
      '  default     web-1-1   web   1          running   TASK_STAGING   -         <none>',
    ]);
    const instance = await runInProcess(['describe', 'instance', 'web-1-1', ...flags]);
    expect(instance).toMatchObject({
      code: 2,
      stderr: 'error: describe shows apps and agents; list instances with `meseta get instances`\n',
    });
  });
});

it('describes an agent the bridge has not reported on yet', () => {
  const text = describeAgent(
    { apiVersion: 'meseta.io/v1', kind: 'Agent', metadata: { name: 'x' } },
    Date.now(),
    [],
  );
  expect(text.split('\n')).toEqual([
    'Name:           x',
    'Agent ID:       <unknown>',
    'Hostname:       <unknown>',
    'State:          Unknown',
    'Schedulable:    yes',
    'Labels:         <none>',
    'Created:        <unknown>',
    'Domain:         <none>',
    'Attributes:     <none>',
    'Offered:        <none>',
    'Instances:      <none>',
    '',
  ]);
});
