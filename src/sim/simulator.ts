/**
 * A whole simulated Mesos cluster in one call: a master with its agents behind the HTTP API on
 * a port, for tests, demos and `meseta sim`. The same master core can also be used without
 * HTTP (see `Master`) on a VirtualClock.
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
}

export class Simulator {
  /** Faults on demand, in process (the same as the `/sim/v1` control API). */
  readonly faults: Faults;

  constructor(
    readonly master: Master,
    readonly server: SimServer,
    readonly url: string,
  ) {
    this.faults = new Faults(master, server);
  }

  async stop(): Promise<void> {
    this.master.stop();
    await this.server.close();
  }
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { cluster, port = 5050, host = '127.0.0.1', ...masterOptions } = options;
  const server = new SimServer(masterOptions.log);
  const bound = await server.listen(port, host);
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
  server.attach(master);
  const simulator = new Simulator(master, server, `http://${host}:${bound}`);
  server.mount(
    '/sim/v1',
    controlHandler(
      () => master,
      () => simulator.faults,
    ),
  );
  return simulator;
}
