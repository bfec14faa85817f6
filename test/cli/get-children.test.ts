import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { seedAppChildren } from './app-children.ts';
import { describeBackends } from './backends.ts';
import { runInProcess } from './run-in-process.ts';

/** Ages are seconds in these tests; the last column's can be stood in for. */
const lastAge = (text: string) => text.replace(/ \d+s\n/g, ' AGE\n');

describeBackends('meseta get instances', (backend) => {
  it('prints a table like kubectl, for one App or all, wide, across namespaces', async () => {
    const { flags, objects } = backend.fresh();
    await seedAppChildren(flags, objects);
    const table = await runInProcess(['get', 'instances', ...flags]);
    expect(table.code).toBe(0);
    expect(lastAge(table.stdout)).toBe(
      [
        'NAME      APP   REVISION   GOAL      STATE          HEALTHY   HOST             AGE',
        'db-1-0    db    1          running   TASK_FAILED    false     node-c.example   AGE',
        'web-1-0   web   1          running   TASK_RUNNING   true      node-a.example   AGE',
        'web-2-0   web   2          running   TASK_STAGING   -         agent-b          AGE',
        'web-2-1   web   2          running   Pending        -         <none>           AGE',
        '',
      ].join('\n'),
    );
    const web = await runInProcess(['get', 'inst', '--app', 'web', '--no-headers', ...flags]);
    expect(web.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toEqual([
      'web-1-0',
      'web-2-0',
      'web-2-1',
      '',
    ]);
    const wide = await runInProcess(['get', 'instances', '--app', 'web', '-o', 'wide', ...flags]);
    const lines = wide.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^NAME +APP +REVISION +GOAL +STATE +HEALTHY +HOST +AGE +TASK ID +PORTS +AGENT$/,
    );
    expect(lines[1]).toMatch(
      /^web-1-0 .* TASK_RUNNING .* node-a\.example +\d+s +web\.instance-web-1-0\.1 +31000,31001 +agent-a$/,
    );
    expect(lines[3]).toMatch(/^web-2-1 .* Pending .* <none> +\d+s +<none> +<none> +<none>$/);
    const all = await runInProcess(['get', 'instances', '-A', '-o', 'name', ...flags]);
    expect(all.stdout).toBe(
      [
        'instance.meseta.io/db-1-0',
        'instance.meseta.io/web-1-0',
        'instance.meseta.io/web-2-0',
        'instance.meseta.io/web-2-1',
        'instance.meseta.io/cart-1-0',
        '',
      ].join('\n'),
    );
    const shop = await runInProcess(['get', 'instances', '-A', '--app', 'cart', ...flags]);
    expect(shop.stdout.split('\n')[1]).toMatch(/^shop +cart-1-0 +cart +1 +running +Pending/);
  });

  it('shows some by name as YAML or JSON, and says what is missing', async () => {
    const { flags, objects } = backend.fresh();
    await seedAppChildren(flags, objects);
    const one = parse(
      (await runInProcess(['get', 'instance/web-1-0', '-o', 'yaml', ...flags])).stdout,
    );
    expect(one).toMatchObject({
      kind: 'Instance',
      metadata: { name: 'web-1-0', namespace: 'default' },
      spec: { app: 'web', revision: 1, goal: 'running' },
      status: { state: 'TASK_RUNNING', hostname: 'node-a.example' },
    });
    const two = JSON.parse(
      (await runInProcess(['get', 'instances', 'web-2-0', 'db-1-0', '-o', 'json', ...flags]))
        .stdout,
    );
    expect(two.kind).toBe('InstanceList');
    expect(two.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'web-2-0',
      'db-1-0',
    ]);
    expect(
      await runInProcess(['get', 'instance', 'web-1-0', 'nope', '-o', 'name', ...flags]),
    ).toEqual({
      code: 1,
      stdout: 'instance.meseta.io/web-1-0\n',
      stderr: 'error: instance.meseta.io "nope" not found in namespace default\n',
    });
    expect(await runInProcess(['get', 'instances', '--app', 'nope', ...flags])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No instances found in namespace default.\n',
    });
    const both = await runInProcess(['get', 'instance', 'web-1-0', '--app', 'web', ...flags]);
    expect(both.code).toBe(2);
    const appFlag = await runInProcess(['get', 'apps', '--app', 'web', ...flags]);
    expect(appFlag).toMatchObject({
      code: 2,
      stderr: 'error: --app selects instances or revisions, not apps\n',
    });
    const mixed = await runInProcess(['get', 'instance/web-1-0', 'app/web', ...flags]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('one resource type at a time');
    const agents = await runInProcess(['delete', 'agent', 's1', ...flags]);
    expect(agents.code).toBe(2);
    expect(agents.stderr).toContain('agents are written by the Mesos bridge');
    const deleting = await runInProcess(['delete', 'instance', 'web-1-0', ...flags]);
    expect(deleting.code).toBe(2);
    expect(deleting.stderr).toContain('this verb works on apps only');
  });
});

