/**
 * Coalesces change notifications into placement rounds: any number of `poke()`s while a round
 * waits or runs make exactly one next round, started `settleMs` after the first poke of the
 * burst, so 10,000 instance events cost a few rounds, not 10,000.
 */
import type { Clock } from '../../clock.ts';

export class RoundTrigger {
  #dirty = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly settleMs: number,
  ) {}

  /** Something changed: a round should run (again). */
  poke(): void {
    this.#dirty = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Resolves when a round should start: after a poke, once the burst has had `settleMs` to
   * settle. Resolves false when `signal` aborts.
   */
  async next(signal: AbortSignal): Promise<boolean> {
    while (!this.#dirty) {
      if (signal.aborted) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.#wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
    if (this.settleMs > 0) {
      try {
        await this.clock.sleep(this.settleMs, signal);
      } catch {
        return false;
      }
    }
    if (signal.aborted) return false;
    this.#dirty = false;
    return true;
  }
}
