/**
 * `meseta describe app NAME...`: a person's view of an App, the way `kubectl describe` lays
 * one out — metadata, what it runs and how (resources, ports, constraints, checks, upgrade and
 * backoff settings), the observed status with rollout progress, conditions, its instances
 * (revision, goal, task state, health, host, ports) and its recent events (about the App or
 * one of its instances). However many Apps are named, the namespace's instances and events
 * are each read once and grouped by App: no round trip per instance.
 */
import type { Command } from 'commander';
import { APP_RESOURCE, type App } from '../api/index.ts';
import type { Event } from '../api/event.ts';
import type { Instance } from '../api/instance.ts';
import { appResource, eventResource, instanceResource } from '../api/resources.ts';
import { managerOfKey } from '../apply/apply-plan.ts';
import { UsageError } from '../errors.ts';
import { humanAge } from './age.ts';
import { withSession, type GlobalOptions, type Session } from './connection.ts';
import { byLastSeen, eventObject } from './event-output.ts';
import { instanceHealthy, instanceHost, instancePorts, instanceState } from './instance-output.ts';
import { Exit, ExitCode } from './main.ts';
import { appArguments } from './resource-arg.ts';
import { rolloutProgress } from './rollout-progress.ts';
import { renderTable } from './table.ts';

/** Runs `describe` with the words and flags of `command`. */
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
  const status = app.status ?? {};
  const lines: string[] = [];
  const field = (label: string, value: string, indent = 0) => {
    const head = `${label}:`;
    const width = 16 - indent;
    lines.push(
      `${' '.repeat(indent)}${head.length < width ? head.padEnd(width) : `${head} `}${value}`,
    );
  };
  const pairs = (map: Record<string, string> | undefined) =>
    Object.entries(map ?? {}).map(([k, v]) => `${k}=${v}`);
  const list = (label: string, items: string[], indent = 0) => {
    if (items.length === 0) return field(label, '<none>', indent);
    field(label, items[0]!, indent);
    for (const item of items.slice(1)) lines.push(`${' '.repeat(16)}${item}`);
  };

  field('Name', metadata.name);
  field('Namespace', metadata.namespace);
  list('Labels', pairs(metadata.labels));
  const annotations = { ...metadata.annotations };
  for (const key of Object.keys(annotations))
    if (managerOfKey(key) !== undefined) delete annotations[key];
  list('Annotations', pairs(annotations));
  field(
    'Created',
    `${metadata.creationTimestamp ?? '<unknown>'} (${humanAge(metadata.creationTimestamp, now)} ago)`,
  );
  field(
    'Generation',
    `${metadata.generation ?? 0} (observed ${status.observedGeneration ?? 'never'})`,
  );

  lines.push('Spec:');
  field('Instances', String(spec.instances), 2);
  field(
    'Resources',
    `cpus ${spec.cpus}, mem ${spec.mem} MiB, disk ${spec.disk} MiB, gpus ${spec.gpus}`,
    2,
  );
  if (spec.container?.docker) field('Image', spec.container.docker.image, 2);
  if (spec.cmd) field('Command', spec.cmd, 2);
  if (spec.args?.length) field('Args', spec.args.join(' '), 2);
  const ports = [
    ...(spec.portDefinitions ?? []).map(
      (p) => `${p.name} ${p.port === 0 ? 'any' : p.port}/${p.protocol}`,
    ),
    ...(spec.container?.portMappings ?? []).map(
      (p) => `${p.name} container ${p.containerPort} -> host ${p.hostPort ?? '-'}/${p.protocol}`,
    ),
  ];
  list('Ports', ports, 2);
  list(
    'Constraints',
    (spec.constraints ?? []).map((c) => [c.field, c.operator, c.value].filter(Boolean).join(' ')),
    2,
  );
  list(
    'Health checks',
    (spec.healthChecks ?? []).map(
      (h) =>
        `${h.protocol}${h.path ? ` ${h.path}` : ''} every ${h.intervalSeconds}s, timeout ${h.timeoutSeconds}s, grace ${h.gracePeriodSeconds}s, ${h.maxConsecutiveFailures} failures`,
    ),
    2,
  );
  list(
    'Readiness',
    (spec.readinessChecks ?? []).map(
      (r) => `${r.protocol} ${r.path} on ${r.portName} every ${r.intervalSeconds}s`,
    ),
    2,
  );
  list('Dependencies', spec.dependencies ?? [], 2);
  field(
    'Upgrade',
    `minimumHealthCapacity ${spec.upgradeStrategy.minimumHealthCapacity}, maximumOverCapacity ${spec.upgradeStrategy.maximumOverCapacity}`,
    2,
  );
  field(
    'Backoff',
    `${spec.backoffSeconds}s × ${spec.backoffFactor} up to ${spec.maxLaunchDelaySeconds}s`,
    2,
  );

  lines.push('Status:');
  field(
    'Instances',
    `${status.instances ?? 0} (running ${status.running ?? 0}, healthy ${status.healthy ?? 0}, ready ${status.ready ?? 0}, updated ${status.updated ?? 0}) of ${spec.instances} wanted`,
    2,
  );
  field(
    'Revision',
    `current ${status.currentRevision ?? '<none>'}, target ${status.targetRevision ?? '<none>'}`,
    2,
  );
  field('Rollout', rolloutProgress(app).message, 2);

  const conditions = status.conditions ?? [];
  if (conditions.length === 0) {
    field('Conditions', '<none>');
  } else {
    lines.push('Conditions:');
    const table = renderTable(
      ['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'],
      conditions.map((c) => [
        c.type,
        c.status,
        c.reason ?? '',
        humanAge(c.lastTransitionTime, now),
        c.message ?? '',
      ]),
    );
    for (const line of table.trimEnd().split('\n')) lines.push(`  ${line}`);
  }
  const section = (label: string, headers: string[], rows: string[][]) => {
    if (rows.length === 0) return field(label, '<none>');
    lines.push(`${label}:`);
    for (const line of renderTable(headers, rows).trimEnd().split('\n')) lines.push(`  ${line}`);
  };
  if (children) {
    section(
      'Instances',
      ['NAME', 'REVISION', 'GOAL', 'STATE', 'HEALTHY', 'HOST', 'PORTS'],
      children.instances.map((i) => [
        i.metadata.name,
        String(i.spec.revision),
        i.spec.goal,
        instanceState(i),
        instanceHealthy(i),
        instanceHost(i),
        instancePorts(i),
      ]),
    );
    section(
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
  return `${lines.join('\n')}\n`;
}
