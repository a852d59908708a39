/**
 * The L2 chain as the node serves it: blocks (one per commitment), transactions and receipts,
 * and which batch each block was posted in. In memory; a node with a data directory mirrors it
 * to its NodeStore (blocks as they are appended, batch records as they change).
 */
import { keccak256 } from "../core/hash";
import type { SealedBlock } from "../core/blockBuilder";
import type { TxResult } from "../core/execute";
import { emptyBlockHash, type Withdrawal } from "../core/hashing";
import { encodeEmptyRun } from "../core/commitment";
import { CairnError } from "../core/errors";

export interface L2Block {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  stateRoot: string;
  baseFee: bigint;
  feeRecipient: string;
  gasUsed: bigint;
  transactions: TxResult[];
  /** The packed commitment body posted to L1 (empty for genesis). */
  body: Buffer;
  withdrawals: Withdrawal[];
  /** L1 queue entries consumed after this block. */
  queueIndex: bigint;
  /** The batch that posted this block, once posted. */
  batchIndex: number | null;
}

/**
 * A chain loaded from a store that cannot be taken over as it is: blocks and batch records that
 * are not one chain from genesis, a state that is not the tip's, or a chain that already runs.
 */
export class RestoredChainError extends CairnError {
  override readonly name = "RestoredChainError";
  readonly code = "RESTORED_CHAIN";
  constructor(
    readonly problem: "no-genesis" | "block-out-of-place" | "batch-beyond-tip" | "state-not-at-tip" | "chain-not-empty",
    message: string,
    /** The height at which the blocks (or the block a batch record names) went wrong. */
    readonly height: number,
  ) {
    super(message);
  }
}

export interface TxLocation {
  blockNumber: number;
  index: number;
  /** Index of the transaction's first log within its block. */
  firstLogIndex: number;
}

export interface BatchRecord {
  index: number;
  firstBlock: number;
  lastBlock: number;
  l1TxHash: string;
  l1Block: number;
  /**
   * A batch over several blobs: each blob's L2 blocks, in order. Its withdrawal root is a tree
   * of the blobs' trees, so a withdrawal's proof needs the split (proveWithdrawal).
   */
  blobBlocks?: number[];
}

const hex = (b: Buffer) => "0x" + b.toString("hex");

export class ChainStore {
  readonly blocks: L2Block[] = [];
  readonly batches: BatchRecord[] = [];
  private readonly byHash = new Map<string, number>();
  private readonly txIndex = new Map<string, TxLocation>();
  /** Withdrawal id → the block that made it (forced withdrawals included: they have no transaction). */
  private readonly withdrawalIndex = new Map<bigint, number>();
  private readonly batchListeners: Array<(recorded: BatchRecord | null, droppedFrom: number | null) => void> = [];

  constructor(genesisStateRoot: Buffer, genesisTimestamp = 0) {
    this.push({
      number: 0,
      hash: hex(keccak256(Buffer.concat([Buffer.from("cairn:genesis"), genesisStateRoot]))),
      parentHash: "0x" + "00".repeat(32),
      timestamp: genesisTimestamp,
      stateRoot: hex(genesisStateRoot),
      baseFee: 0n,
      feeRecipient: "0x" + "00".repeat(20),
      gasUsed: 0n,
      transactions: [],
      body: Buffer.alloc(0),
      withdrawals: [],
      queueIndex: 0n,
      batchIndex: 0,
    });
  }

  get latest(): L2Block {
    return this.blocks[this.blocks.length - 1];
  }

  /** Appends a sealed commitment as the next block. */
  append(sealed: SealedBlock, feeRecipient: string, queueIndex: bigint): L2Block {
    const transactions = sealed.results.filter((r): r is TxResult => r.type === "tx");
    const block: L2Block = {
      number: this.blocks.length,
      hash: hex(sealed.hash),
      parentHash: this.latest.hash,
      timestamp: sealed.commitment.timestamp,
      stateRoot: hex(sealed.postStateRoot),
      baseFee: sealed.commitment.baseFee,
      feeRecipient,
      gasUsed: transactions.reduce((sum, t) => sum + t.gasUsed, 0n),
      transactions,
      body: sealed.body,
      withdrawals: sealed.withdrawals,
      queueIndex,
      batchIndex: null,
    };
    this.push(block);
    return block;
  }

