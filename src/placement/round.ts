/**
 * A placement round: every instance that needs an agent, of every App, against every Agent, in
 * one pass, as a pure function of the objects read (the caches) and the time.
 *
 * - What needs an agent: instances that `needsPlacement`, and bindings that have awaited launch
 *   longer than `staleBindingMs`, or name an agent that is gone, removed or cordoned, or whose
 *   offer is gone (none held, or another launch used it, as when a round decided on a view
 *   older than that launch): waiting there means waiting for Mesos's next offer (its
 *   allocation runs each second), placing again means launching on another agent's offer now.
 * - What is free on an agent: its `status.offered`, minus the needs of instances bound there and
 *   awaiting launch, minus what this round binds there. An agent never gets more than that, and
 *   never a port twice. An agent with a task staged at or after `offeredAt` has nothing free:
 *   that launch used its offers, and Mesos offers the rest again only at its next allocation.
 *   Nor does one whose offer the bridge declines within `offerMarginMs` (`offeredUntil`).
 * - Per offer, like Marathon's `max_instances_per_offer`: an agent takes at most
 *   `maxInstancesPerOffer` instances awaiting launch, bound this round or before.
 * - Packing: all groups start their scans at the same agent (a start that moves with `now`), so
 *   a burst fills few offers up to that limit instead of using one instance of every offer; each
 *   group still moves on to another agent after each of its own instances.
 * - Which instances count for constraints: those of the same App revision with goal `running`
 *   that are bound (awaiting launch) or have a live task, by the agent they are on.
 * - Fairness: instances are grouped by App revision and the groups take turns, one instance
 *   each, so one big App cannot starve the rest. A group that cannot place an instance stops for
 *   the round (its other instances need the same), with a why-not message.
 *
 * Speed: each group filters the agents once (cordons, GPU rule, LIKE/UNLIKE/IS, missing
 * attributes) into a scan list, then scans it round-robin from where its last placement was.
 * Rejections that last for the round (resources, UNIQUE, MAX_PER, CLUSTER: they only get worse
 * as instances are placed) drop the agent from the list, so a round costs about
 * O(agents × groups + decisions). GROUP_BY keeps per-value lists and the values ordered by count.
 */
import type { AppTemplate } from '../api/app-revision.ts';
import type { Agent } from '../api/agent.ts';
import { awaitsLaunch, hasLiveTask, needsPlacement, type Instance } from '../api/instance.ts';
import { AgentSlot, offerUsed } from './agent-slot.ts';
import { ClusterIndex } from './cluster-index.ts';
import { LastStaged } from './last-staged.ts';
import { compileConstraints, isLasting, isStatic } from './constraints.ts';
import { addMessage, GroupPlan, type RoundRules } from './group-plan.ts';
import { needsOf, type TaskNeeds } from './resources.ts';

/**
 * The instances a round reads, as its caller keeps them indexed: a round then costs what is to
 * place, what awaits launch and the Apps being placed, not every instance there is.
 */
export interface RoundInstances {
  /** Instances that need an agent (`needsPlacement`). */
  needingAgent(): Iterable<Instance>;
  /** Instances bound to an agent, awaiting their launch (`awaitsLaunch`). */
  awaitingLaunch(): Iterable<Instance>;
  /** Every instance of the App `namespace/app`. */
  ofApp(namespace: string, app: string): Iterable<Instance>;
  /** When the newest task launched on the Mesos agent `agentId` staged (ms), if any did. */
  lastStagedOn(agentId: string): number | undefined;
}

export interface RoundInput {
  agents: readonly Agent[];
  /**
   * Every Instance (placed ones are counted and hold resources; pending ones get placed), as a
   * list or as the caller's indexes.
   */
  instances: readonly Instance[] | RoundInstances;
  /** The template of an App revision; undefined when the revision is not known. */
  template(namespace: string, app: string, revision: number): AppTemplate | undefined;
  /** Now, in ms since the epoch. */
  now: number;
  /** The framework's Mesos role. Default `*`. */
  role?: string;
  /** A binding not launched for this long is placed again. Default 30 s. */
  staleBindingMs?: number;
  /** Instances awaiting launch on one agent's offers, at most. Default 5 (as Marathon's). */
  maxInstancesPerOffer?: number;
  /**
   * An agent whose offer the bridge declines within this long (`offeredUntil`) gets nothing:
   * the binding could reach the bridge too late. Default 2 s.
   */
  offerMarginMs?: number;
}

