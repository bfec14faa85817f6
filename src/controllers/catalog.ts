/**
 * The names and one-line summaries of meseta's controllers, without their code: what `--help`
 * and `--only` need, cheap to load. `registry.ts` pairs each with its factory.
 */
export interface ControllerEntry {
  /** The role it is elected under and the name `--only` takes. */
  name: string;
  /** One line for `--help`. */
  summary: string;
}

/** Every controller meseta has, in the order they start. */
export const controllerCatalog: readonly ControllerEntry[] = [
  { name: 'apps', summary: "keeps each App's instances of its target revision at spec.instances" },
  {
    name: 'placement',
    summary: "binds pending instances to agents under the App's constraints and resources",
  },
  {
    name: 'bridge',
    summary:
      'talks to Mesos: launches bound instances, kills, writes task status, publishes agents',
  },
  { name: 'events', summary: 'deletes Events not repeated for an hour' },
];

export function summaryOf(name: string): string {
  const entry = controllerCatalog.find((c) => c.name === name);
  if (!entry) throw new Error(`no controller "${name}" in the catalog`);
  return entry.summary;
}
