/**
 * One error hierarchy for all of meseta. Errors are values with a machine-readable `code`, a
 * message a person can act on, and where the problem is: a file position, an object field path,
 * or both. Nothing user-facing should print a stack trace for one of these.
 */

/** Where a problem is. Every part is optional; `format` prints what is known. */
export interface Where {
  file?: string;
  line?: number;
  column?: number;
  /** Field path inside the object, e.g. `spec.upgradeStrategy.minimumHealthCapacity`. */
  path?: string;
}

export class MesetaError extends Error {
  readonly code: string;
  readonly where: Where;

  constructor(code: string, message: string, where: Where = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.where = where;
  }

  /** `manifests/web.yaml:14:7 spec.upgradeStrategy.minimumHealthCapacity: must be <= 1` */
  format(): string {
    return formatProblem(this.where, this.message);
  }
}

/** Renders a location and a message the way every meseta command prints problems. */
export function formatProblem(where: Where, message: string): string {
  let position = where.file ?? '';
  if (where.file && where.line !== undefined) {
    position += `:${where.line}`;
    if (where.column !== undefined) position += `:${where.column}`;
  }
  const prefix = [position, where.path].filter(Boolean).join(' ');
  return prefix ? `${prefix}: ${message}` : message;
}

/** The user's input is wrong; `problems` lists every problem found, not only the first. */
export class ValidationError extends MesetaError {
  readonly problems: readonly MesetaError[];

  constructor(problems: readonly MesetaError[]) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super('Invalid', `${first ? first.format() : 'invalid input'}${more}`, first?.where ?? {});
    this.problems = problems;
  }

  override format(): string {
    return this.problems.map((p) => p.format()).join('\n');
  }
}

/** The command line was used wrongly (exit code 2 by convention). */
export class UsageError extends MesetaError {
  constructor(message: string) {
    super('Usage', message);
  }
}
