/**
 * Mesos-native health checking as the command executor does it (src/checks/health_checker.cpp,
 * docs/health-checks.md): the first check `delay_seconds` after the task runs, then every
 * `interval_seconds`; a check slower than `timeout_seconds` fails; failures within
 * `grace_period_seconds` of the launch are ignored until the first success; every failure is
 * reported, a success only when it changes the verdict; after `consecutive_failures` failures
 * in a row the task must be killed.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import type { Clock, Timer } from '../clock.ts';
import type { HealthCheck } from '../mesos/types.ts';

/** Runs one check: a verdict, synchronously (simulated) or later (real probes). */
export type Probe = () => boolean | Promise<boolean>;

export interface HealthVerdict {
  healthy: boolean;
  /** Too many consecutive failures: the executor kills the task. */
  kill: boolean;
}

export class HealthChecker {
  private timer: Timer | undefined;
  private stopped = false;
  private consecutiveFailures = 0;
  private initializing = true;
  private lastHealthy: boolean | undefined;
  private readonly startedAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly check: HealthCheck,
    private readonly probe: Probe,
    private readonly report: (verdict: HealthVerdict) => void,
  ) {
    this.startedAt = clock.now();
  }

  start(): void {
    this.schedule((this.check.delay_seconds ?? 15) * 1000);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(ms: number): void {
    if (!this.stopped) this.timer = this.clock.setTimeout(() => this.run(), ms);
  }

  private run(): void {
    const timeoutMs = (this.check.timeout_seconds ?? 20) * 1000;
    let settled = false;
    let timeout: Timer | undefined;
    const settle = (healthy: boolean) => {
      if (settled) return;
      settled = true;
      timeout?.cancel();
      this.verdict(healthy);
    };
    let outcome: boolean | Promise<boolean>;
    try {
      outcome = this.probe();
    } catch {
      outcome = false;
    }
    if (typeof outcome === 'boolean') return settle(outcome);
    if (timeoutMs > 0) timeout = this.clock.setTimeout(() => settle(false), timeoutMs);
    outcome.then(settle, () => settle(false));
  }

  private verdict(healthy: boolean): void {
    if (this.stopped) return;
    if (healthy) {
      this.consecutiveFailures = 0;
      this.initializing = false;
      if (this.lastHealthy !== true) this.report({ healthy: true, kill: false });
      this.lastHealthy = true;
    } else {
      const graceMs = (this.check.grace_period_seconds ?? 10) * 1000;
      if (this.initializing && this.clock.now() - this.startedAt < graceMs) {
        return this.schedule((this.check.interval_seconds ?? 10) * 1000);
      }
      this.consecutiveFailures++;
      this.lastHealthy = false;
      const kill = this.consecutiveFailures >= (this.check.consecutive_failures ?? 3);
      this.report({ healthy: false, kill });
      if (kill) return this.stop();
    }
    this.schedule((this.check.interval_seconds ?? 10) * 1000);
  }
}

/** A real probe for local mode: HTTP(S) GET (200–399 healthy), TCP connect, or a command. */
export function localProbe(check: HealthCheck, env: Record<string, string>): Probe {
  return () =>
    new Promise<boolean>((resolve) => {
      if (check.type === 'HTTP' && check.http) {
        const scheme = check.http.scheme ?? 'http';
        const send = scheme === 'https' ? httpsRequest : httpRequest;
        const req = send(
          {
            host: '127.0.0.1',
            port: check.http.port,
            path: check.http.path ?? '/',
            rejectUnauthorized: false,
          },
          (res) => {
            res.resume();
            const code = res.statusCode ?? 0;
            resolve(code >= 200 && code < 400);
          },
        );
        req.on('error', () => resolve(false));
        req.end();
      } else if (check.type === 'TCP' && check.tcp) {
        const socket = connect(check.tcp.port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      } else if (check.type === 'COMMAND' && check.command?.value) {
        const child = spawn('/bin/sh', ['-c', check.command.value], { env, stdio: 'ignore' });
        child.on('error', () => resolve(false));
        child.on('exit', (code) => resolve(code === 0));
      } else {
        resolve(false);
      }
    });
}