export interface Binding {
  instance: Instance;
  /** The Mesos agent id (`status.agentId` of the Agent). */
  agentId: string;
  hostname: string;
  /** The host ports placement counted for it, in order (the bridge picks its own at launch). */
  ports: readonly number[];
}

/** How one App fared in the round (only Apps with instances to place appear). */
export interface AppOutcome {
  namespace: string;
  app: string;
  placed: number;
  unplaced: number;
  /** Why the unplaced ones could not go anywhere. */
  message?: string;
}

export interface RoundResult {
  bindings: Binding[];
  /** By `namespace/app`. */
  apps: Map<string, AppOutcome>;
  /** Agents looked at while deciding (for benchmarks). */
  scanned: number;
}

export const DEFAULT_STALE_BINDING_MS = 30_000;
export const DEFAULT_MAX_INSTANCES_PER_OFFER = 5;
export const DEFAULT_OFFER_MARGIN_MS = 2_000;

/** One round, start to end. */
export function placeRound(input: RoundInput): RoundResult {
  return prepareRound(input).place();
}

/**
 * A round with the cluster read (agents, what bound instances hold, counted instances) and
 * indexed for the round's constraints, not yet decided.
 */
export interface PreparedRound {
  /** Decides every pending instance; call once. */
  place(): RoundResult;
}

/**
 * Reads and indexes the cluster: linear in agents, in the instances to place or awaiting launch,
 * and in the instances of the Apps being placed.
 */
export function prepareRound(input: RoundInput): PreparedRound {
  const role = input.role ?? '*';
  const staleMs = input.staleBindingMs ?? DEFAULT_STALE_BINDING_MS;
  const usableUntil = input.now + (input.offerMarginMs ?? DEFAULT_OFFER_MARGIN_MS);
  const slots = input.agents.map((agent, i) => new AgentSlot(i, agent, usableUntil));
  const byAgentId = new Map<string, AgentSlot>();
  for (const slot of slots) byAgentId.set(slot.agentId, slot);

  const instances = isList(input.instances) ? listedInstances(input.instances) : input.instances;
  for (const slot of slots) {
    slot.spent = offerUsed(slot.agent, instances.lastStagedOn(slot.agentId));
  }
  const templates = new TemplateCache(input.template);
  const pendingByGroup = new Map<string, Instance[]>();
  const placedByGroup = new Map<string, number[]>();
  for (const instance of instances.needingAgent()) {
    push(pendingByGroup, groupKey(instance), instance);
  }
  for (const instance of instances.awaitingLaunch()) {
    const key = groupKey(instance);
    const bound = byAgentId.get(instance.spec.agentId!);
    const boundAt = Date.parse(instance.spec.boundAt ?? '');
    const stale =
      !(input.now - boundAt < staleMs) || !bound || bound.standing !== 'ok' || !bound.launchable;
    if (stale) push(pendingByGroup, key, instance);
    else {
      const needs = templates.needs(instance, key);
      if (needs) bound.offered.subtract(needs, role);
      bound.taken++;
      push(placedByGroup, key, bound.index);
    }
  }
  // Only the groups being placed need to know where their running instances are.
  for (const [key, pending] of pendingByGroup) {
    const { metadata, spec } = pending[0]!;
    for (const instance of instances.ofApp(metadata.namespace ?? '', spec.app)) {
      if (instance.spec.revision !== spec.revision || instance.spec.goal !== 'running') continue;
      if (!hasLiveTask(instance)) continue;
      const slot = byAgentId.get(instance.status?.agentId ?? instance.spec.agentId ?? '');
      if (slot) push(placedByGroup, key, slot.index);
    }
  }

  // Index now what this round's decisions will look at: every constraint field, every filter.
  const index = new ClusterIndex(slots);
  for (const pending of pendingByGroup.values()) {
    const template = templates.template(pending[0]!);
    if (!template) continue;
    const constraints = compileConstraints(template.constraints);
    for (const c of constraints) index.column(c.field);
    const eligible = index.eligible(constraints, template.gpus > 0);
    const groupBy = constraints.find((c) => c.operator === 'GROUP_BY' && !c.invalid);
    if (!groupBy) continue;
    index.partition(eligible.all, groupBy.field);
    index.partition(eligible.offered, groupBy.field);
    for (const c of constraints) if (!isStatic(c) && isLasting(c)) index.slotsWith(c.field, 0);
  }
  return {
    place: () =>
      decideRound(index, pendingByGroup, placedByGroup, templates, {
        role,
        maxPerOffer: input.maxInstancesPerOffer ?? DEFAULT_MAX_INSTANCES_PER_OFFER,
        start: startOf(input.now),
      }),
  };
}

