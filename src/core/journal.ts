/**
 * Checkpoints of the L2 state. While one is open every change is journaled with the value it
 * replaced, so that rolling back restores the state exactly; with none open nothing is recorded.
 * Checkpoints nest: the challenger holds one per batch still in its challenge window, and one
 * per commitment.
 */
import { CairnError } from "./errors";

/** One change to the state, with what it replaced. */
export type JournalEntry =
  | { kind: "balance"; index: number; old: bigint }
  | { kind: "nonce"; index: number; old: bigint }
  | { kind: "token"; index: number; tokenId: number; old: bigint }
  | { kind: "create"; index: number }
  | { kind: "register" };

/** A point the state can be rolled back to. */
export interface Checkpoint {
  readonly journalLength: number;
  readonly queueIndex: bigint;
  readonly withdrawalCount: bigint;
}

/** A rollback or release of a checkpoint already closed (or never opened on this state). */
export class CheckpointNotOpenError extends CairnError {
  override readonly name = "CheckpointNotOpenError";
  readonly code = "CHECKPOINT_NOT_OPEN";
  constructor(readonly action: "rollback" | "release") {
    super(action === "rollback" ? "rollback to a checkpoint that is not open" : "release of a checkpoint that is not open");
  }
}

export class Journal {
  private entries: JournalEntry[] | null = null;
  private readonly open: Checkpoint[] = [];

  /**
   * Where to record a change, or null while no checkpoint is open: callers write
   * `journal.recording?.push(…)`, so that no entry is even built then.
   */
  get recording(): JournalEntry[] | null {
    return this.entries;
  }

  /** Opens a checkpoint at the state's current counters. */
  checkpoint(queueIndex: bigint, withdrawalCount: bigint): Checkpoint {
    if (!this.entries) this.entries = [];
    const cp = { journalLength: this.entries.length, queueIndex, withdrawalCount };
    this.open.push(cp);
    return cp;
  }

  /**
   * Hands `undo` every change made since `cp`, newest first, and closes `cp` and every
   * checkpoint opened after it. The caller restores the counters `cp` holds.
   */
  rollback(cp: Checkpoint, undo: (e: JournalEntry) => void): void {
    const at = this.open.indexOf(cp);
    const entries = this.entries;
    if (at < 0 || !entries) throw new CheckpointNotOpenError("rollback");
    while (entries.length > cp.journalLength) undo(entries.pop()!);
    this.open.length = at;
    if (this.open.length === 0) this.entries = null;
  }

  /** Keeps the changes made since `cp` and closes it (checkpoints opened after it stay open). */
  release(cp: Checkpoint): void {
    const at = this.open.indexOf(cp);
    if (at < 0) throw new CheckpointNotOpenError("release");
    this.open.splice(at, 1);
    if (this.open.length === 0) this.entries = null;
  }
}
