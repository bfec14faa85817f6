/**
 * `meseta describe app NAME...`: a person's view of an App, the way `kubectl describe` lays
 * one out — metadata (and, while it is being deleted, the finalizers holding it), what it runs
 * and how (resources, ports, constraints, checks, upgrade and backoff settings), the observed
 * status (counts, revisions, rollout progress, launch backoff), every condition with its reason
 * and message (placement explains there why instances do not fit), its instances (revision,
 * goal, task state, health, agent, host, ports, failures) and its recent events (about the App
 * or one of its instances). However many Apps are named, the namespace's instances and events
 * are each read once and grouped by App: no round trip per instance.
 */
import type { Command } from 'commander';
import { APP_RESOURCE, type App } from '../api/index.ts';
import type { StoredApp } from '../api/resources.ts';
import type { Event } from '../api/event.ts';
import type { Instance } from '../api/instance.ts';
import { appResource, eventResource, instanceResource } from '../api/resources.ts';
import { managerOfKey } from '../apply/apply-plan.ts';
import { UsageError } from '../errors.ts';
import { humanAge } from './age.ts';
import { withSession, type GlobalOptions, type Session } from './connection.ts';
import { byLastSeen, eventObject } from './event-output.ts';
import { backoffSummary } from './backoff-summary.ts';
import { DescribeText, pairs } from './describe-text.ts';
import { instanceHealthy, instancePorts, instanceState } from './instance-output.ts';
import { Exit, ExitCode } from './main.ts';
import { appArguments } from './resource-arg.ts';
import { rolloutProgress } from './rollout-progress.ts';

/** Runs `describe app NAME...` with the words and flags of `command`. */
export async function runDescribe(words: string[], command: Command): Promise<void> {
  command.optsWithGlobals<GlobalOptions>();
  const names = appArguments(words);
  if (names.length === 0) throw new UsageError('say which App: describe app NAME');
  const missing = await withSession(command, async (session) => {
    let notFound = false;
    const apps = await Promise.all(
      names.map((name) => session.objects.get(appResource, { namespace: session.namespace, name })),
    );
    const children = apps.some(Boolean) ? await readChildren(session) : undefined;
    let printed = 0;
    for (const [i, app] of apps.entries()) {
      if (!app) {
        notFound = true;
        process.stderr.write(
          `error: ${APP_RESOURCE} "${names[i]}" not found in namespace ${session.namespace}\n`,
        );
        continue;
      }
      if (printed++ > 0) process.stdout.write('\n');
      process.stdout.write(describeApp(app, Date.now(), children?.of(app.metadata.name)));
    }
    return notFound;
  });
  if (missing) throw new ExitCode(Exit.failed);
}

/** How many of an App's events `describe` shows: the most recent. */
export const DESCRIBE_EVENTS = 20;

export interface AppChildren {
  instances: Instance[];
  /** About the App or one of its instances, oldest last-seen first. */
  events: Event[];
}

/** The namespace's instances and events, each read once, grouped by App. */
async function readChildren(session: Session): Promise<{ of(app: string): AppChildren }> {
  const scope = { namespace: session.namespace };
  const [instances, events] = await Promise.all([
    session.objects.list(instanceResource, scope),
    session.objects.list(eventResource, scope),
  ]);
  const instancesOf = new Map<string, Instance[]>();
  const appOfInstance = new Map<string, string>();
  for (const instance of instances.items) {
    const app = instance.spec.app;
    const list = instancesOf.get(app);
    if (list) list.push(instance);
    else instancesOf.set(app, [instance]);
    appOfInstance.set(instance.metadata.name, app);
  }
  // An instance that is gone (replaced, scaled away) still has its events: its name says
  // whose it was, `<app>-<revision>-<ordinal>` (an App's cut-and-hashed long name aside).
  const appOfInstanceNamed = (name: string) =>
    appOfInstance.get(name) ?? /^(.+)-\d+-\d+$/.exec(name)?.[1];
  const eventsOf = new Map<string, Event[]>();
  for (const event of events.items) {
    const { kind, name } = event.involvedObject;
    const app = kind === 'App' ? name : kind === 'Instance' ? appOfInstanceNamed(name) : undefined;
    if (app === undefined) continue;
    const list = eventsOf.get(app);
    if (list) list.push(event);
    else eventsOf.set(app, [event]);
  }
  return {
    of: (app) => ({
      instances: instancesOf.get(app) ?? [],
      events: (eventsOf.get(app) ?? []).sort(byLastSeen),
    }),
  };
}

