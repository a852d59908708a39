/**
 * Checkpoints of the L2 state. While one is open every change is journaled with the value it
 * replaced, so that rolling back restores the state exactly; with none open nothing is recorded.
 * Checkpoints nest: the challenger holds one per batch still in its challenge window, and one
 * per commitment. An observer (a node's state history, src/chain/history.ts) may also be handed
 * every change as it is made, checkpoint or not: the value each change replaced is what it keeps.
 */
import { CairnError } from "./errors";

/** One change to the state, with what it replaced. */
export type JournalEntry =
  | { kind: "balance"; index: number; old: bigint }
  | { kind: "nonce"; index: number; old: bigint }
  | { kind: "token"; index: number; tokenId: number; old: bigint }
  | { kind: "allowance"; index: number; key: number; old: bigint }
  | { kind: "code"; index: number; old: Buffer }
  | { kind: "storage"; index: number; slot: bigint; old: bigint }
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

/** Where a change is recorded: the open checkpoints' entries, the observer, or both. */
export interface ChangeSink {
  push(entry: JournalEntry): unknown;
}

export class Journal {
  private entries: JournalEntry[] | null = null;
  private readonly open: Checkpoint[] = [];
  private observer: ((entry: JournalEntry) => void) | null = null;
  private sink: ChangeSink | null = null;

  /**
   * Where to record a change, or null while no checkpoint is open and nothing observes: callers
   * write `journal.recording?.push(…)`, so that no entry is even built then.
   */
  get recording(): ChangeSink | null {
    return this.sink;
  }

  /** Hands `observer` every change from now on, before it is made (null: stop). */
  observe(observer: ((entry: JournalEntry) => void) | null): void {
    this.observer = observer;
    this.updateSink();
  }

  private updateSink(): void {
    const entries = this.entries;
    const observer = this.observer;
    if (!observer) this.sink = entries;
    else if (!entries) this.sink = { push: observer };
    else
      this.sink = {
        push: (e: JournalEntry) => {
          entries.push(e);
          observer(e);
        },
      };
  }

  /** Opens a checkpoint at the state's current counters. */
  checkpoint(queueIndex: bigint, withdrawalCount: bigint): Checkpoint {
    if (!this.entries) {
      this.entries = [];
      this.updateSink();
    }
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
    if (this.open.length === 0) this.close();
  }

  /** Keeps the changes made since `cp` and closes it (checkpoints opened after it stay open). */
  release(cp: Checkpoint): void {
    const at = this.open.indexOf(cp);
    if (at < 0) throw new CheckpointNotOpenError("release");
    this.open.splice(at, 1);
    if (this.open.length === 0) this.close();
  }

  private close(): void {
    this.entries = null;
    this.updateSink();
  }
}
