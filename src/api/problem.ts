/**
 * A problem found in an object, before it is tied to a file: the field path it concerns, the
 * message, and which part of the source the position should point at (the field's key — for
 * unknown fields —, its value, or the enclosing object — for missing fields). `locate` turns it
 * into the MesetaError every command prints.
 */
import { MesetaError } from '../errors.ts';
import type { FieldPath } from './field-path.ts';
import { formatPath } from './field-path.ts';
import type { SourcePositions } from './positions.ts';

export interface Problem {
  path: FieldPath;
  message: string;
  /** `value` (default): the offending value; `key`: the field's name; `parent`: the enclosing object. */
  anchor?: 'value' | 'key' | 'parent';
}

export interface ProblemSource {
  file?: string;
  positions?: SourcePositions;
}

export function locate(problem: Problem, source: ProblemSource = {}): MesetaError {
  const { positions, file } = source;
  const anchor = problem.anchor ?? 'value';
  const position =
    anchor === 'parent'
      ? positions?.valueAt(problem.path.slice(0, -1))
      : anchor === 'key'
        ? positions?.keyAt(problem.path)
        : positions?.valueAt(problem.path);
  return new MesetaError('Invalid', problem.message, {
    ...(file !== undefined ? { file } : {}),
    ...(position ? { line: position.line, column: position.column } : {}),
    ...(problem.path.length > 0 ? { path: formatPath(problem.path) } : {}),
  });
}

/** Orders errors by where they are in the file, so output reads top to bottom. */
export function byPosition(a: MesetaError, b: MesetaError): number {
  return (
    (a.where.line ?? 0) - (b.where.line ?? 0) ||
    (a.where.column ?? 0) - (b.where.column ?? 0) ||
    (a.where.path ?? '').localeCompare(b.where.path ?? '')
  );
}
