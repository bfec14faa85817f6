import { expect, it } from 'vitest';
import type { Instance } from '../../src/api/instance.ts';
import { appResource, instanceResource } from '../../src/api/resources.ts';
import { progressLine } from '../../src/cli/progress-line.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { until } from '../support/until.ts';
import { describeBackends } from './backends.ts';
import { appManifest, manifestDir } from './manifests.ts';
import { runInProcess } from './run-in-process.ts';

const FINALIZER = 'meseta.io/instances';

/** An App `name` as the apps controller leaves it: its finalizer on, `instances` instances. */
async function appWithInstances(
  flags: string[],
  objects: ObjectStore,
  name: string,
  instances: number,
): Promise<void> {
  const dir = manifestDir({ [`${name}.yaml`]: appManifest(name, { instances }) });
  expect((await runInProcess(['apply', '-f', dir, ...flags])).code).toBe(0);
  const live = (await objects.get(appResource, { namespace: 'default', name }))!;
  await objects.update(appResource, {
    ...live,
    metadata: { ...live.metadata, finalizers: [FINALIZER] },
  });
  for (let ordinal = 0; ordinal < instances; ordinal++) {
    const instance: Instance = {
      apiVersion: 'meseta.io/v1',
      kind: 'Instance',
      metadata: { name: `${name}-1-${ordinal}`, namespace: 'default' },
      spec: { app: name, revision: 1, goal: 'running' },
    };
    await objects.create(instanceResource, instance);
  }
}

/** What the apps controller does for a deleted App: its instances go, then its finalizer. */
async function finishDeletion(objects: ObjectStore, name: string, instances: number) {
  const ref = { namespace: 'default', name };
  await until(async () => (await objects.get(appResource, ref))?.metadata.deletionTimestamp, {
    what: 'the App to be marked for deletion',
  });
  for (let ordinal = 0; ordinal < instances; ordinal++) {
    await objects.delete(instanceResource, { namespace: 'default', name: `${name}-1-${ordinal}` });
  }
  const live = (await objects.get(appResource, ref))!;
  await objects.update(appResource, { ...live, metadata: { ...live.metadata, finalizers: [] } });
}

/** Runs `work` with stdout taken for a terminal. */
async function onTerminal<T>(work: () => Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
  try {
    return await work();
  } finally {
    if (saved) Object.defineProperty(process.stdout, 'isTTY', saved);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  }
}

describeBackends('meseta delete --wait', (backend) => {
  it('waits, by default, until the instances and the finalizer are gone', async () => {
    const { flags, objects } = backend.fresh();
    await appWithInstances(flags, objects, 'web', 2);
    const [result] = await Promise.all([
      runInProcess(['delete', 'app', 'web', ...flags]),
      finishDeletion(objects, 'web', 2),
    ]);
    // Not a terminal: no progress, only the outcome, once the App is really gone.
    expect(result).toEqual({ code: 0, stdout: 'app.meseta.io "web" deleted\n', stderr: '' });
    expect(await objects.get(appResource, { namespace: 'default', name: 'web' })).toBeUndefined();
  });

  it('shows progress on a terminal as instances go', async () => {
    const { flags, objects } = backend.fresh();
    await appWithInstances(flags, objects, 'web', 2);
    const deleting = (name: string) =>
      objects.delete(instanceResource, { namespace: 'default', name });
    let output = '';
    const seen = (text: string) => until(() => output.includes(text), { what: text });
    const result = await onTerminal(async () => {
      const run = runInProcess(['delete', 'app', 'web', ...flags], {
        onStdout: (text) => (output = text),
      });
      await seen('2 instances left');
      await deleting('web-1-0');
      await seen('1 instance left');
      await deleting('web-1-1');
      await seen('0 instances left');
      const live = (await objects.get(appResource, { namespace: 'default', name: 'web' }))!;
      await objects.update(appResource, {
        ...live,
        metadata: { ...live.metadata, finalizers: [] },
      });
      return run;
    });
    expect(result.code).toBe(0);
    const waiting = (left: string) =>
      `\r\x1b[KWaiting for app.meseta.io "web" to be deleted: ${left} left (finalizers: ${FINALIZER})...`;
    expect(result.stdout).toBe(
      waiting('2 instances') +
        waiting('1 instance') +
        waiting('0 instances') +
        '\napp.meseta.io "web" deleted\n',
    );
  });

  it('times out saying what still holds the App, and exits 1', async () => {
    const { flags, objects } = backend.fresh();
    await appWithInstances(flags, objects, 'web', 2);
    await appWithInstances(flags, objects, 'db', 0);
    const plain = manifestDir({ 'a.yaml': appManifest('a') });
    expect((await runInProcess(['apply', '-f', plain, ...flags])).code).toBe(0);
    const result = await runInProcess([
      'delete',
      'app',
      'a',
      'web',
      'db',
      '--timeout',
      '300ms',
      ...flags,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('app.meseta.io "a" deleted\n');
    expect(result.stderr).toBe(
      'error: app.meseta.io "web" in namespace default is still there after 0.3s: it is marked ' +
        `for deletion and held by the finalizer ${FINALIZER}; 2 of its instances remain ` +
        '(web-1-0, web-1-1), which the apps controller must remove first. The controllers that ' +
        'own them must be running (`meseta controller` or `meseta up`)\n' +
        'error: app.meseta.io "db" in namespace default is still there after 0.3s: it is marked ' +
        `for deletion and held by the finalizer ${FINALIZER}. The controllers that own them ` +
        'must be running (`meseta controller` or `meseta up`)\n',
    );
  });

  it('returns at once with --wait=false or --no-wait, and refuses a --wait that is no boolean', async () => {
    const { flags, objects } = backend.fresh();
    await appWithInstances(flags, objects, 'web', 1);
    await appWithInstances(flags, objects, 'db', 1);
    for (const [name, flag] of [
      ['web', '--wait=false'],
      ['db', '--no-wait'],
    ] as const) {
      expect(await runInProcess(['delete', 'app', name, flag, ...flags])).toEqual({
        code: 0,
        stdout: `app.meseta.io "${name}" marked for deletion (finalizers: ${FINALIZER})\n`,
        stderr: '',
      });
      const live = await objects.get(appResource, { namespace: 'default', name });
      expect(live?.metadata.deletionTimestamp).toBeDefined();
    }
    const wrong = await runInProcess(['delete', '--wait', 'app', 'web', ...flags]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--wait takes true or false, as --wait=false');
  });
});

it('prints progress in place on a terminal, a line per change elsewhere, or nothing', () => {
  const stream = (isTTY: boolean) => {
    const out = { text: '', isTTY, write: (chunk: string) => ((out.text += chunk), true) };
    return out;
  };
  const tty = stream(true);
  const pipe = stream(false);
  const quiet = stream(false);
  for (const [target, ttyOnly] of [
    [tty, false],
    [pipe, false],
    [quiet, true],
  ] as const) {
    const line = progressLine({ stream: target, ttyOnly });
    line.show('one');
    line.show('one');
    line.show('two');
    line.end();
    line.end();
  }
  expect(tty.text).toBe('\r\x1b[Kone\r\x1b[Ktwo\n');
  expect(pipe.text).toBe('one\ntwo\n');
  expect(quiet.text).toBe('');
});
