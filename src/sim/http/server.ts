/**
 * The simulator's HTTP server: routes Mesos's master endpoints to the master core. The master
 * is attached after the server listens (so that MasterInfo can carry the real port). A server
 * without a master is a standby: its API answers 307 to the leader
 * (`Location: //host:port<path>`, as Mesos's `redirect`), or 503 "No leader elected".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../log.ts';
import { silentLogger } from '../../log.ts';
import type { Master } from '../master.ts';
import { sendBody, sendText } from './exchange.ts';
import { handleOperatorRequest } from './operator-endpoint.ts';
import { handleSchedulerRequest } from './scheduler-endpoint.ts';
import { legacyState } from './state-endpoint.ts';

/** Extra handlers mounted under a path prefix (the control API). */
export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
) => Promise<void> | void;

const apiRoutes: Record<string, 'scheduler' | 'operator'> = {
  '/api/v1/scheduler': 'scheduler',
  '/master/api/v1/scheduler': 'scheduler',
  '/api/v1': 'operator',
  '/master/api/v1': 'operator',
};

export class SimServer {
  private readonly server: Server;
  private master: Master | undefined;
  private readonly extra = new Map<string, RouteHandler>();
  /** Milliseconds to wait before handling each API request (the "slow API" fault). */
  apiDelayMs = 0;
  /** Where a standby sends API clients; unset means no leader is known. */
  leader: { hostname: string; port: number } | undefined;
  port = 0;

  constructor(private readonly log: Logger = silentLogger) {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        this.log.error('request failed', { url: request.url, error });
        if (!response.headersSent)
          sendText(response, 500, String((error as Error)?.message ?? error));
        else response.destroy();
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  attach(master: Master): void {
    this.master = master;
    this.leader = undefined;
  }

  /** Makes this server a standby that redirects to `leader`. */
  detach(leader?: { hostname: string; port: number }): void {
    this.master = undefined;
    this.leader = leader;
  }

  mount(prefix: string, handler: RouteHandler): void {
    this.extra.set(prefix, handler);
  }

  async listen(port = 5050, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** Ends every connection, streams included, and stops listening. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    for (const [prefix, handler] of this.extra) {
      if (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/'))
        return handler(request, response, path);
    }
    const master = this.master;
    if (!master) {
      if (!this.leader) return sendText(response, 503, 'No leader elected');
      if (!apiRoutes[path] && path !== '/master/redirect' && path !== '/redirect') {
        return sendText(response, 404);
      }
      const { hostname, port } = this.leader;
      return sendText(response, 307, '', {
        Location: `//${hostname}:${port}${apiRoutes[path] ? request.url : ''}`,
      });
    }
    if (this.apiDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.apiDelayMs));
    const api = apiRoutes[path];
    if (api) {
      if (master.recovering) return sendText(response, 503, 'Master has not finished recovery');
      return api === 'scheduler'
        ? handleSchedulerRequest(master, request, response)
        : handleOperatorRequest(master, request, response);
    }
    switch (path) {
      case '/master/state':
      case '/master/state.json':
      case '/state':
      case '/state.json':
        return sendBody(
          response,
          200,
          'application/json',
          Buffer.from(JSON.stringify(legacyState(master))),
        );
      case '/master/health':
      case '/health':
        return sendText(response, 200);
      case '/master/redirect':
      case '/redirect':
        return sendText(response, 307, '', {
          Location: `//${master.info.hostname}:${master.info.port}`,
        });
      default:
        return sendText(response, 404);
    }
  }
}
