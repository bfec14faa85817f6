/**
 * `POST /api/v1` (also `/master/api/v1`): the operator API's synchronous calls over the
 * master's state — GET_HEALTH, GET_FLAGS, GET_VERSION, GET_STATE, GET_AGENTS, GET_FRAMEWORKS,
 * GET_EXECUTORS, GET_TASKS, GET_ROLES, GET_OPERATIONS, GET_MASTER — plus TEARDOWN and
 * MARK_AGENT_GONE, and the operator SUBSCRIBE stream (SUBSCRIBED with the full state, then TASK_ADDED, TASK_UPDATED,
 * AGENT_ADDED, AGENT_REMOVED, FRAMEWORK_ADDED/UPDATED/REMOVED and HEARTBEAT, RecordIO-framed,
 * one record per chunk). Same transport rules as Mesos: Content-Type 400/415, Accept 406, 200
 * with a Response body. Calls the simulator does not implement answer 501.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ContentTypes,
  encodeMasterEvent,
  encodeMasterResponse,
  type Format,
} from '../../mesos/codec.ts';
import type { MasterCall, MasterEvent, MasterResponse } from '../../mesos/master-types.ts';
import { encodeRecord } from '../../mesos/recordio.ts';
import { MessageNames } from '../../mesos/schema.ts';
import type { Master, MasterChange } from '../master.ts';
import {
  agentEntry,
  frameworkEntry,
  getAgents,
  getExecutors,
  getFrameworks,
  getRoles,
  getState,
  getTasks,
  taskView,
} from '../views.ts';
import { acceptsMediaType, methodNotAllowed, readBody, sendBody, sendText } from './exchange.ts';
import { parseCallBody } from './scheduler-endpoint.ts';

export async function handleOperatorRequest(
  master: Master,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'POST') return methodNotAllowed(response, request.method);
  const body = await readBody(request);
  const parsed = parseCallBody<MasterCall>(
    MessageNames.MasterCall,
    request.headers['content-type'],
    body,
  );
  if ('error' in parsed) return sendText(response, parsed.status, parsed.error);
  const call = parsed.call;
  const invalid = validateMasterCall(call);
  if (invalid) return sendText(response, 400, `Failed to validate master::Call: ${invalid}`);
  const format: Format | undefined = acceptsMediaType(request, ContentTypes.json)
    ? 'json'
    : acceptsMediaType(request, ContentTypes.protobuf)
      ? 'protobuf'
      : undefined;
  if (!format) {
    return sendText(
      response,
      406,
      `Expecting 'Accept' to allow '${ContentTypes.protobuf}' or '${ContentTypes.json}'`,
    );
  }
  const reply = (message: MasterResponse) =>
    sendBody(response, 200, ContentTypes[format], encodeMasterResponse(message, format));
  switch (call.type) {
    case 'SUBSCRIBE':
      return subscribe(master, response, format);
    case 'GET_HEALTH':
      return reply({ type: 'GET_HEALTH', get_health: { healthy: true } });
    case 'GET_FLAGS':
      return reply({ type: 'GET_FLAGS', get_flags: { flags: master.flags() } });
    case 'GET_VERSION':
      return reply({
        type: 'GET_VERSION',
        get_version: {
          version_info: { version: master.info.version!, build_user: 'meseta-sim' },
        },
      });
    case 'GET_MASTER':
      return reply({
        type: 'GET_MASTER',
        get_master: {
          master_info: master.info,
          start_time: master.startTime / 1000,
          elected_time: master.startTime / 1000,
        },
      });
    case 'GET_STATE':
      return reply({ type: 'GET_STATE', get_state: getState(master) });
    case 'GET_AGENTS':
      return reply({ type: 'GET_AGENTS', get_agents: getAgents(master) });
    case 'GET_FRAMEWORKS':
      return reply({ type: 'GET_FRAMEWORKS', get_frameworks: getFrameworks(master) });
    case 'GET_EXECUTORS':
      return reply({ type: 'GET_EXECUTORS', get_executors: getExecutors(master) });
    case 'GET_TASKS':
      return reply({ type: 'GET_TASKS', get_tasks: getTasks(master) });
    case 'GET_ROLES':
      return reply({ type: 'GET_ROLES', get_roles: getRoles(master) });
    case 'GET_OPERATIONS':
      // The simulator performs no offer operations, so there are none to list.
      return reply({ type: 'GET_OPERATIONS', get_operations: {} });
    case 'TEARDOWN': {
      const framework = master.framework(call.teardown!.framework_id.value);
      if (!framework) return sendText(response, 400, 'No framework found with specified ID');
      master.removeFramework(framework);
      return sendText(response, 200);
    }
    case 'MARK_AGENT_GONE': {
      const agent = master.agent(call.mark_agent_gone!.agent_id.value);
      if (!agent) return sendText(response, 400, 'Unknown agent');
      master.markAgentGone(agent.id);
      return sendText(response, 200);
    }
    default:
      return sendText(response, 501);
  }
}

function validateMasterCall(call: MasterCall): string | undefined {
  if (!call.type) return "Expecting 'type' to be present";
  if (call.type === 'TEARDOWN' && !call.teardown) return "Expecting 'teardown' to be present";
  if (call.type === 'MARK_AGENT_GONE' && !call.mark_agent_gone) {
    return "Expecting 'mark_agent_gone' to be present";
  }
  return undefined;
}

function subscribe(master: Master, response: ServerResponse, format: Format): void {
  response.writeHead(200, { 'Content-Type': ContentTypes[format], 'Cache-Control': 'no-cache' });
  response.flushHeaders();
  const send = (event: MasterEvent) => {
    if (!response.destroyed) response.write(encodeRecord(encodeMasterEvent(event, format)));
  };
  send({
    type: 'SUBSCRIBED',
    subscribed: {
      get_state: getState(master),
      heartbeat_interval_seconds: master.heartbeatIntervalMs / 1000,
    },
  });
  const unwatch = master.watch((change) => send(eventOf(master, change)));
  let heartbeat = master.clock.setTimeout(function beat() {
    send({ type: 'HEARTBEAT' });
    heartbeat = master.clock.setTimeout(beat, master.heartbeatIntervalMs);
  }, master.heartbeatIntervalMs);
  response.on('close', () => {
    unwatch();
    heartbeat.cancel();
  });
}

function eventOf(master: Master, change: MasterChange): MasterEvent {
  switch (change.kind) {
    case 'task_added':
      return {
        type: 'TASK_ADDED',
        task_added: {
          task: taskView(change.task, master.framework(change.task.frameworkId)?.info.user),
        },
      };
    case 'task_updated':
      return {
        type: 'TASK_UPDATED',
        task_updated: {
          framework_id: { value: change.task.frameworkId },
          status: change.status,
          state: change.task.state,
        },
      };
    case 'agent_added':
      return { type: 'AGENT_ADDED', agent_added: { agent: agentEntry(master, change.agent) } };
    case 'agent_removed':
      return { type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: change.agentId } } };
    case 'framework_added':
      return {
        type: 'FRAMEWORK_ADDED',
        framework_added: { framework: frameworkEntry(master, change.framework) },
      };
    case 'framework_updated':
      return {
        type: 'FRAMEWORK_UPDATED',
        framework_updated: { framework: frameworkEntry(master, change.framework) },
      };
    case 'framework_removed':
      return { type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: change.info } };
  }
}
