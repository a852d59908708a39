/**
 * The L1 queue as a node has learned it: deposits, token registrations and forced withdrawals,
 * each at its index, in the order the Bridge appended them. Operations consume it by index.
 */
import type { QueueEntry } from "../core/queueOps";
import { CairnError } from "../core/errors";

/** A queue entry as L1's event carries it: with the Bridge's running accumulator after it. */
export interface L1QueueEntry extends QueueEntry {
  l1Sender: string;
  accumulator: string;
  l1Block: number;
}

/** Entries arrived out of order: one is missing before them (an L1 read that skipped blocks). */
export class QueueGapError extends CairnError {
  override readonly name = "QueueGapError";
  readonly code = "QUEUE_GAP";
  constructor(
    readonly got: bigint,
    readonly expected: bigint,
  ) {
    super("L1 queue entries out of order", { details: `got entry ${got}, expected ${expected}` });
  }
}

export class L1Queue {
  private readonly entries: QueueEntry[] = [];

  /** How many entries are known. */
  get length(): number {
    return this.entries.length;
  }

  /** Entry `index`, if known. */
  entry(index: bigint): QueueEntry | undefined {
    return this.entries[Number(index)];
  }

  /** Takes in entries read from L1 in order; those already known are skipped. Throws QueueGapError at a gap. */
  learn(entries: readonly QueueEntry[]): void {
    for (const e of entries) {
      if (e.index < BigInt(this.entries.length)) continue;
      if (e.index !== BigInt(this.entries.length)) throw new QueueGapError(e.index, BigInt(this.entries.length));
      this.entries.push(e);
    }
  }

  /**
   * The accumulator of the last of the first `consumed` entries ("" for none): what a store
   * keeps to tell, after a restart, whether L1 still has the queue its state consumed.
   */
  headAfter(consumed: bigint): string {
    if (consumed === 0n) return "";
    return (this.entries[Number(consumed - 1n)] as Partial<L1QueueEntry> | undefined)?.accumulator ?? "";
  }
}
