/**
 * A node's persistent store (LevelDB, through classic-level): the L2 blocks with their receipts,
 * the account state, and the batch records, so a restart loads where it stopped instead of
 * replaying every batch from L1. Each block is written in one atomic LevelDB batch together
 * with the accounts it changed and the state's counters, so the stored state is always the
 * post-state of the stored tip. Writes are serialized at append time and applied in order in
 * the background; the transaction journal (fsync'd) remains what makes acceptance durable. With
 * each block goes its state-history record (chain/history.ts), in the same batch, so that reads
 * at past blocks and proofs survive a restart; records older than the history keeps are cleared.
 */
import { LevelWorker, type LevelPut } from "./levelWorker";
import type { L2State, StateMeta } from "../../core/state";
import type { BatchRecord, L2Block } from "../../chain/chainStore";
import { accountFromRecord, accountRecord, blockFromRecord, blockRecord } from "./records";
import { CairnError } from "../../core/errors";

/**
 * 2: explicit records (storeRecords.ts); 3: state roots over depth-24 token trees (24-bit token
 * ids), so a format-2 store's block roots are not this code's; 4: account leaves commit to an
 * allowance root and account records carry allowances, so a format-3 store's roots are not this
 * code's either. A store of another format is cleared and rebuilt from L1.
 */
const FORMAT = 4;
const pad = (n: number) => n.toString().padStart(12, "0");
/** History records are cleared this many blocks at a time: a range delete walks its keys, so not at every block. */
const HISTORY_CLEAR_STEP = 1024;

interface StoredMeta {
  format: number;
  chainId: string;
  rollup: string;
  /** The newest stored block (-1: the node stores no blocks, only state). */
  tip: number;
  state: { accountCount: number; tokens: string[]; queueIndex: string; withdrawalCount: string };
  /** What else the node needs to resume (the challenger: batches applied, L1 cursor). */
  extra?: Record<string, number | string>;
}

/** The data directory's store could not be opened: most often another node holds its lock. */
export class StoreOpenError extends CairnError {
  override readonly name = "StoreOpenError";
  readonly code = "STORE_OPEN";
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(`cannot open the node store in ${dir}: ${(cause as Error).message}; is another node using this data directory?`, { cause });
  }
}

/** The data directory holds the store of another rollup (or another L2 chain). */
export class StoreOfAnotherRollupError extends CairnError {
  override readonly name = "StoreOfAnotherRollupError";
  readonly code = "STORE_OF_ANOTHER_ROLLUP";
  constructor(
    readonly storedRollup: string,
    readonly storedChainId: string,
    readonly rollup: string,
  ) {
    super(`the data directory belongs to rollup ${storedRollup} (L2 chain ${storedChainId}), not ${rollup}`);
  }
}

export interface Restored {
  state: L2State;
  blocks: L2Block[];
  batches: BatchRecord[];
  /** The state-history records kept, oldest first (none from a store written before they were). */
  history: string[];
  extra: Record<string, number | string>;
}

export class NodeStore {
  private writing: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  /** History records before this block have been cleared. */
  private historyClearedTo = 0;

  private constructor(
    private readonly db: LevelWorker,
    private readonly identity: { chainId: bigint; rollup: string },
  ) {}

  /** Opens (creating) the store in `dir` for the rollup `identity` names. */
  static async open(dir: string, identity: { chainId: bigint; rollup: string }): Promise<NodeStore> {
    try {
      return new NodeStore(await LevelWorker.open(dir), identity);
    } catch (e) {
      // Whatever stops the database opening (LevelDB's words, or the worker's), in the node's terms.
      throw new StoreOpenError(dir, e);
    }
  }

  /** What the store holds, or null when it is empty. Throws if it belongs to another rollup. */
  async load(restoreState: (accounts: Parameters<typeof L2State.restore>[0], meta: StateMeta) => L2State): Promise<Restored | null> {
    const metaText = await this.db.get("meta");
    if (metaText === undefined) return null;
    const meta = JSON.parse(metaText) as StoredMeta;
    if (meta.format !== FORMAT) {
      // Everything in the store can be had again from L1: start over rather than refuse to run.
      await this.db.clear();
      return null;
    }
    if (meta.chainId !== this.identity.chainId.toString() || meta.rollup.toLowerCase() !== this.identity.rollup.toLowerCase()) {
      throw new StoreOfAnotherRollupError(meta.rollup, meta.chainId, this.identity.rollup);
    }
    const accounts = (await this.db.values({ gte: "acct:", lt: "acct;", limit: meta.state.accountCount })).map(accountFromRecord);
    const state = restoreState(accounts, { accountCount: meta.state.accountCount, tokens: meta.state.tokens, queueIndex: BigInt(meta.state.queueIndex), withdrawalCount: BigInt(meta.state.withdrawalCount) });
    // Keys are zero-padded numbers, so blocks come in order: at most the first tip + 1.
    const blockRecords = meta.tip < 0 ? [] : await this.db.values({ gte: "block:", lt: "block;", limit: meta.tip + 1 });
    const blocks = blockRecords.map((v) => blockFromRecord(v, this.identity.chainId)).filter((b) => b.number <= meta.tip);
    const batches = (await this.db.values({ gte: "batch:", lt: "batch;" })).map((v) => JSON.parse(v) as BatchRecord);
    const history = meta.tip < 0 ? [] : await this.db.values({ gte: "hist:", lt: "hist;" });
    return { state, blocks, batches: batches.filter((r) => r.lastBlock <= meta.tip), history, extra: meta.extra ?? {} };
  }

