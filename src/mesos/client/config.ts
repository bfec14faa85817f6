/**
 * The scheduler client's configuration: which masters to talk to and how, who the framework
 * is, and the timings of leader detection, heartbeats and backoff. `resolveConfig` checks it all
 * at once and fills in the defaults, so the rest of the client works from a complete,
 * valid `ResolvedConfig`. Problems are reported with their field path; a master URL is never
 * echoed back, because it might contain credentials.
 */
import { MesetaError, ValidationError } from '../../errors.ts';
import type { Format } from '../codec.ts';
import type { FrameworkCapabilityType } from '../types.ts';

export interface FrameworkConfig {
  name: string;
  /** The Unix user tasks run as, unless a task says otherwise. */
  user: string;
  /** Roles to subscribe with (sent as FrameworkInfo.roles; the client is MULTI_ROLE). */
  roles: string[];
  /** Defaults to the credential's principal when there is one. */
  principal?: string;
  /**
   * Seconds Mesos keeps the framework's tasks after the scheduler disconnects. Mesos's own
   * default is 0 (kill everything at the first disconnect); ours is four weeks, as Mesos's
   * documentation recommends for production.
   */
  failoverTimeoutSeconds?: number;
  /** Agents checkpoint the framework's tasks (default true, so agent restarts keep tasks). */
  checkpoint?: boolean;
  hostname?: string;
  webuiUrl?: string;
  labels?: Record<string, string>;
  /** Default MULTI_ROLE, PARTITION_AWARE, TASK_KILLING_STATE; MULTI_ROLE is required. */
  capabilities?: FrameworkCapabilityType[];
}

export interface Credential {
  principal: string;
  /** Sent only in the Authorization header; never logged, never in an error. */
  secret: string;
}

export interface SchedulerClientConfig {
  /** Master URLs (`http://m1:5050`), tried in order until the leader is found. */
  masters: string[];
  /** Encoding of calls and events (default protobuf). */
  encoding?: Format;
  framework: FrameworkConfig;
  /** The id of an existing framework to resubscribe as, e.g. the one stored after a restart. */
  frameworkId?: string;
  /** Roles to subscribe in the suppressed state. */
  suppressedRoles?: string[];
  /** HTTP basic authentication of the framework. */
  credential?: Credential;
  /** Missed heartbeat intervals after which the stream is declared dead (default 5). */
  missedHeartbeats?: number;
  /** Time to get SUBSCRIBED after sending SUBSCRIBE (default 30 s). */
  subscribeTimeoutMs?: number;
  /** Time for a call's answer (default 30 s). */
  callTimeoutMs?: number;
  /** Resubscription backoff: first delay (default 1 s), cap (default 60 s), jitter 0–1 (default 0.5). */
  backoff?: { initialMs?: number; maxMs?: number; jitter?: number };
  /** Redirects followed from one master before giving up on it (default 5). */
  maxRedirects?: number;
  /** Largest event accepted, in bytes (default 64 MiB). */
  maxEventBytes?: number;
  /** Concurrent connections for calls (default 16). */
  maxCallConnections?: number;
  /**
   * Repeatable calls (ACKNOWLEDGE, KILL, RECONCILE…) in flight on one connection (HTTP/1.1
   * pipelining, answered in order; default 8, 1 for none): thousands of ACKNOWLEDGEs then need
   * no free connection each. Other calls always go alone.
   */
  callPipelining?: number;
}

export interface ResolvedConfig {
  masters: URL[];
  encoding: Format;
  framework: Required<
    Pick<FrameworkConfig, 'name' | 'user' | 'roles' | 'failoverTimeoutSeconds' | 'checkpoint'>
  > &
    Omit<FrameworkConfig, 'failoverTimeoutSeconds' | 'checkpoint'> & {
      capabilities: FrameworkCapabilityType[];
    };
  frameworkId: string | undefined;
  suppressedRoles: string[];
  credential: Credential | undefined;
  missedHeartbeats: number;
  subscribeTimeoutMs: number;
  callTimeoutMs: number;
  backoff: { initialMs: number; maxMs: number; jitter: number };
  maxRedirects: number;
  maxEventBytes: number;
  maxCallConnections: number;
  callPipelining: number;
}

export const schedulerPath = '/api/v1/scheduler';
export const defaultCapabilities: FrameworkCapabilityType[] = [
  'MULTI_ROLE',
  'PARTITION_AWARE',
  'TASK_KILLING_STATE',
];
const fourWeeksSeconds = 28 * 24 * 3600;

