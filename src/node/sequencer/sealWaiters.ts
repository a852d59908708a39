/**
 * Requests waiting for the open block to be sealed: a receipt asked for while its transaction is
 * in the block being built is answered once that block is sealed, so a wallet's first look after
 * sending finds it (see L2Backend.untilSealed).
 */
export class SealWaiters {
  // A set: a waiter that times out leaves it in O(1), so many timing out at once (no block
  // sealed for a while) cost linear time, not quadratic.
  private readonly waiting = new Set<() => void>();

  /** Resolves at the next {@link release}, or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.waiting;
      const timer = setTimeout(done, timeoutMs);
      waiting.add(done);
      function done() {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      }
    });
  }

  /** A block was sealed: every waiter goes. */
  release(): void {
    const all = [...this.waiting];
    this.waiting.clear();
    for (const done of all) done();
  }
}
