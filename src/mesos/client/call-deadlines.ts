/**
 * Deadlines for the client's calls in flight, all with the same timeout, on one timer. Calls
 * join in the order they start, which is also the order of their deadlines, so the timer only
 * ever waits for the oldest: when it fires, every call past its deadline is aborted with a
 * MasterUnreachableError and the timer is set for the next. Stopping the client aborts them
 * all. This replaces a timer, an AbortController and an abort listener per call, which at
 * thousands of acknowledgements in flight cost more than the calls themselves (a listener on a
 * shared AbortSignal is added in time linear in the listeners already there).
 */
import { realClock, type Clock, type Timer } from '../../clock.ts';
import { MasterUnreachableError } from './errors.ts';

/** One call in flight; the transport sets `onAbort` to cancel its request. */
export interface PendingCall {
  readonly what: string;
  readonly deadlineAt: number;
  /** Why the call was aborted (timeout or stop), once it was. */
  reason: Error | undefined;
  onAbort: ((reason: Error) => void) | undefined;
}

export class CallDeadlines {
  // Insertion order is deadline order: every call gets the same timeout.
  private readonly pending = new Set<PendingCall>();
  private timer: Timer | undefined;
  private readonly now: () => number;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {
    // Deadlines are compared with the time the timer fires at. Real timers run on monotonic
    // time, so the real clock's deadlines must too: a wall-clock step (NTP) would otherwise
    // abort every call in flight at once, or leave them hanging for as long as the step.
    this.now = clock === realClock ? () => performance.now() : () => clock.now();
  }

  /** Starts the clock for a call; `what` begins the timeout's message (`REVIVE to http://m1`). */
  start(what: string): PendingCall {
    const call: PendingCall = {
      what,
      deadlineAt: this.now() + this.timeoutMs,
      reason: undefined,
      onAbort: undefined,
    };
    this.pending.add(call);
    if (!this.timer) this.schedule(this.timeoutMs);
    return call;
  }

  /** The call has its answer (or failed on its own): its deadline no longer matters. */
  finish(call: PendingCall): void {
    this.pending.delete(call);
    // Nothing left to watch: let an idle process exit rather than wait for a stale timer.
    if (this.pending.size === 0) this.cancelTimer();
  }

  /** Aborts every call in flight with `reason`. */
  abortAll(reason: Error): void {
    this.cancelTimer();
    const calls = [...this.pending];
    this.pending.clear();
    for (const call of calls) abort(call, reason);
  }

  get size(): number {
    return this.pending.size;
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.expire(), ms);
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private expire(): void {
    this.timer = undefined;
    const now = this.now();
    for (const call of this.pending) {
      if (call.deadlineAt > now) return this.schedule(call.deadlineAt - now);
      this.pending.delete(call);
      abort(
        call,
        new MasterUnreachableError(`${call.what}: no answer within ${this.timeoutMs} ms`),
      );
    }
  }
}

function abort(call: PendingCall, reason: Error): void {
  if (call.reason) return;
  call.reason = reason;
  call.onAbort?.(reason);
}