/** Checks `config` and fills in defaults; throws a ValidationError listing every problem. */
export function resolveConfig(config: SchedulerClientConfig): ResolvedConfig {
  const problems: MesetaError[] = [];
  const problem = (path: string, message: string) =>
    problems.push(new MesetaError('Invalid', message, { path }));

  const masters = (config.masters ?? []).flatMap((text, i) => {
    const url = parseMaster(text, `masters[${i}]`, problem);
    return url ? [url] : [];
  });
  if ((config.masters ?? []).length === 0) problem('masters', 'must list at least one master URL');

  const encoding = config.encoding ?? 'protobuf';
  if (encoding !== 'json' && encoding !== 'protobuf') {
    problem('encoding', `must be "json" or "protobuf" (got ${JSON.stringify(encoding)})`);
  }

  const f = config.framework ?? ({} as FrameworkConfig);
  if (!f.name) problem('framework.name', 'is required');
  if (!f.user) problem('framework.user', 'is required');
  if (!Array.isArray(f.roles) || f.roles.length === 0) {
    problem('framework.roles', 'must list at least one role');
  } else {
    f.roles.forEach((role, i) => {
      if (
        typeof role !== 'string' ||
        role === '' ||
        role === '.' ||
        role === '..' ||
        /[\s/]/.test(role) ||
        role.startsWith('-')
      ) {
        problem(`framework.roles[${i}]`, `is not a valid Mesos role: ${JSON.stringify(role)}`);
      }
    });
  }
  const failover = f.failoverTimeoutSeconds ?? fourWeeksSeconds;
  if (!Number.isFinite(failover) || failover < 0) {
    problem(
      'framework.failoverTimeoutSeconds',
      `must be a non-negative number of seconds (got ${failover})`,
    );
  }
  const capabilities = f.capabilities ?? defaultCapabilities;
  if (!capabilities.includes('MULTI_ROLE')) {
    problem(
      'framework.capabilities',
      'must include MULTI_ROLE: roles are sent as FrameworkInfo.roles',
    );
  }
  const suppressedRoles = config.suppressedRoles ?? [];
  suppressedRoles.forEach((role, i) => {
    if (!f.roles?.includes(role)) {
      problem(
        `suppressedRoles[${i}]`,
        `must be one of framework.roles (got ${JSON.stringify(role)})`,
      );
    }
  });

  const credential = config.credential;
  if (credential) {
    if (!credential.principal) problem('credential.principal', 'is required');
    if (!credential.secret) problem('credential.secret', 'is required');
    if (f.principal && credential.principal && f.principal !== credential.principal) {
      problem(
        'framework.principal',
        'must equal credential.principal (Mesos authenticates the principal)',
      );
    }
  }
  if (config.frameworkId !== undefined && !/^[^\s/]+$/.test(config.frameworkId)) {
    problem('frameworkId', `is not a valid framework id: ${JSON.stringify(config.frameworkId)}`);
  }

  const positive = (path: string, value: number | undefined, fallback: number, min = 1) => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < min) problem(path, `must be a number >= ${min} (got ${v})`);
    return v;
  };
  const backoff = {
    initialMs: positive('backoff.initialMs', config.backoff?.initialMs, 1000),
    maxMs: positive('backoff.maxMs', config.backoff?.maxMs, 60_000),
    jitter: config.backoff?.jitter ?? 0.5,
  };
  if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) {
    problem('backoff.jitter', `must be between 0 and 1 (got ${backoff.jitter})`);
  }
  if (backoff.maxMs < backoff.initialMs) problem('backoff.maxMs', 'must be >= backoff.initialMs');

  const resolved: ResolvedConfig = {
    masters,
    encoding,
    framework: {
      ...f,
      principal: f.principal ?? credential?.principal,
      failoverTimeoutSeconds: failover,
      checkpoint: f.checkpoint ?? true,
      capabilities,
    },
    frameworkId: config.frameworkId,
    suppressedRoles,
    credential,
    missedHeartbeats: positive('missedHeartbeats', config.missedHeartbeats, 5),
    subscribeTimeoutMs: positive('subscribeTimeoutMs', config.subscribeTimeoutMs, 30_000),
    callTimeoutMs: positive('callTimeoutMs', config.callTimeoutMs, 30_000),
    backoff,
    maxRedirects: positive('maxRedirects', config.maxRedirects, 5, 0),
    maxEventBytes: positive('maxEventBytes', config.maxEventBytes, 64 * 1024 * 1024),
    maxCallConnections: positive('maxCallConnections', config.maxCallConnections, 16),
    callPipelining: positive('callPipelining', config.callPipelining, 8),
  };
  if (problems.length > 0) throw new ValidationError(problems);
  return resolved;
}

function parseMaster(
  text: string,
  path: string,
  problem: (path: string, message: string) => void,
): URL | undefined {
  if (typeof text !== 'string' || text === '') {
    problem(path, 'must be a master URL such as http://master1:5050');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    problem(path, 'is not a URL (expected e.g. http://master1:5050)');
    return undefined;
  }
  if (url.username || url.password) {
    // Do not echo the URL: it holds a password.
    problem(path, 'must not contain credentials; put them in credential.principal/secret');
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problem(
      path,
      `must be an http or https URL (got ${url.protocol}//…; ZooKeeper is not supported)`,
    );
    return undefined;
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = schedulerPath;
  url.search = '';
  url.hash = '';
  return url;
}
