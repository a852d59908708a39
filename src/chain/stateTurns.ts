/**
 * Turns at a node's live L2 state once the engine yields mid-run (eventLoop.ts): simulations
 * (eth_call, eth_estimateGas) read the state lazily over many event-loop turns, so nothing may
 * change it under them; what changes it (a transaction, an L1 queue entry, a batch replayed)
 * waits for the reads under way, and reads asked for after it wait for it, so that a stream of
 * simulations cannot hold the chain back. Reads run side by side up to a cap; past a queue
 * limit, more are refused at once (OverloadedError) rather than held.
 */
import { OverloadedError } from "../core/errors";

export interface StateTurnLimits {
  /** Reads running at once. */
  readers: number;
  /** Reads waiting, past which another is refused. */
  queuedReaders: number;
}

export const DEFAULT_STATE_TURN_LIMITS: StateTurnLimits = { readers: 2, queuedReaders: 64 };

export class StateTurns {
  private reading = 0;
  private writing = false;
  private readonly writers: Array<() => void> = [];
  private readonly readers: Array<() => void> = [];

  constructor(private readonly limits: StateTurnLimits = DEFAULT_STATE_TURN_LIMITS) {}

  /** Runs `task`, which only reads the state, once no change is under way or waiting. */
  async read<T>(task: () => Promise<T>): Promise<T> {
    if (this.writing || this.writers.length > 0 || this.reading >= this.limits.readers) {
      if (this.readers.length >= this.limits.queuedReaders) throw new OverloadedError(`${this.readers.length} simulations are waiting for the state; try again shortly`);
      await new Promise<void>((resolve) => this.readers.push(resolve));
    } else {
      this.reading++;
    }
    try {
      return await task();
    } finally {
      this.reading--;
      this.next();
    }
  }

  /** Runs `task`, which changes the state, alone: once the reads under way have ended. */
  async write<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.writing || this.reading > 0 || this.writers.length > 0) await new Promise<void>((resolve) => this.writers.push(resolve));
    else this.writing = true;
    try {
      return await task();
    } finally {
      this.writing = false;
      this.next();
    }
  }

  /** Hands the state to whoever is next: a waiting change first, else waiting reads up to the cap. */
  private next(): void {
    if (this.writing) return;
    if (this.writers.length > 0) {
      if (this.reading > 0) return;
      this.writing = true;
      this.writers.shift()!();
      return;
    }
    while (this.readers.length > 0 && this.reading < this.limits.readers) {
      this.reading++;
      this.readers.shift()!();
    }
  }
}
