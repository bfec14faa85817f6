/**
 * Faults on demand, in process: partition an agent and heal it, mark it unreachable or gone,
 * add agents, fail the master over, lose/delay/duplicate/reorder status updates, slow the API
 * down. The HTTP control API (`http/control-endpoint.ts`) is a thin layer over this.
 */
import { MesetaError } from '../errors.ts';
import type { AgentSpec } from './cluster.ts';
import type { SimServer } from './http/server.ts';
import type { Master } from './master.ts';
import type { AgentRecord } from './state.ts';
import type { UpdateFault } from './update-channel.ts';

export interface FaultTargets {
  /** Every HTTP server of the simulator (leader and standbys). */
  servers?: () => readonly SimServer[];
  /** Hands leadership to a standby server (HTTP simulator with standbys only). */
  moveLeader?: () => void;
}

export class Faults {
  constructor(
    private readonly master: Master,
    private readonly targets: FaultTargets = {},
  ) {}

  /** Cuts the agent off; the master marks it unreachable after its ping timeout. */
  partitionAgent(agentId: string): void {
    this.agent(agentId);
    this.master.partitionAgent(agentId);
  }

  /** Ends a partition (the agent reregisters if it had been marked unreachable). */
  healAgent(agentId: string): void {
    this.agent(agentId);
    this.master.healAgent(agentId);
  }

  /** Marks the agent unreachable now, without waiting for the ping timeout. */
  markUnreachable(agentId: string): void {
    this.agent(agentId);
    this.master.markAgentUnreachable(agentId);
  }

  /** Removes the agent for good (MARK_AGENT_GONE). */
  removeAgent(agentId: string): void {
    this.agent(agentId);
    this.master.markAgentGone(agentId);
  }

  addAgents(specs: AgentSpec[]): AgentRecord[] {
    return specs.map((spec) => this.master.addAgent(spec));
  }

  /**
   * Fails the master over; with `toStandby` the next standby server becomes the leader and
   * the old address answers 307 to it.
   */
  failoverMaster(
    options: { recoveryMs?: number; agentReregisterMs?: number; toStandby?: boolean } = {},
  ): void {
    if (options.toStandby && !this.targets.moveLeader) {
      throw new MesetaError('Invalid', 'the simulator has no standby master to fail over to');
    }
    this.master.failover(options);
    if (options.toStandby) this.targets.moveLeader!();
  }

  injectUpdateFault(fault: UpdateFault): void {
    this.master.updates.inject(fault);
  }

  clearUpdateFaults(): void {
    this.master.updates.clear();
  }

  /** Every API request waits this long before it is handled (0 restores full speed). */
  slowApi(delayMs: number): void {
    const servers = this.targets.servers?.() ?? [];
    if (servers.length === 0) throw new MesetaError('Invalid', 'slowApi needs the HTTP server');
    for (const server of servers) server.apiDelayMs = delayMs;
  }

  private agent(agentId: string): AgentRecord {
    const agent = this.master.agent(agentId);
    if (!agent) throw new UnknownAgentError(agentId);
    return agent;
  }
}

export class UnknownAgentError extends Error {
  constructor(readonly agentId: string) {
    super(`Unknown agent ${agentId}`);
  }
}
