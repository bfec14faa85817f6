import { describe, expect, it } from 'vitest';
import { instanceResource } from '../../../src/api/resources.ts';
import { writeBindings } from '../../../src/controllers/placement/bind.ts';
import { silentLogger } from '../../../src/log.ts';
import { openInProcessKv } from '../../../src/store/embedded/in-process-kv.ts';
import { ObjectStore } from '../../../src/store/object-store.ts';
import { uniquePrefix } from '../../support/kv-backend.ts';
import { instanceObject } from '../../placement/cluster-fixtures.ts';
import type { Instance } from '../../../src/api/instance.ts';

async function storeWith(count: number): Promise<{ store: ObjectStore; instances: Instance[] }> {
  const kv = await openInProcessKv();
  const store = new ObjectStore({ kv, prefix: uniquePrefix() });
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const {
      resourceVersion: _rv,
      generation: _g,
      ...metadata
    } = instanceObject(`web-1-${i}`).metadata;
    instances.push(
      await store.create(instanceResource, { ...instanceObject(`web-1-${i}`), metadata }),
    );
  }
  return { store, instances };
}

describe('writeBindings', () => {
  it('binds each instance with a compare-and-swap and skips the ones that changed meanwhile', async () => {
    const { store, instances } = await storeWith(300);
    // Two instances change after the round read them (say, the bridge launched one, an operator
    // stopped the other); one is deleted.
    await store.update(instanceResource, {
      ...instances[5]!,
      spec: { ...instances[5]!.spec, goal: 'stopped' },
    });
    await store.update(instanceResource, {
      ...instances[250]!,
      spec: { ...instances[250]!.spec, goal: 'stopped' },
    });
    await store.delete(instanceResource, { namespace: 'default', name: 'web-1-130' });
    const bindings = instances.map((instance) => ({
      instance,
      agentId: 'A',
      hostname: 'h',
      ports: [],
    }));
    const result = await writeBindings(store, bindings, '2026-01-01T00:00:00.000Z', silentLogger);
    expect(result.conflicts).toBe(3);
    expect(result.written).toHaveLength(297);
    const stored = (await store.list(instanceResource)).items;
    const boundNames = stored.filter((i) => i.spec.agentId === 'A').map((i) => i.metadata.name);
    expect(boundNames).toHaveLength(297);
    expect(boundNames).not.toContain('web-1-5');
    expect(stored.find((i) => i.metadata.name === 'web-1-5')!.spec.goal).toBe('stopped');
    expect(
      stored.every(
        (i) => i.spec.agentId === undefined || i.spec.boundAt === '2026-01-01T00:00:00.000Z',
      ),
    ).toBe(true);
  });
});
