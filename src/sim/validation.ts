/**
 * The master's checks on what a framework sends, with Mesos's own error texts
 * (src/master/validation.cpp, src/common/validation.cpp): the SUBSCRIBE FrameworkInfo, the
 * offers of an ACCEPT, and each task of a LAUNCH. Pure functions over the facts they need, so
 * they are tested without a master.
 */
import type { FrameworkInfo, HealthCheck, TaskInfo } from '../mesos/types.ts';
import { contains, describePool, poolFromResources, type Pool } from './resources.ts';

export function hasCapability(info: FrameworkInfo, type: string): boolean {
  return (info.capabilities ?? []).some((capability) => capability.type === type);
}

/** `validation::framework::validate`: roles vs MULTI_ROLE, ids, failover_timeout. */
export function validateFrameworkInfo(info: FrameworkInfo): string | undefined {
  const multiRole = hasCapability(info, 'MULTI_ROLE');
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multiRole && (info.roles?.length ?? 0) > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  if (multiRole) {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const role of info.roles ?? []) (seen.has(role) ? duplicates : seen).add(role);
    if (duplicates.size > 0) {
      return `'FrameworkInfo.roles' contains duplicate items: { ${[...duplicates].join(', ')} }`;
    }
    for (const role of info.roles ?? []) {
      const error = validateRole(role);
      if (error) return `'FrameworkInfo.roles' contains invalid role: ${error}`;
    }
  } else {
    const error = validateRole(info.role ?? '*');
    if (error) return `'FrameworkInfo.role' is not a valid role: ${error}`;
  }
  if (info.id?.value) {
    const error = validateId(info.id.value);
    if (error) return error;
  }
  const timeout = info.failover_timeout ?? 0;
  if (!Number.isFinite(timeout) || timeout < 0 || timeout * 1e9 > 9.2e18) {
    return `The framework failover_timeout (${timeout}) is invalid`;
  }
  return undefined;
}

/** The roles a framework subscribes with: `roles` (MULTI_ROLE) or the legacy `role`. */
export function frameworkRoles(info: FrameworkInfo): string[] {
  return hasCapability(info, 'MULTI_ROLE') ? [...(info.roles ?? [])] : [info.role ?? '*'];
}

/** `roles::validate`. */
export function validateRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Empty role name is invalid';
  if (role === '.' || role === '..') return `Role '${role}' cannot be '.' or '..'`;
  if (role.startsWith('-')) return `Role '${role}' cannot start with '-'`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(role)) {
    return `Role '${role}' cannot include whitespace, control characters or backslashes`;
  }
  for (const part of role.split('/')) {
    if (part === '' || part === '.' || part === '..' || part === '*') {
      return `Role '${role}' has an invalid path component`;
    }
  }
  return undefined;
}

