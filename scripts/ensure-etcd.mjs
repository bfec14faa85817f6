#!/usr/bin/env node
// Makes sure a real etcd is on this machine before the test suite runs: the integration tests
// start Debian's etcd on a loopback port and never skip. Installs `etcd-server` (and
// `etcd-client` for etcdctl) with apt when running as root; otherwise stops with instructions.
import { execFileSync, spawnSync } from 'node:child_process';

const need = ['etcd', 'etcdctl'];
const missing = () =>
  need.filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);

if (missing().length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
if (!isRoot || !hasApt) {
  console.error(
    `meseta's tests need a real etcd (${missing().join(', ')} not found on PATH).\n` +
      'Install it and run the tests again:\n' +
      '  sudo apt-get update && sudo apt-get install -y etcd-server etcd-client\n' +
      'or put etcd and etcdctl 3.4+ from another source on PATH.',
  );
  process.exit(1);
}

console.error(`installing ${missing().join(', ')} from Debian (etcd-server, etcd-client)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', 'etcd-server', 'etcd-client'], {
  stdio: 'inherit',
  env,
});
if (missing().length > 0) {
  console.error(`still missing after install: ${missing().join(', ')}`);
  process.exit(1);
}
