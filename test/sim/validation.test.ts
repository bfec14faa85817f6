import { describe, expect, it } from 'vitest';
import type { FrameworkInfo } from '../../src/mesos/types.ts';
import {
  frameworkRoles,
  validateFrameworkInfo,
  validateFrameworkUpdate,
  validateHealthCheck,
  validateRole,
  validateSuppressedRoles,
} from '../../src/sim/validation.ts';

const info = (extra: Partial<FrameworkInfo> = {}): FrameworkInfo => ({
  user: 'u',
  name: 'n',
  ...extra,
});
const multi = (roles: string[]) => info({ roles, capabilities: [{ type: 'MULTI_ROLE' }] });

describe('FrameworkInfo validation', () => {
  it.each([
    [info({ role: 'a' }), undefined],
    [multi(['a', 'b/c']), undefined],
    [
      info({ roles: ['a'] }),
      "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable",
    ],
    [
      { ...multi(['a']), role: 'a' },
      "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable",
    ],
    [multi(['a', 'a']), "'FrameworkInfo.roles' contains duplicate items: { a }"],
    [multi(['-x']), "'FrameworkInfo.roles' contains invalid role: Role '-x' cannot start with '-'"],
    [
      info({ role: 'a b' }),
      "'FrameworkInfo.role' is not a valid role: Role 'a b' cannot include whitespace, control characters or backslashes",
    ],
    [info({ id: { value: 'a/b' } }), "'a/b' contains invalid characters"],
    [info({ failover_timeout: -1 }), 'The framework failover_timeout (-1) is invalid'],
  ])('%j → %s', (framework, error) => {
    expect(validateFrameworkInfo(framework)).toBe(error);
  });

  it('knows the roles a framework subscribes with', () => {
    expect(frameworkRoles(info())).toEqual(['*']);
    expect(frameworkRoles(info({ role: 'web' }))).toEqual(['web']);
    expect(frameworkRoles(multi(['a', 'b']))).toEqual(['a', 'b']);
    expect(validateRole('a/./b')).toBe("Role 'a/./b' has an invalid path component");
  });

  it('refuses changes to principal, user and checkpoint', () => {
    expect(validateFrameworkUpdate(info({ principal: 'p' }), info({ principal: 'q' }))).toBe(
      "Changing framework's principal is not allowed.",
    );
    expect(validateFrameworkUpdate(info(), info({ checkpoint: true }))).toBe(
      "Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from 'false' to 'true'",
    );
    expect(validateFrameworkUpdate(info(), info({ name: 'other' }))).toBeUndefined();
  });

  it('requires suppressed roles to be among the roles', () => {
    expect(validateSuppressedRoles(['a'], ['a'])).toBeUndefined();
    expect(validateSuppressedRoles(['a'], ['c', 'b'])).toBe(
      'Suppressed roles { b, c } are not contained in the set of roles',
    );
  });
});

describe('health check validation', () => {
  it.each([
    [{}, "HealthCheck must specify 'type'"],
    [{ type: 'COMMAND' }, "Expecting 'command' to be set for COMMAND health check"],
    [{ type: 'COMMAND', command: {} }, "Command health check must contain 'shell command'"],
    [
      { type: 'COMMAND', command: { shell: false } },
      "Command health check must contain 'executable path'",
    ],
    [
      { type: 'HTTP', http: { port: 80, scheme: 'ftp' } },
      "Unsupported HTTP health check scheme: 'ftp'",
    ],
    [
      { type: 'HTTP', http: { port: 80, path: 'x' } },
      "The path 'x' of HTTP health check must start with '/'",
    ],
    [{ type: 'TCP' }, "Expecting 'tcp' to be set for TCP health check"],
    [
      { type: 'TCP', tcp: { port: 1 }, interval_seconds: -1 },
      "Expecting 'interval_seconds' to be non-negative",
    ],
    [{ type: 'UNKNOWN' }, "'UNKNOWN' is not a valid health check type"],
    [{ type: 'HTTP', http: { port: 80, path: '/ok' } }, undefined],
  ] as const)('%j → %s', (check, error) => {
    expect(validateHealthCheck(check as never)).toBe(error);
  });
});
