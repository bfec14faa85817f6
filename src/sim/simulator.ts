/**
 * A whole simulated Mesos cluster in one call: a master with its agents behind the HTTP API on
 * a port, for tests, demos and `meseta sim`, optionally with standby masters that redirect to
 * the leader (and can take over, `faults.failoverMaster({ toStandby: true })`). The same
 * master core can also be used without HTTP (see `Master`) on a VirtualClock.
 *
 * ```ts
 * const sim = await startSimulator({ cluster: generateCluster({ agents: 10 }), port: 0 });
 * // point a scheduler at sim.url + '/api/v1/scheduler'
 * await sim.stop();
 * ```
 */
import { realClock } from '../clock.ts';
import type { ClusterSpec } from './cluster.ts';
import { Faults } from './faults.ts';
import { controlHandler } from './http/control-endpoint.ts';
import { SimServer } from './http/server.ts';
import { Master, type MasterOptions } from './master.ts';

export interface SimulatorOptions extends Partial<MasterOptions> {
  cluster: ClusterSpec;
  /** 0 picks a free port. Default 5050. */
  port?: number;
  host?: string;
  /** Standby masters on further ports (free ones), answering 307 to the leader. */
  standbys?: number;
}

export class Simulator {
  /** Faults on demand, in process (the same as the `/sim/v1` control API). */
  readonly faults: Faults;
  private leaderIndex = 0;

  constructor(
    readonly master: Master,
    /** Every server; the leader first until a failover moves it. */
    readonly servers: readonly SimServer[],
    private readonly host: string,
  ) {
    this.faults = new Faults(master, {
      servers: () => this.servers,
      ...(servers.length > 1 ? { moveLeader: () => this.moveLeader() } : {}),
    });
  }

  /** The leading master's server. */
  get server(): SimServer {
    return this.servers[this.leaderIndex]!;
  }

  /** The leading master's base URL. */
  get url(): string {
    return `http://${this.host}:${this.server.port}`;
  }

  /** Every master's base URL, the leader's included. */
  get urls(): string[] {
    return this.servers.map((server) => `http://${this.host}:${server.port}`);
  }

  private moveLeader(): void {
    this.leaderIndex = (this.leaderIndex + 1) % this.servers.length;
    const leader = this.server;
    this.master.moveTo(
      this.master.info.hostname ?? this.host,
      this.master.info.address?.ip ?? this.host,
      leader.port,
    );
    for (const server of this.servers) {
      if (server === leader) server.attach(this.master);
      else server.detach({ hostname: this.master.info.hostname ?? this.host, port: leader.port });
    }
  }

  async stop(): Promise<void> {
    this.master.stop();
    await Promise.all(this.servers.map((server) => server.close()));
  }
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { cluster, port = 5050, host = '127.0.0.1', standbys = 0, ...masterOptions } = options;
  const servers = [new SimServer(masterOptions.log)];
  const bound = await servers[0]!.listen(port, host);
  for (let i = 0; i < standbys; i++) {
    const standby = new SimServer(masterOptions.log);
    await standby.listen(0, host);
    servers.push(standby);
  }
  const master = new Master({
    clock: realClock,
    ...masterOptions,
    hostname: masterOptions.hostname ?? host,
    ip: masterOptions.ip ?? (host === 'localhost' ? '127.0.0.1' : host),
    port: bound,
    // Mesos refuses agents with a domain unless the master has one: default to the first's.
    domain: masterOptions.domain ?? cluster.agents.find((agent) => agent.domain)?.domain,
  });
  for (const spec of cluster.agents) master.addAgent(spec);
  master.start();
  servers[0]!.attach(master);
  for (const standby of servers.slice(1)) {
    standby.detach({ hostname: master.info.hostname!, port: bound });
  }
  const simulator = new Simulator(master, servers, host);
  for (const server of servers) {
    server.mount(
      '/sim/v1',
      controlHandler(
        () => master,
        () => simulator.faults,
      ),
    );
  }
  return simulator;
}
