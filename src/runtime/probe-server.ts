/**
 * The HTTP endpoints every long-running meseta process serves for its operators:
 * `/healthz` (the process is alive), `/readyz` (it can do its work: store reachable, leader
 * election running) and `/metrics` (Prometheus). Checks are named so a failing one says which.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from './metrics.ts';

/** Resolves to true when healthy; a thrown error or false fails the check with its message. */
export type Check = () => boolean | Promise<boolean>;

export interface ProbeServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  metrics: Registry;
  liveness?: Record<string, Check>;
  readiness?: Record<string, Check>;
}

export interface ProbeServer {
  url: string;
  close(): Promise<void>;
}

export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'Content-Type': type });
      response.end(body);
    };
    if (request.method !== 'GET') return reply(405, 'method not allowed\n');
    if (path === '/metrics') {
      return reply(200, options.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    }
    const checks =
      path === '/healthz' ? options.liveness : path === '/readyz' ? options.readiness : undefined;
    if (path !== '/healthz' && path !== '/readyz') return reply(404, 'not found\n');
    void runChecks(checks ?? {}).then(({ ok, lines }) =>
      reply(ok ? 200 : 503, lines.join('\n') + '\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function runChecks(checks: Record<string, Check>): Promise<{ ok: boolean; lines: string[] }> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return (await check()) ? `[+] ${name} ok` : `[-] ${name} failed`;
      } catch (error) {
        return `[-] ${name} failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  const ok = results.every((line) => line.startsWith('[+]'));
  return { ok, lines: [...results, ok ? 'ok' : 'not ok'] };
}
