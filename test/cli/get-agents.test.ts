import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { agentObjectName } from '../../src/api/agent.ts';
import { agentResource } from '../../src/api/resources.ts';
import {
  agentState,
  attributesText,
  mesosValue,
  offeredScalar,
  reservedRole,
} from '../../src/cli/agent-output.ts';
import { until } from '../support/until.ts';
import { AGENT_A, AGENT_B, AGENT_C, seedAgents } from './agents.ts';
import { describeBackends } from './backends.ts';
import { runInProcess } from './run-in-process.ts';
import { repoRoot } from './run-meseta.ts';

const a = agentObjectName(AGENT_A);
const b = agentObjectName(AGENT_B);
const c = agentObjectName(AGENT_C);

describeBackends('meseta get agents', (backend) => {
  it('lists agents like kubectl get nodes, whatever the namespace', async () => {
    const { flags, objects } = backend.fresh();
    const empty = await runInProcess(['get', 'agents', ...flags]);
    expect(empty).toEqual({ code: 0, stdout: '', stderr: 'No agents found.\n' });
    await seedAgents(objects);
    const table = await runInProcess(['get', 'agents', '-n', 'shop', ...flags]);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe('');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `NAME${' '.repeat(a.length - 1)}HOSTNAME         STATE                  REGION    ZONE         CPUS   MEM    AGE`,
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${a} {3}node-a\\.example {3}Active {17}eu-west {3}eu-west-1a {3}4 {6}1024 {3}\\d+s$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^${b} {3}node-b\\.example {3}Active,Unschedulable {3}eu-west {3}eu-west-1b {3}0 {6}0 {6}\\d+s$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^${c} {3}node-c\\.example {3}Removed {16}<none> {4}<none> {7}0 {6}0 {6}\\d+s$`),
      ),
    ]);
    // -A adds no NAMESPACE column: agents belong to none.
    const all = await runInProcess(['get', 'agents', '-A', '--no-headers', ...flags]);
    expect(all.stdout.split('\n')[0]).toMatch(new RegExp(`^${a} `));
  });

  it('shows agent ids and attributes with -o wide, and filters by label', async () => {
    const { flags, objects } = backend.fresh();
    await seedAgents(objects);
    const wide = await runInProcess(['get', 'agents', '-o', 'wide', '-l', 'pool', ...flags]);
    expect(wide.code).toBe(0);
    const lines = wide.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/ {3}AGE {3}AGENT ID {3,}ATTRIBUTES$/);
    expect(lines[1]).toMatch(new RegExp(`\\d+s +${AGENT_A} {3}rack:r1,level:2$`));
    expect(lines[2]).toMatch(new RegExp(`\\d+s +${AGENT_B} {3}rack:r2$`));
    const gpu = await runInProcess(['get', 'agents', '-l', 'pool=gpu', '-o', 'name', ...flags]);
    expect(gpu).toEqual({ code: 0, stdout: `agent.meseta.io/${b}\n`, stderr: '' });
  });

  it('shows some by object name or Mesos agent id, as YAML or JSON, and says what is missing', async () => {
    const { flags, objects } = backend.fresh();
    await seedAgents(objects);
    const yaml = await runInProcess(['get', 'agent', AGENT_A, '-o', 'yaml', ...flags]);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toMatch(/^apiVersion: meseta.io\/v1\nkind: Agent\n/);
    expect(yaml.stdout).toContain(`agentId: ${AGENT_A}`);
    const json = await runInProcess(['get', `agent/${b}`, c, 'nope', '-o', 'json', ...flags]);
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('error: agent.meseta.io "nope" not found\n');
    const list = JSON.parse(json.stdout) as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    expect(list.kind).toBe('AgentList');
    expect(list.items.map((i) => i.metadata.name)).toEqual([b, c]);
  });

  it('-w prints an agent the bridge publishes after the list', async () => {
    const { flags, objects } = backend.fresh();
    await seedAgents(objects);
    const child = spawn(process.execPath, ['bin/meseta.js', 'get', 'agents', '-w', ...flags], {
      cwd: repoRoot,
      env: { ...process.env, MESETA_CONFIG: '/nonexistent/meseta-test-config' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => stdout.includes('node-c.example'), {
        within: 20_000,
        what: 'the initial table',
      });
      // The watch may start a moment after the table is printed: keep writing until it shows.
      await until(
        async () => {
          const live = (await objects.get(agentResource, { name: b }))!;
          await objects.update(agentResource, { ...live, spec: { unschedulable: false } });
          return /node-b\.example {3}Active {3,}/.test(stdout);
        },
        { within: 10_000, every: 200, what: 'the uncordoned agent to be printed' },
      );
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 40_000);
});

it('renders Mesos values, roles and offered sums as Mesos prints them', () => {
  expect(mesosValue({ type: 'SCALAR', scalar: { value: 2.5 } })).toBe('2.5');
  expect(
    mesosValue({
      type: 'RANGES',
      ranges: {
        range: [
          { begin: '1', end: '2' },
          { begin: '5', end: '9' },
        ],
      },
    }),
  ).toBe('[1-2,5-9]');
  expect(mesosValue({ type: 'SET', set: { item: ['a', 'b'] } })).toBe('{a,b}');
  expect(mesosValue({ type: 'TEXT', text: { value: 'r1' } })).toBe('r1');
  expect(attributesText(undefined)).toBe('<none>');
  const cpus = (value: number, extra = {}) => ({
    name: 'cpus',
    type: 'SCALAR' as const,
    scalar: { value },
    ...extra,
  });
  expect(offeredScalar([cpus(0.1), cpus(0.2)], 'cpus')).toBe(0.3);
  expect(offeredScalar([cpus(1)], 'mem')).toBe(0);
  expect(reservedRole(cpus(1))).toBe('*');
  expect(reservedRole(cpus(1, { role: 'legacy' }))).toBe('legacy');
  expect(
    reservedRole(
      cpus(1, { reservations: [{ role: 'eng' }, { role: 'eng/web' }], role: 'ignored' }),
    ),
  ).toBe('eng/web');
  const agent = {
    apiVersion: 'meseta.io/v1' as const,
    kind: 'Agent' as const,
    metadata: { name: 'x' },
  };
  expect(agentState(agent)).toBe('Unknown');
  expect(agentState({ ...agent, spec: { unschedulable: true } })).toBe('Unknown,Unschedulable');
});