/** The text `describe` prints for one App. Pure. */
export function describeApp(app: App, now: number, children?: AppChildren): string {
  const { metadata, spec } = app;
  const meta = metadata as StoredApp['metadata'];
  const status = app.status ?? {};
  const out = new DescribeText();

  out.field('Name', metadata.name);
  out.field('Namespace', metadata.namespace);
  out.list('Labels', pairs(metadata.labels));
  const annotations = { ...metadata.annotations };
  for (const key of Object.keys(annotations))
    if (managerOfKey(key) !== undefined) delete annotations[key];
  out.list('Annotations', pairs(annotations));
  out.field(
    'Created',
    `${metadata.creationTimestamp ?? '<unknown>'} (${humanAge(metadata.creationTimestamp, now)} ago)`,
  );
  out.field(
    'Generation',
    `${metadata.generation ?? 0} (observed ${status.observedGeneration ?? 'never'})`,
  );
  if (meta.deletionTimestamp) {
    out.field(
      'Deleting',
      `since ${meta.deletionTimestamp} (${humanAge(meta.deletionTimestamp, now)} ago)`,
    );
  }
  if (meta.finalizers?.length) out.list('Finalizers', meta.finalizers);

  out.heading('Spec');
  out.field('Instances', String(spec.instances), 2);
  out.field(
    'Resources',
    `cpus ${spec.cpus}, mem ${spec.mem} MiB, disk ${spec.disk} MiB, gpus ${spec.gpus}`,
    2,
  );
  if (spec.container?.docker) out.field('Image', spec.container.docker.image, 2);
  if (spec.cmd) out.field('Command', spec.cmd, 2);
  if (spec.args?.length) out.field('Args', spec.args.join(' '), 2);
  const ports = [
    ...(spec.portDefinitions ?? []).map(
      (p) => `${p.name} ${p.port === 0 ? 'any' : p.port}/${p.protocol}`,
    ),
    ...(spec.container?.portMappings ?? []).map(
      (p) => `${p.name} container ${p.containerPort} -> host ${p.hostPort ?? '-'}/${p.protocol}`,
    ),
  ];
  out.list('Ports', ports, 2);
  out.list(
    'Constraints',
    (spec.constraints ?? []).map((c) => [c.field, c.operator, c.value].filter(Boolean).join(' ')),
    2,
  );
  out.list(
    'Health checks',
    (spec.healthChecks ?? []).map(
      (h) =>
        `${h.protocol}${h.path ? ` ${h.path}` : ''} every ${h.intervalSeconds}s, timeout ${h.timeoutSeconds}s, grace ${h.gracePeriodSeconds}s, ${h.maxConsecutiveFailures} failures`,
    ),
    2,
  );
  out.list(
    'Readiness',
    (spec.readinessChecks ?? []).map(
      (r) => `${r.protocol} ${r.path} on ${r.portName} every ${r.intervalSeconds}s`,
    ),
    2,
  );
  out.list('Dependencies', spec.dependencies ?? [], 2);
  out.field(
    'Upgrade',
    `minimumHealthCapacity ${spec.upgradeStrategy.minimumHealthCapacity}, maximumOverCapacity ${spec.upgradeStrategy.maximumOverCapacity}`,
    2,
  );
  out.field(
    'Backoff',
    `${spec.backoffSeconds}s × ${spec.backoffFactor} up to ${spec.maxLaunchDelaySeconds}s`,
    2,
  );

  out.heading('Status');
  out.field(
    'Instances',
    `${status.instances ?? 0} (staged ${status.staged ?? 0}, running ${status.running ?? 0}, healthy ${status.healthy ?? 0}, ready ${status.ready ?? 0}, updated ${status.updated ?? 0}) of ${spec.instances} wanted`,
    2,
  );
  out.field(
    'Revision',
    `current ${status.currentRevision ?? '<none>'}, target ${status.targetRevision ?? '<none>'}`,
    2,
  );
  out.field('Rollout', rolloutProgress(app).message, 2);
  if (children) out.field('Backoff', backoffSummary(app, children.instances, now), 2);

  // Every condition with its reason and whole message: placement explains there, agent by
  // agent, why instances do not fit.
  out.section(
    'Conditions',
    ['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'],
    (status.conditions ?? []).map((c) => [
      c.type,
      c.status,
      c.reason ?? '',
      humanAge(c.lastTransitionTime, now),
      c.message ?? '',
    ]),
  );
  if (children) {
    out.section(
      'Instances',
      [
        'NAME',
        'REVISION',
        'GOAL',
        'STATE',
        'HEALTHY',
        'AGENT',
        'HOST',
        'PORTS',
        'FAILURES',
        'MESSAGE',
      ],
      children.instances.map((i) => [
        i.metadata.name,
        String(i.spec.revision),
        i.spec.goal,
        instanceState(i),
        instanceHealthy(i),
        i.status?.agentId ?? i.spec.agentId ?? '<none>',
        i.status?.hostname ?? '<none>',
        instancePorts(i),
        String(i.status?.failures ?? 0),
        i.status?.message ?? '',
      ]),
    );
    out.section(
      'Events',
      ['TYPE', 'REASON', 'LAST SEEN', 'OBJECT', 'MESSAGE'],
      children.events
        .slice(-DESCRIBE_EVENTS)
        .map((e) => [
          e.type,
          e.reason,
          humanAge(e.lastTimestamp, now),
          eventObject(e),
          e.count > 1 ? `${e.message} (x${e.count})` : e.message,
        ]),
    );
  }
  return out.toString();
}
