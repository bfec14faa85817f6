/**
 * Agent: a Mesos agent as the Mesos bridge last saw it, named after its Mesos agent id (see
 * `agentObjectName`; the exact id is `status.agentId`). The bridge
 * writes the status (identity, attributes, fault domain, and what meseta holds on offer from the
 * agent now); placement reads every Agent, offered or not. The spec is the operator's.
 */
import type { Attribute, Resource } from '../mesos/types.ts';
import { createHash } from 'node:crypto';
import type { ObjectMeta } from '../store/object.ts';

export type AgentState = 'Active' | 'Removed';

export interface AgentSpec {
  /** Keep new instances off the agent (like `kubectl cordon`); running ones stay. */
  unschedulable?: boolean;
}

export interface AgentStatus {
  /** The Mesos agent id, exactly (object names must be lowercase). */
  agentId: string;
  hostname: string;
  state?: AgentState;
  /** Mesos Attribute messages, as JSON. */
  attributes?: Attribute[];
  domain?: { region?: string; zone?: string };
  /** The sum of the offers meseta holds from the agent now (Mesos Resource JSON); roles kept. */
  offered?: Resource[];
  /** When `offered` was last set: tasks launched at or after it are not counted in it. */
  offeredAt?: string;
  /**
   * When the bridge will decline the oldest of those offers if nothing launches on it first
   * (while something is pending); placement keeps off the agent shortly before.
   */
  offeredUntil?: string;
  /** When an offer last named the agent. */
  lastSeenAt?: string;
  removedAt?: string;
}

export interface Agent {
  apiVersion: 'meseta.io/v1';
  kind: 'Agent';
  metadata: ObjectMeta;
  spec?: AgentSpec;
  status?: AgentStatus;
}

export const AGENT_KIND = 'Agent';

const objectNamePattern = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The object name of the Agent with Mesos agent id `agentId`. Mesos ids look like
 * `<uuid>-S<n>`: lowercased they are valid names and stay unique. An id that lowercasing does
 * not make a valid name keeps a readable part and gets 8 hex digits of its hash.
 */
export function agentObjectName(agentId: string): string {
  const lower = agentId.toLowerCase();
  if (objectNamePattern.test(lower)) return lower;
  const readable = lower
    .replace(/[^-a-z0-9.]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 200)
    .replace(/[^a-z0-9]+$/, '');
  const hash = createHash('sha256').update(agentId).digest('hex').slice(0, 8);
  return readable ? `${readable}-${hash}` : `agent-${hash}`;
}