describeBackends('meseta get revisions and events', (backend) => {
  it('lists revisions per App in revision order', async () => {
    const { flags, objects } = backend.fresh();
    await seedAppChildren(flags, objects);
    const table = await runInProcess(['get', 'revisions', ...flags]);
    expect(table.code).toBe(0);
    expect(lastAge(table.stdout)).toBe(
      [
        'NAME    APP   REVISION   HASH               AGE',
        'db-1    db    1          cccccccccccccccc   AGE',
        'web-1   web   1          aaaaaaaaaaaaaaaa   AGE',
        'web-2   web   2          bbbbbbbbbbbbbbbb   AGE',
        '',
      ].join('\n'),
    );
    expect(
      (await runInProcess(['get', 'rev', '--app', 'web', '-o', 'name', ...flags])).stdout,
    ).toBe('apprevision.meseta.io/web-1\napprevision.meseta.io/web-2\n');
    const one = parse(
      (await runInProcess(['get', 'apprevision.meseta.io/web-2', '-o', 'yaml', ...flags])).stdout,
    );
    expect(one).toMatchObject({ kind: 'AppRevision', spec: { app: 'web', revision: 2 } });
  });

  it('lists events oldest last-seen first, for one object or all', async () => {
    const { flags, objects } = backend.fresh();
    await seedAppChildren(flags, objects);
    const table = await runInProcess(['get', 'events', ...flags]);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toBe(
      'LAST SEEN   TYPE      REASON       OBJECT             MESSAGE               COUNT',
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^5m(\d+s)? +Normal +ScalingUp +app\/web +created 3 instances +1$/),
      expect.stringMatching(/^1\d\ds +Normal +ScalingUp +app\/db +created 1 instance +1$/),
      expect.stringMatching(/^2\ds +Warning +TaskFailed +instance\/web-2-0 +exited with 1 +4$/),
      '',
    ]);
    const forWeb = await runInProcess(['get', 'ev', '--for', 'app/web', '--no-headers', ...flags]);
    expect(forWeb.stdout).toMatch(
      /^5m(\d+s)? +Normal +ScalingUp +app\/web +created 3 instances +1\n$/,
    );
    const forInstance = await runInProcess([
      'get',
      'events',
      '--for',
      'instance/web-2-0',
      '-o',
      'json',
      ...flags,
    ]);
    const list = JSON.parse(forInstance.stdout);
    expect(list.kind).toBe('EventList');
    expect(list.items).toMatchObject([{ reason: 'TaskFailed', count: 4 }]);
    const all = await runInProcess(['get', 'events', '-A', '-o', 'name', ...flags]);
    expect(all.stdout).toBe(
      [
        'event.meseta.io/web.scaled',
        'event.meseta.io/db.scaled',
        'event.meseta.io/cart.scaled',
        'event.meseta.io/web-2-0.failed',
        '',
      ].join('\n'),
    );
    const bad = await runInProcess(['get', 'events', '--for', 'web', ...flags]);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('--for must be KIND/NAME');
    expect((await runInProcess(['get', 'instances', '--for', 'app/web', ...flags])).code).toBe(2);
  });
});