  /**
   * Queues block `block` (just appended; `state` is its post-state) with the accounts it changed
   * and, given one, its state-history record; records before `history.oldest` are cleared.
   */
  saveBlock(block: L2Block, state: L2State, extra?: Record<string, number | string>, history?: { record: string; oldest: number }): void {
    const ops = this.stateOps(state, block.number, extra);
    ops.unshift({ key: `block:${pad(block.number)}`, value: blockRecord(block) });
    if (history) ops.push({ key: `hist:${pad(block.number)}`, value: history.record });
    this.enqueue(() => this.db.putAll(ops));
    if (history && history.oldest - this.historyClearedTo >= HISTORY_CLEAR_STEP) {
      const to = (this.historyClearedTo = history.oldest);
      this.enqueue(() => this.db.clear({ gte: "hist:", lt: `hist:${pad(to)}` }));
    }
  }

  /** Queues the accounts changed since the last save, the state's counters and `extra`, for a node that keeps no blocks. */
  saveState(state: L2State, extra: Record<string, number | string>): void {
    const ops = this.stateOps(state, -1, extra);
    this.enqueue(() => this.db.putAll(ops));
  }

  private stateOps(state: L2State, tip: number, extra: Record<string, number | string> | undefined): LevelPut[] {
    const ops: LevelPut[] = [];
    for (const i of state.takeChanges()) {
      const a = state.peek(i)!;
      ops.push({ key: `acct:${pad(i)}`, value: accountRecord(a) });
    }
    const m = state.snapshotMeta();
    const meta: StoredMeta = {
      format: FORMAT,
      chainId: this.identity.chainId.toString(),
      rollup: this.identity.rollup,
      tip,
      state: { accountCount: m.accountCount, tokens: m.tokens, queueIndex: m.queueIndex.toString(), withdrawalCount: m.withdrawalCount.toString() },
      extra,
    };
    ops.push({ key: "meta", value: JSON.stringify(meta) });
    return ops;
  }

  /** Mirrors a ChainStore batch change: a record added, or records from an index dropped. */
  saveBatchChange(recorded: BatchRecord | null, droppedFrom: number | null): void {
    if (recorded) this.enqueue(() => this.db.put(`batch:${pad(recorded.index)}`, JSON.stringify(recorded)));
    if (droppedFrom !== null) this.enqueue(() => this.db.clear({ gte: `batch:${pad(droppedFrom)}`, lt: "batch;" }));
  }

  /** Empties the store (before rebuilding from L1 when it does not line up with L1). */
  clear(): void {
    this.historyClearedTo = 0;
    this.enqueue(() => this.db.clear());
  }

  /** Waits for every queued write; throws the first that failed. */
  async flush(): Promise<void> {
    await this.writing;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.writing;
    await this.db.close();
  }

  private enqueue(write: () => Promise<unknown>): void {
    this.writing = this.writing.then(async () => {
      if (this.failure) return;
      try {
        await write();
      } catch (e) {
        // Any failed write is kept for flush() to throw, and the writes after it are skipped:
        // the store never holds a block written after one that was lost.
        this.failure = e as Error;
      }
    });
  }
}

/**
 * Whether L1 still holds the queue a stored state consumed: the accumulator of its last entry
 * (`head`, "" for none) against the Bridge's. A store from another chain that happens to have
 * the same addresses (a restarted devnet), or from before a deep reorg, fails this.
 */
export async function queueHeadOnL1(bridge: { queueLength(): Promise<bigint>; queueAccumulator(i: bigint): Promise<string> }, consumed: bigint, head: string | number | undefined): Promise<boolean> {
  if (consumed === 0n) return true;
  if (typeof head !== "string" || (await bridge.queueLength()) < consumed) return false;
  return (await bridge.queueAccumulator(consumed - 1n)).toLowerCase() === head.toLowerCase();
}
