/**
 * The path status updates take from agents to the master, where faults can be injected on
 * demand: lose, duplicate, delay or reorder the next N updates. Lost updates are not lost for
 * good — the agent retries until acknowledged — which is exactly what a scheduler must cope
 * with.
 */
import type { Clock, Timer } from '../clock.ts';

export type UpdateFault =
  | { kind: 'lose'; count: number }
  | { kind: 'duplicate'; count: number }
  | { kind: 'reorder'; count: number }
  | { kind: 'delay'; count: number; delayMs: number };

export function parseUpdateFault(input: unknown): UpdateFault | string {
  const body = (input ?? {}) as Record<string, unknown>;
  const count = body.count ?? 1;
  if (!Number.isInteger(count) || (count as number) < 1)
    return "'count' must be a positive integer";
  switch (body.kind) {
    case 'lose':
    case 'duplicate':
    case 'reorder':
      return { kind: body.kind, count: count as number };
    case 'delay': {
      const delayMs = body.delay_ms;
      if (typeof delayMs !== 'number' || delayMs < 0) return "'delay_ms' must be a number >= 0";
      return { kind: 'delay', count: count as number, delayMs };
    }
    default:
      return "'kind' must be one of lose, duplicate, delay, reorder";
  }
}

// A reordered update waits for the next one, but not forever.
const maxHoldMs = 1000;

export class UpdateChannel {
  private faults: UpdateFault[] = [];
  private held: { send: () => void; timer: Timer } | undefined;
  /** Updates affected so far, by kind. */
  readonly affected = { lose: 0, duplicate: 0, reorder: 0, delay: 0 };

  constructor(private readonly clock: Clock) {}

  inject(fault: UpdateFault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults = [];
    this.release();
  }

  get pending(): readonly UpdateFault[] {
    return this.faults;
  }

  deliver(send: () => void): void {
    const fault = this.faults[0];
    if (!fault) {
      send();
      return this.release();
    }
    if (--fault.count <= 0) this.faults.shift();
    this.affected[fault.kind]++;
    switch (fault.kind) {
      case 'lose':
        return;
      case 'duplicate':
        send();
        send();
        return this.release();
      case 'delay':
        this.clock.setTimeout(send, fault.delayMs);
        return;
      case 'reorder':
        if (this.held) {
          send();
          return this.release();
        }
        this.held = { send, timer: this.clock.setTimeout(() => this.release(), maxHoldMs) };
        return;
    }
  }

  private release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    held.timer.cancel();
    held.send();
  }
}
