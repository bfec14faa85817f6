/**
 * The simulator's own control API under `/sim/v1` (JSON), for tests and demos that drive it
 * from outside the process:
 *
 * | request | effect |
 * |---|---|
 * | `GET /sim/v1/agents` | agents with id, hostname, status, task count |
 * | `POST /sim/v1/agents` `{"count":N}` or `{"agents":[…cluster-file entries…]}` | adds agents |
 * | `POST /sim/v1/agents/{id}/partition` · `/heal` · `/unreachable` · `/gone` | agent faults |
 * | `POST /sim/v1/master/failover` `{"recovery_ms"?, "agent_reregister_ms"?, "to_standby"?}` | master failover |
 * | `POST /sim/v1/faults/updates` `{"kind":"lose"\|"duplicate"\|"reorder"\|"delay","count"?,"delay_ms"?}` | update faults |
 * | `DELETE /sim/v1/faults/updates` | clears update faults |
 * | `POST /sim/v1/faults/api` `{"delay_ms":N}` | slows every API request down |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import { MesetaError } from '../../errors.ts';
import { generateCluster, parseClusterText } from '../cluster.ts';
import { UnknownAgentError, type Faults } from '../faults.ts';
import type { Master } from '../master.ts';
import { parseUpdateFault } from '../update-channel.ts';
import { readBody, sendBody, sendText } from './exchange.ts';

export function controlHandler(master: () => Master, faults: () => Faults) {
  return async (request: IncomingMessage, response: ServerResponse, path: string) => {
    const json = (status: number, value: unknown) =>
      sendBody(response, status, 'application/json', Buffer.from(JSON.stringify(value)));
    let body: Record<string, unknown> = {};
    if (request.method === 'POST') {
      const text = (await readBody(request)).toString('utf8');
      try {
        body = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch (error) {
        return sendText(response, 400, `Invalid JSON body: ${(error as Error).message}`);
      }
    }
    const parts = path.split('/').filter(Boolean).slice(2);
    const route = `${request.method} ${parts.map((p, i) => (parts[0] === 'agents' && i === 1 ? ':id' : p)).join('/')}`;
    try {
      switch (route) {
        case 'GET agents':
          return json(
            200,
            [...master().listAgents()].map((agent) => ({
              id: agent.id,
              hostname: agent.info.hostname,
              status: agent.status,
              tasks: agent.tasks.size,
            })),
          );
        case 'POST agents': {
          const specs = Array.isArray(body.agents)
            ? parseClusterText(stringify({ agents: body.agents }), 'request body').agents
            : generateCluster({ agents: Number(body.count ?? 1) }).agents.map((spec) => ({
                ...spec,
                hostname: `${spec.hostname}-${master().random.uuid().slice(0, 8)}`,
              }));
          const added = faults().addAgents(specs);
          return json(200, { added: added.map((agent) => agent.id) });
        }
        case 'POST agents/:id/partition':
          faults().partitionAgent(parts[1]!);
          return sendText(response, 200);
        case 'POST agents/:id/heal':
          faults().healAgent(parts[1]!);
          return sendText(response, 200);
        case 'POST agents/:id/unreachable':
          faults().markUnreachable(parts[1]!);
          return sendText(response, 200);
        case 'POST agents/:id/gone':
          faults().removeAgent(parts[1]!);
          return sendText(response, 200);
        case 'POST master/failover':
          faults().failoverMaster({
            recoveryMs: optionalNumber(body.recovery_ms),
            agentReregisterMs: optionalNumber(body.agent_reregister_ms),
            toStandby: body.to_standby === true,
          });
          return json(200, {
            master_id: master().id,
            leader: `${master().info.hostname}:${master().info.port}`,
          });
        case 'POST faults/updates': {
          const fault = parseUpdateFault(body);
          if (typeof fault === 'string') return sendText(response, 400, fault);
          faults().injectUpdateFault(fault);
          return sendText(response, 200);
        }
        case 'DELETE faults/updates':
          faults().clearUpdateFaults();
          return sendText(response, 200);
        case 'POST faults/api': {
          const delay = body.delay_ms;
          if (typeof delay !== 'number' || delay < 0) {
            return sendText(response, 400, "'delay_ms' must be a number >= 0");
          }
          faults().slowApi(delay);
          return sendText(response, 200);
        }
        default:
          return sendText(response, 404, `No such control endpoint: ${request.method} ${path}`);
      }
    } catch (error) {
      if (error instanceof UnknownAgentError) return sendText(response, 404, error.message);
      if (error instanceof MesetaError) return sendText(response, 400, error.format());
      throw error;
    }
  };
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 ? value : undefined;
}
