import { describe, expect, it } from 'vitest';
import { runInformed } from '../../src/runtime/informer.ts';

/** An informer stand-in: syncs or fails when told, runs until its signal aborts. */
function fakeInformer() {
  let sync!: () => void;
  let fail!: (error: Error) => void;
  const synced = new Promise<void>((resolve) => (sync = resolve));
  return {
    sync: () => sync(),
    fail: (error: Error) => fail(error),
    waitForSync: () => synced,
    run: (signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        fail = reject;
        signal.addEventListener('abort', () => resolve(), { once: true });
      }),
  };
}

describe('runInformed', () => {
  it('starts the work only once every informer has synced, and ends with the signal', async () => {
    const [a, b] = [fakeInformer(), fakeInformer()];
    const outer = new AbortController();
    let started = false;
    const running = runInformed([a, b], outer.signal, async (signal) => {
      started = true;
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    });
    a.sync();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(false);
    b.sync();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(true);
    outer.abort();
    await expect(running).resolves.toBeUndefined();
  });

  it('stops the work and rejects with the error of an informer that fails for good', async () => {
    const [a, b] = [fakeInformer(), fakeInformer()];
    let workSignal: AbortSignal | undefined;
    const running = runInformed([a, b], new AbortController().signal, async (signal) => {
      workSignal = signal;
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    });
    a.sync();
    b.sync();
    await new Promise((resolve) => setImmediate(resolve));
    b.fail(new Error('watch gone for good'));
    await expect(running).rejects.toThrow('watch gone for good');
    expect(workSignal?.aborted).toBe(true);
  });

  it('stops the informers when the work fails, and rejects with its error', async () => {
    const informer = fakeInformer();
    let informerStopped = false;
    const watched = {
      waitForSync: informer.waitForSync,
      run: async (signal: AbortSignal) => {
        await informer.run(signal);
        informerStopped = true;
      },
    };
    informer.sync();
    const running = runInformed([watched], new AbortController().signal, async () => {
      throw new Error('framework removed');
    });
    await expect(running).rejects.toThrow('framework removed');
    expect(informerStopped).toBe(true);
  });
});
