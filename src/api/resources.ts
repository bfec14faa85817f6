/**
 * The ResourceType descriptors of meseta's kinds for the object store — App, AppRevision,
 * Instance, Event — each with the admission hook that every write of the kind goes through,
 * so that the store only ever holds valid objects:
 * - App: `validateApp` and `defaultApp`, as the CLI and GitOps use them; the metadata the store
 *   and controllers manage (finalizers, ownerReferences, deletionTimestamp) is checked here;
 * - AppRevision: its CRD schema; the spec never changes after creation;
 * - Instance: its CRD schema; `app` and `revision` never change after creation;
 * - Event: its CRD schema;
 * - Agent (cluster-scoped, named by Mesos agent id): its CRD schema.
 */
import { MesetaError, ValidationError } from '../errors.ts';
import type { ObjectMeta as StoreMeta, ResourceType } from '../store/object.ts';
import { checkAppStatus, parseApp } from './app.ts';
import type { App } from './app-types.ts';
import type { Agent } from './agent.ts';
import type { AppRevision } from './app-revision.ts';
import type { Event } from './event.ts';
import type { Instance } from './instance.ts';
import { readCrdSchema, schemaChecker, statusOnly } from './kind-schema.ts';
import { jsonEqual } from '../store/deep-equal.ts';

/** An App as stored: the App API's metadata plus what the store and controllers manage. */
export type StoredApp = App & { metadata: StoreMeta };

const group = 'meseta.io';
const version = 'v1';

type Checker = (value: unknown) => void;

/**
 * A whole-object checker, and one for status writes (which keep the stored spec), compiled on
 * its first use: only controllers write statuses, and a CLI process should not pay for it.
 */
function checkersFor(file: string, kind: string): { all: Checker; status: Checker } {
  const schema = readCrdSchema(new URL(`../../crds/${file}`, import.meta.url), version);
  let status: Checker | undefined;
  return {
    all: schemaChecker(schema, kind),
    status: (value) => (status ??= schemaChecker(statusOnly(schema), kind))(value),
  };
}

const checkRevision = checkersFor('apprevisions.meseta.io.yaml', 'AppRevision').all;
const checkInstance = checkersFor('instances.meseta.io.yaml', 'Instance');
const checkEvent = checkersFor('events.meseta.io.yaml', 'Event').all;
const checkAgent = checkersFor('agents.meseta.io.yaml', 'Agent');

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([new MesetaError('Invalid', message, { path })]);
}

function checkManagedMetadata(meta: StoreMeta): void {
  const finalizers = meta.finalizers;
  if (finalizers !== undefined) {
    if (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string' || !f)) {
      throw invalid('metadata.finalizers', 'must be a list of non-empty strings');
    }
  }
  const owners = meta.ownerReferences;
  if (owners !== undefined) {
    if (!Array.isArray(owners)) throw invalid('metadata.ownerReferences', 'must be a list');
    owners.forEach((owner, i) => {
      for (const field of ['apiVersion', 'kind', 'name', 'uid'] as const) {
        if (typeof owner?.[field] !== 'string' || !owner[field]) {
          throw invalid(`metadata.ownerReferences[${i}].${field}`, 'is required');
        }
      }
    });
  }
}

export const appResource: ResourceType<StoredApp> = {
  group,
  version,
  kind: 'App',
  plural: 'apps',
  namespaced: true,
  admit(app, { operation, old }) {
    checkManagedMetadata(app.metadata);
    // The store keeps the stored spec on a status write: validating it again would only cost.
    if (operation === 'updateStatus' && old) {
      checkAppStatus(app);
      return app;
    }
    const { finalizers, ownerReferences, deletionTimestamp, ...rest } = app.metadata;
    const parsed = parseApp({ ...app, metadata: rest });
    return {
      ...parsed,
      metadata: {
        ...parsed.metadata,
        ...(finalizers?.length ? { finalizers } : {}),
        ...(ownerReferences?.length ? { ownerReferences } : {}),
        ...(deletionTimestamp ? { deletionTimestamp } : {}),
      },
    };
  },
};

export const appRevisionResource: ResourceType<AppRevision> = {
  group,
  version,
  kind: 'AppRevision',
  plural: 'apprevisions',
  namespaced: true,
  admit(revision, { old }) {
    checkRevision(revision);
    checkManagedMetadata(revision.metadata);
    if (old && !jsonEqual(old.spec, revision.spec)) {
      throw invalid('spec', 'an AppRevision never changes: make a new revision instead');
    }
    return revision;
  },
};

export const instanceResource: ResourceType<Instance> = {
  group,
  version,
  kind: 'Instance',
  plural: 'instances',
  namespaced: true,
  admit(instance, { operation, old }) {
    // A status write keeps the stored spec and metadata (see appResource).
    if (operation === 'updateStatus' && old) {
      checkInstance.status(instance);
      return instance;
    }
    checkInstance.all(instance);
    checkManagedMetadata(instance.metadata);
    if (old && old.spec.app !== instance.spec.app) {
      throw invalid('spec.app', `cannot change (was "${old.spec.app}")`);
    }
    if (old && old.spec.revision !== instance.spec.revision) {
      throw invalid('spec.revision', `cannot change (was ${old.spec.revision})`);
    }
    return instance;
  },
};

export const eventResource: ResourceType<Event> = {
  group,
  version,
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  admit(event) {
    checkEvent(event);
    return event;
  },
};

export const agentResource: ResourceType<Agent> = {
  group,
  version,
  kind: 'Agent',
  plural: 'agents',
  namespaced: false,
  admit(agent, { operation, old }) {
    if (operation === 'updateStatus' && old) {
      checkAgent.status(agent);
      return agent;
    }
    checkAgent.all(agent);
    checkManagedMetadata(agent.metadata);
    return agent;
  },
};
