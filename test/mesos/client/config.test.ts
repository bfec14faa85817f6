import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.ts';
import { resolveConfig, type SchedulerClientConfig } from '../../../src/mesos/client/config.ts';
import { buildFrameworkInfo } from '../../../src/mesos/client/framework-info.ts';

const base: SchedulerClientConfig = {
  masters: ['http://m1:5050', 'm2:5050', 'https://m3:5050/master/api/v1/scheduler'],
  framework: { name: 'meseta', user: 'root', roles: ['apps'] },
};

function problems(config: SchedulerClientConfig): string[] {
  try {
    resolveConfig(config);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems.map((p) => p.format());
  }
  return [];
}

describe('resolveConfig', () => {
  it('fills in defaults and normalises master URLs', () => {
    const config = resolveConfig(base);
    expect(config.masters.map((u) => u.href)).toEqual([
      'http://m1:5050/api/v1/scheduler',
      'http://m2:5050/api/v1/scheduler',
      'https://m3:5050/master/api/v1/scheduler',
    ]);
    expect(config.encoding).toBe('protobuf');
    expect(config.framework.failoverTimeoutSeconds).toBe(28 * 24 * 3600);
    expect(config.framework.checkpoint).toBe(true);
    expect(config.framework.capabilities).toEqual([
      'MULTI_ROLE',
      'PARTITION_AWARE',
      'TASK_KILLING_STATE',
    ]);
    expect(config.missedHeartbeats).toBe(5);
    expect(config.backoff).toEqual({ initialMs: 1000, maxMs: 60_000, jitter: 0.5 });
  });

  it('lists every problem with its field path', () => {
    expect(
      problems({
        masters: ['zk://zk1:2181/mesos', ''],
        encoding: 'xml' as never,
        framework: {
          name: '',
          user: 'root',
          roles: ['ok', 'bad role'],
          failoverTimeoutSeconds: -1,
          capabilities: ['PARTITION_AWARE'],
        },
        suppressedRoles: ['other'],
        backoff: { jitter: 2 },
      }),
    ).toEqual([
      'masters[0]: must be an http or https URL (got zk://…; ZooKeeper is not supported)',
      'masters[1]: must be a master URL such as http://master1:5050',
      'encoding: must be "json" or "protobuf" (got "xml")',
      'framework.name: is required',
      'framework.roles[1]: is not a valid Mesos role: "bad role"',
      'framework.failoverTimeoutSeconds: must be a non-negative number of seconds (got -1)',
      'framework.capabilities: must include MULTI_ROLE: roles are sent as FrameworkInfo.roles',
      'suppressedRoles[0]: must be one of framework.roles (got "other")',
      'backoff.jitter: must be between 0 and 1 (got 2)',
    ]);
  });

  it('refuses credentials in a master URL without echoing them', () => {
    const found = problems({ ...base, masters: ['http://meseta:hunter2@m1:5050'] });
    expect(found).toEqual([
      'masters[0]: must not contain credentials; put them in credential.principal/secret',
    ]);
    expect(found.join()).not.toContain('hunter2');
  });

  it('takes the principal from the credential and insists they agree', () => {
    const config = resolveConfig({ ...base, credential: { principal: 'p', secret: 's' } });
    expect(config.framework.principal).toBe('p');
    expect(
      problems({
        ...base,
        framework: { ...base.framework, principal: 'q' },
        credential: { principal: 'p', secret: '' },
      }),
    ).toEqual([
      'credential.secret: is required',
      'framework.principal: must equal credential.principal (Mesos authenticates the principal)',
    ]);
  });
});

describe('buildFrameworkInfo', () => {
  it('sets only what is configured, with the id when resubscribing', () => {
    const config = resolveConfig(base);
    expect(buildFrameworkInfo(config.framework, undefined)).toEqual({
      user: 'root',
      name: 'meseta',
      failover_timeout: 2419200,
      checkpoint: true,
      roles: ['apps'],
      capabilities: [
        { type: 'MULTI_ROLE' },
        { type: 'PARTITION_AWARE' },
        { type: 'TASK_KILLING_STATE' },
      ],
    });
    expect(buildFrameworkInfo(config.framework, 'M-0001').id).toEqual({ value: 'M-0001' });
  });
});