/** `common::validation::validateID`. */
export function validateId(id: string): string | undefined {
  if (id === '') return 'ID must not be empty';
  if (id.length > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

/** What the task checks need to know about the framework and the agent. */
export interface TaskContext {
  agentId: string;
  /** The framework already has a live task with this id. */
  hasTask(taskId: string): boolean;
  hasUnreachableTask(taskId: string): boolean;
  /** The agent already runs this executor for the framework. */
  hasExecutor(executorId: string): boolean;
  /** What is left of the offers, for the resource check. */
  available: Pool;
  /** Role the offers were allocated to, for messages. */
  role: string;
}

/** `validateTask` then `validateExecutor` of validation.cpp, in Mesos's order. */
export function validateTask(
  task: TaskInfo,
  context: TaskContext,
): { error?: string; resources: Pool; taskResources: Pool } {
  const { pool: taskPool, problems } = poolFromResources(task.resources);
  const fail = (error: string) => ({ error, resources: taskPool, taskResources: taskPool });
  const idError = validateId(task.task_id.value);
  if (idError) return fail(idError);
  if (context.hasTask(task.task_id.value)) {
    return fail(`Task has duplicate ID: ${task.task_id.value}`);
  }
  if (context.hasUnreachableTask(task.task_id.value)) {
    return fail(`Task reuses the ID of an unreachable task: ${task.task_id.value}`);
  }
  if (task.agent_id.value !== context.agentId) {
    return fail(
      `Task uses invalid agent ${task.agent_id.value} while agent ${context.agentId} is expected`,
    );
  }
  if (task.kill_policy?.grace_period && BigInt(task.kill_policy.grace_period.nanoseconds) < 0n) {
    return fail("Task's 'kill_policy.grace_period' must be non-negative");
  }
  if (task.max_completion_time && BigInt(task.max_completion_time.nanoseconds) < 0n) {
    return fail("Task's `max_completion_time` must be non-negative");
  }
  if (task.health_check) {
    const error = validateHealthCheck(task.health_check);
    if (error) return fail(`Task uses invalid health check: ${error}`);
  }
  if ((task.resources?.length ?? 0) === 0) return fail('Task uses no resources');
  if (problems.length > 0) return fail(`Task uses invalid resources: ${problems[0]}`);
  if ((task.executor === undefined) === (task.command === undefined)) {
    return fail(
      'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
    );
  }
  const total = executorTotal(task, context, taskPool);
  if (!contains(context.available, total)) {
    return fail(
      `Total resources ${describe(total, context.role)} required by task and its executor is ` +
        `more than available ${describe(context.available, context.role)}`,
    );
  }
  return { resources: total, taskResources: taskPool };
}

function executorTotal(task: TaskInfo, context: TaskContext, taskPool: Pool): Pool {
  if (!task.executor || context.hasExecutor(task.executor.executor_id.value)) return taskPool;
  const { pool } = poolFromResources([
    ...(task.resources ?? []),
    ...(task.executor.resources ?? []),
  ]);
  return pool;
}

function describe(pool: Pool, role: string): string {
  return describePool(pool).replace(/(^|; )([^:;]+):/g, `$1$2(allocated: ${role}):`);
}

/** `common::validation::validateHealthCheck`. */
export function validateHealthCheck(check: HealthCheck): string | undefined {
  switch (check.type) {
    case undefined:
      return "HealthCheck must specify 'type'";
    case 'COMMAND':
      if (!check.command) return "Expecting 'command' to be set for COMMAND health check";
      if (check.command.value === undefined) {
        const kind = check.command.shell === false ? "'executable path'" : "'shell command'";
        return `Command health check must contain ${kind}`;
      }
      break;
    case 'HTTP':
      if (!check.http) return "Expecting 'http' to be set for HTTP health check";
      if (check.http.scheme !== undefined && !['http', 'https'].includes(check.http.scheme)) {
        return `Unsupported HTTP health check scheme: '${check.http.scheme}'`;
      }
      if (check.http.path !== undefined && !check.http.path.startsWith('/')) {
        return `The path '${check.http.path}' of HTTP health check must start with '/'`;
      }
      break;
    case 'TCP':
      if (!check.tcp) return "Expecting 'tcp' to be set for TCP health check";
      break;
    default:
      return `'${check.type}' is not a valid health check type`;
  }
  const negative = (
    ['delay_seconds', 'grace_period_seconds', 'interval_seconds', 'timeout_seconds'] as const
  ).find((field) => (check[field] ?? 0) < 0);
  return negative ? `Expecting '${negative}' to be non-negative` : undefined;
}

/** `validation::framework::validateUpdate`: what a framework may not change about itself. */
export function validateFrameworkUpdate(
  old: FrameworkInfo,
  next: FrameworkInfo,
): string | undefined {
  if (old.principal !== next.principal) return "Changing framework's principal is not allowed.";
  if (old.user !== next.user) {
    return `Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${old.user}' to '${next.user}'`;
  }
  const before = old.checkpoint ?? false;
  const after = next.checkpoint ?? false;
  if (before !== after) {
    return `Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${before}' to '${after}'`;
  }
  return undefined;
}

/** `validateSuppressedRoles`: suppressed roles must be among the framework's roles. */
export function validateSuppressedRoles(roles: string[], suppressed: string[]): string | undefined {
  const known = new Set(roles);
  const invalid = [...new Set(suppressed.filter((role) => !known.has(role)))].sort();
  if (invalid.length === 0) return undefined;
  return `Suppressed roles { ${invalid.join(', ')} } are not contained in the set of roles`;
}
