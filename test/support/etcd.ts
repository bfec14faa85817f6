/**
 * A real etcd for tests and benchmarks: Debian's `/usr/bin/etcd` on free loopback ports with a
 * temporary data directory. `stop()`/`start()`/`restart()` keep the data directory and the
 * ports, so that a client sees the same endpoint go away and come back; `kill()` is SIGKILL
 * (no graceful shutdown); `remove()` stops it and deletes the data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './until.ts';

export interface EtcdServer {
  /** `http://127.0.0.1:<port>`, or `https://` when started with TLS. */
  readonly endpoint: string;
  readonly dataDir: string;
  start(): Promise<void>;
  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, waiting for the process to exit. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  remove(): Promise<void>;
}

const etcdBinary = process.env.MESETA_ETCD_BIN ?? '/usr/bin/etcd';

export interface EtcdTls {
  /** CA that signed the client certificates etcd accepts (and the server's). */
  ca: string;
  cert: string;
  key: string;
  /** A client certificate and key for the health check. */
  clientCert: string;
  clientKey: string;
}

export async function startEtcd(options: { tls?: EtcdTls } = {}): Promise<EtcdServer> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'meseta-etcd-'));
  const tls = options.tls;
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const tlsFlags = tls
    ? [
        '--cert-file',
        tls.cert,
        '--key-file',
        tls.key,
        '--client-cert-auth',
        '--trusted-ca-file',
        tls.ca,
      ]
    : [];
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    if (child) return;
    output = '';
    const proc = spawn(
      etcdBinary,
      [
        '--name',
        'meseta-test',
        '--data-dir',
        dataDir,
        '--listen-client-urls',
        endpoint,
        '--advertise-client-urls',
        endpoint,
        '--listen-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-cluster',
        `meseta-test=http://127.0.0.1:${peerPort}`,
        '--log-level',
        'error',
        '--logger',
        'zap',
        ...tlsFlags,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    // A test process that dies without cleaning up must not leave etcd running.
    const orphanGuard = () => proc.kill('SIGKILL');
    process.once('exit', orphanGuard);
    proc.on('exit', () => {
      process.removeListener('exit', orphanGuard);
      if (child === proc) child = undefined;
    });
    await until(
      async () => {
        if (!child) throw new Error(`etcd exited during startup:\n${output}`);
        return healthy(endpoint, tls);
      },
      { within: 20_000, what: `etcd to answer on ${endpoint}` },
    );
  };

  const halt = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
    child = undefined;
  };

  const server: EtcdServer = {
    endpoint,
    dataDir,
    start,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    async restart() {
      await halt('SIGTERM');
      await start();
    },
    async remove() {
      await halt('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (error) {
    await server.remove();
    throw error;
  }
  return server;
}

async function healthy(endpoint: string, tls: EtcdTls | undefined): Promise<boolean> {
  if (tls) return healthyOverTls(endpoint, tls);
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    if (!response.ok) return false;
    const body = (await response.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function healthyOverTls(endpoint: string, tls: EtcdTls): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${endpoint}/health`,
      {
        ca: readFileSync(tls.ca),
        cert: readFileSync(tls.clientCert),
        key: readFileSync(tls.clientKey),
        timeout: 1000,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('"true"')));
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