function decideRound(
  index: ClusterIndex,
  pendingByGroup: Map<string, Instance[]>,
  placedByGroup: Map<string, number[]>,
  templates: TemplateCache,
  rules: RoundRules,
): RoundResult {
  const groups: GroupPlan[] = [];
  const apps = new Map<string, AppOutcome>();
  for (const key of [...pendingByGroup.keys()].sort()) {
    const pending = pendingByGroup.get(key)!.sort((a, b) => compareNames(a, b));
    const first = pending[0]!;
    const appKey = `${first.metadata.namespace ?? ''}/${first.spec.app}`;
    let outcome = apps.get(appKey);
    if (!outcome) {
      outcome = {
        namespace: first.metadata.namespace ?? '',
        app: first.spec.app,
        placed: 0,
        unplaced: 0,
      };
      apps.set(appKey, outcome);
    }
    const template = templates.template(first);
    if (!template) {
      outcome.unplaced += pending.length;
      addMessage(outcome, `revision ${first.spec.revision} of the App is not known`);
      continue;
    }
    groups.push(
      new GroupPlan(key, pending, template, index, placedByGroup.get(key) ?? [], rules, outcome),
    );
  }

  const bindings: Binding[] = [];
  let active = groups;
  while (active.length > 0) {
    active = active.filter((group) => group.placeNext(bindings));
  }
  let scanned = 0;
  for (const group of groups) scanned += group.scanned;
  return { bindings, apps, scanned };
}

/** A list of instances indexed for one round (tests and benchmarks; controllers keep indexes). */
export function listedInstances(list: readonly Instance[]): RoundInstances {
  const byApp = new Map<string, Instance[]>();
  const lastStaged = new LastStaged();
  for (const instance of list) {
    push(byApp, `${instance.metadata.namespace ?? ''}/${instance.spec.app}`, instance);
    lastStaged.note(instance);
  }
  return {
    needingAgent: () => list.filter(needsPlacement),
    awaitingLaunch: () => list.filter(awaitsLaunch),
    ofApp: (namespace, app) => byApp.get(`${namespace}/${app}`) ?? [],
    lastStagedOn: (agentId) => lastStaged.on(agentId),
  };
}

function isList(instances: RoundInput['instances']): instances is readonly Instance[] {
  return Array.isArray(instances);
}

/** Where every group's scan starts: the same agent for all, another one each millisecond. */
function startOf(now: number): number {
  return Number.isFinite(now) ? Math.abs(Math.trunc(now)) % 2 ** 31 : 0;
}

/** `namespace/app/revision`. */
function groupKey(instance: Instance): string {
  return `${instance.metadata.namespace ?? ''}/${instance.spec.app}/${instance.spec.revision}`;
}

class TemplateCache {
  readonly #templates = new Map<string, AppTemplate | undefined>();
  readonly #needs = new Map<string, TaskNeeds | undefined>();

  constructor(private readonly lookup: RoundInput['template']) {}

  template(instance: Instance, key = groupKey(instance)): AppTemplate | undefined {
    if (!this.#templates.has(key)) {
      const { app, revision } = instance.spec;
      this.#templates.set(key, this.lookup(instance.metadata.namespace ?? '', app, revision));
    }
    return this.#templates.get(key);
  }

  needs(instance: Instance, key = groupKey(instance)): TaskNeeds | undefined {
    if (!this.#needs.has(key)) {
      const template = this.template(instance, key);
      this.#needs.set(key, template ? needsOf(template) : undefined);
    }
    return this.#needs.get(key);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// `web-1-10` after `web-1-9`.
function compareNames(a: Instance, b: Instance): number {
  const x = a.metadata.name;
  const y = b.metadata.name;
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}