  /**
   * Appends an empty block at `timestamp`: nothing changes, so it keeps its parent's state root,
   * base fee and fee recipient (every node derives the same from L1, where a run carries none).
   */
  appendEmpty(timestamp: number, queueIndex: bigint): L2Block {
    const parent = this.latest;
    const number = this.blocks.length;
    const block: L2Block = {
      number,
      hash: hex(emptyBlockHash(Buffer.from(parent.hash.slice(2), "hex"), number, timestamp)),
      parentHash: parent.hash,
      timestamp,
      stateRoot: parent.stateRoot,
      baseFee: parent.baseFee,
      feeRecipient: parent.feeRecipient,
      gasUsed: 0n,
      transactions: [],
      body: encodeEmptyRun({ blocks: 1, timestamp }),
      withdrawals: [],
      queueIndex,
      batchIndex: null,
    };
    this.push(block);
    return block;
  }

  block(number: number): L2Block | undefined {
    return this.blocks[number];
  }

  blockByHash(hash: string): L2Block | undefined {
    const n = this.byHash.get(hash.toLowerCase());
    return n === undefined ? undefined : this.blocks[n];
  }

  /** Whether the chain holds transaction `hash` (lower-case, as this node computes hashes). */
  hasTx(hash: string): boolean {
    return this.txIndex.has(hash);
  }

  tx(hash: string): { block: L2Block; location: TxLocation; result: TxResult } | undefined {
    const location = this.txIndex.get(hash.toLowerCase());
    if (!location) return undefined;
    const block = this.blocks[location.blockNumber];
    return { block, location, result: block.transactions[location.index] };
  }

  /** Blocks not yet posted in a batch, oldest first. */
  unbatched(): L2Block[] {
    const out: L2Block[] = [];
    for (let n = this.blocks.length - 1; n > 0 && this.blocks[n].batchIndex === null; n--) out.unshift(this.blocks[n]);
    return out;
  }

  /** Batches from `index` on were reverted on L1: their blocks are unposted again. */
  dropBatchesFrom(index: number): BatchRecord[] {
    const dropped = this.batches.splice(index);
    for (const r of dropped) for (let n = r.firstBlock; n <= r.lastBlock; n++) this.blocks[n].batchIndex = null;
    if (dropped.length) for (const l of this.batchListeners) l(null, index);
    return dropped;
  }

  recordBatch(record: BatchRecord): void {
    for (let n = record.firstBlock; n <= record.lastBlock; n++) this.blocks[n].batchIndex = record.index;
    this.batches.push(record);
    for (const l of this.batchListeners) l(record, null);
  }

  /** Calls `listener` when a batch is recorded (record) or batches from an index are dropped (index). */
  onBatchesChanged(listener: (recorded: BatchRecord | null, droppedFrom: number | null) => void): void {
    this.batchListeners.push(listener);
  }

  /** Replaces the whole chain with `blocks` (from genesis) and their batch records: a restart from a store. */
  restore(blocks: L2Block[], batches: BatchRecord[]): void {
    if (blocks.length === 0 || blocks[0].number !== 0) throw new RestoredChainError("no-genesis", "a restored chain starts at genesis", 0);
    blocks.forEach((b, i) => {
      if (b.number !== i) throw new RestoredChainError("block-out-of-place", `restored block ${b.number} at height ${i}`, i);
    });
    const beyond = batches.find((r) => r.lastBlock >= blocks.length);
    if (beyond) throw new RestoredChainError("batch-beyond-tip", "a restored batch record names a block the chain does not hold", beyond.lastBlock);
    this.blocks.length = 0;
    this.batches.length = 0;
    this.byHash.clear();
    this.txIndex.clear();
    this.withdrawalIndex.clear();
    for (const b of blocks) this.push({ ...b, batchIndex: null });
    for (const r of batches) {
      for (let n = r.firstBlock; n <= r.lastBlock; n++) this.blocks[n].batchIndex = r.index;
      this.batches.push(r);
    }
  }

  /** The block whose state transition made withdrawal `id`. */
  blockOfWithdrawal(id: bigint): L2Block | undefined {
    const n = this.withdrawalIndex.get(id);
    return n === undefined ? undefined : this.blocks[n];
  }

  private push(block: L2Block): void {
    this.blocks.push(block);
    this.byHash.set(block.hash, block.number);
    for (const w of block.withdrawals) this.withdrawalIndex.set(w.id, block.number);
    let logIndex = 0;
    block.transactions.forEach((t, index) => {
      this.txIndex.set(t.hash, { blockNumber: block.number, index, firstLogIndex: logIndex });
      logIndex += t.logs.length;
    });
  }
}
