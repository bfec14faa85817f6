/**
 * Faults on demand, in process: partition an agent and heal it, mark it unreachable or gone,
 * add agents, fail the master over, lose/delay/duplicate/reorder status updates, slow the API
 * down. The HTTP control API (`http/control-endpoint.ts`) is a thin layer over this.
 */
import type { AgentSpec } from './cluster.ts';
import type { SimServer } from './http/server.ts';
import type { Master } from './master.ts';
import type { AgentRecord } from './state.ts';
import type { UpdateFault } from './update-channel.ts';

export class Faults {
  constructor(
    private readonly master: Master,
    private readonly server?: SimServer,
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

  failoverMaster(options?: { recoveryMs?: number; agentReregisterMs?: number }): void {
    this.master.failover(options);
  }

  injectUpdateFault(fault: UpdateFault): void {
    this.master.updates.inject(fault);
  }

  clearUpdateFaults(): void {
    this.master.updates.clear();
  }

  /** Every API request waits this long before it is handled (0 restores full speed). */
  slowApi(delayMs: number): void {
    if (!this.server) throw new Error('slowApi needs the HTTP server');
    this.server.apiDelayMs = delayMs;
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
