/**
 * Requests waiting for the open block to be sealed: a receipt asked for while its transaction is
 * in the block being built is answered once that block is sealed, so a wallet's first look after
 * sending finds it (see L2Backend.untilSealed).
 */
export class SealWaiters {
  private waiting: Array<() => void> = [];

  /** Resolves at the next {@link release}, or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.waiting;
      const timer = setTimeout(done, timeoutMs);
      waiting.push(done);
      function done() {
        clearTimeout(timer);
        const at = waiting.indexOf(done);
        if (at >= 0) waiting.splice(at, 1);
        resolve();
      }
    });
  }

  /** A block was sealed: every waiter goes. */
  release(): void {
    for (const done of this.waiting.splice(0)) done();
  }
}
