import { expect, it } from 'vitest';
import { controllerCatalog } from '../../src/controllers/catalog.ts';
import { controllerFactories } from '../../src/controllers/registry.ts';

it('names every controller the registry can make, in the same order, with the same summaries', () => {
  expect(controllerFactories.map((f) => [f.name, f.summary])).toEqual(
    controllerCatalog.map((c) => [c.name, c.summary]),
  );
});
