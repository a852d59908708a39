/**
 * The L2 as a node holds it: the state, the blocks (one per commitment) with their batch
 * records, the L1 queue and the token registrations learned so far. The sequencer builds new
 * blocks on it; a replica, a restarting sequencer and the challenger's checks append blocks
 * replayed from L1. It does no I/O.
 */
import { L2State } from "../core/state";
import { replayCommitment, type BatchPosition, type ReplayResult } from "../core/replay";
import { replayBody } from "../core/evm/replayEvm";
import type { Pause } from "../core/evm/engine";
import { commitmentLeaf } from "../core/hashing";
import type { SealedBlock } from "../core/blockBuilder";
import { CairnError } from "../core/errors";
import { ChainStore, RestoredChainError, type BatchRecord, type L2Block } from "./chainStore";
import { L1Queue } from "./l1Queue";
import type { TokenMetadata } from "./tokens";
import type { RollupStatus } from "./api";
import { StateHistory } from "./history";

/** The L1 counters a node reads for `rollup_status`. */
export interface RollupCounts {
  queueLength: bigint;
  batchCount: bigint;
  finalBatchCount: bigint;
  revertedBatchCount: bigint;
}

/** A posted commitment that does not replay on the chain held: a node never builds on fraud. */
export class PostedBlockRefusedError extends CairnError {
  override readonly name = "PostedBlockRefusedError";
  readonly code = "POSTED_BLOCK_REFUSED";
  constructor(
    readonly blockNumber: number,
    readonly verdict: ReplayResult["verdict"],
  ) {
    super(`the posted commitment for block ${blockNumber} does not replay`, { details: JSON.stringify(verdict, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : Buffer.isBuffer(v) ? "0x" + v.toString("hex") : v)) });
  }
}

export class ChainState {
  private current = L2State.genesis();
  readonly chain: ChainStore;
  readonly queue = new L1Queue();
  private readonly tokens = new Map<number, TokenMetadata>();
  private readonly listeners: Array<(block: L2Block) => void> = [];
  /** The state of past blocks, kept beside the state and replaced with it (see history.ts). */
  private past: StateHistory;

  constructor(
    readonly chainId: bigint,
    genesisTimestamp = 0,
  ) {
    this.chain = new ChainStore(this.current.root(), genesisTimestamp);
    this.past = new StateHistory(this.current, this.chain.latest);
  }

  get state(): L2State {
    return this.current;
  }

  /** What the RPC reads at a past block. */
  get history(): StateHistory {
    return this.past;
  }

  /** Back to genesis, keeping the L1 queue and tokens learned: a chain that does not line up with L1. */
  resetToGenesis(): void {
    this.current = L2State.genesis();
    this.chain.restore([this.chain.blocks[0]], []);
    this.past = new StateHistory(this.current, this.chain.latest);
  }

  /** Takes over a state and chain loaded from a store (before anything else happened). Throws RestoredChainError. */
  restore(restored: { state: L2State; blocks: L2Block[]; batches: BatchRecord[]; history?: readonly string[] }): void {
    if (this.chain.blocks.length > 1) throw new RestoredChainError("chain-not-empty", "cannot restore into a chain that has blocks already", this.chain.blocks.length - 1);
    const tip = restored.blocks[restored.blocks.length - 1];
    if ("0x" + restored.state.root().toString("hex") !== tip.stateRoot) throw new RestoredChainError("state-not-at-tip", `the stored state does not have the stored tip's root (block ${tip.number})`, tip.number);
    this.chain.restore(restored.blocks, restored.batches);
    this.current = restored.state;
    this.past = StateHistory.restore(restored.state, tip, restored.history ?? []);
  }

  /**
   * Becomes `rebuilt` (the same L2 built again from L1 beside this one) in place: this object,
   * and the ChainStore readers hold on to (the RPC's filters), serve it from now on. The block
   * listeners are kept and not called.
   */
  takeOver(rebuilt: ChainState): void {
    this.current = rebuilt.current;
    this.past = rebuilt.past;
    this.chain.restore(rebuilt.chain.blocks, rebuilt.chain.batches);
    for (let i = this.queue.length; i < rebuilt.queue.length; i++) this.queue.learn([rebuilt.queue.entry(BigInt(i))!]);
    for (const [id, meta] of rebuilt.tokens) this.tokens.set(id, meta);
  }

  /** Calls `listener` with every block appended. */
  onBlock(listener: (block: L2Block) => void): void {
    this.listeners.push(listener);
  }

  /** Appends a sealed commitment as the next block; `queueIndex` is the L1 queue position after it. */
  append(sealed: SealedBlock, queueIndex: bigint): L2Block {
    const block = this.chain.append(sealed, this.state.account(sealed.commitment.feeRecipient).address, queueIndex);
    this.past.sealed(block);
    for (const l of this.listeners) l(block);
    return block;
  }

  /** Appends an empty block at `timestamp`; `queueIndex` is the L1 queue position after it. */
  appendEmpty(timestamp: number, queueIndex = this.state.queueIndex): L2Block {
    const block = this.chain.appendEmpty(timestamp, queueIndex);
    this.past.sealed(block);
    for (const l of this.listeners) l(block);
    return block;
  }

  /**
   * Appends commitment `body` as replayed (by core's replayCommitment, here or on a worker's
   * predictions) from `preStateRoot` to the state as it stands now.
   */
  appendReplayed(replayed: ReplayResult, body: Buffer, preStateRoot: Buffer, queueIndex: bigint): L2Block {
    if (replayed.emptyRun) {
      for (let i = 1; i < replayed.emptyRun.blocks; i++) this.appendEmpty(replayed.emptyRun.timestamp, queueIndex);
      return this.appendEmpty(replayed.emptyRun.timestamp, queueIndex);
    }
    const commitment = replayed.commitment!;
    const postStateRoot = commitment.postStateRoot;
    const sealed: SealedBlock = { commitment, body, preStateRoot, postStateRoot, hash: commitmentLeaf(preStateRoot, body), results: replayed.results, withdrawals: replayed.withdrawals };
    return this.append(sealed, queueIndex);
  }

  /**
   * Applies a commitment someone posted on L1 (this node before a restart, or another proposer)
   * as the next block. Throws PostedBlockRefusedError, with the state part-way, if it does not
   * replay: the caller rolls back or starts over.
   */
  adoptPostedBlock(body: Buffer, position?: BatchPosition): L2Block {
    const preStateRoot = this.state.root();
    const replayed = replayCommitment(this.state, body, { chainId: this.chainId, queueEntry: (i) => this.queue.entry(i), position });
    return this.appendAdopted(replayed, body, preStateRoot);
  }

  /**
   * {@link adoptPostedBlock} in experimental EVM mode: an EVM block runs in the engine and must
   * carry the number it gets here (core/evm/replayEvm.ts); any other body replays as there.
   */
  async adoptPostedBody(body: Buffer, position?: BatchPosition, pause?: Pause): Promise<L2Block> {
    const preStateRoot = this.state.root();
    const replayed = await replayBody(this.state, body, { chainId: this.chainId, queueEntry: (i) => this.queue.entry(i), position, expectedNumber: this.chain.latest.number + 1, pause });
    return this.appendAdopted(replayed, body, preStateRoot);
  }

  /** A posted body's replay appended, or refused as the next block if it is not a valid one. */
  private appendAdopted(replayed: ReplayResult, body: Buffer, preStateRoot: Buffer): L2Block {
    if (!replayed.verdict.ok || !(replayed.commitment || replayed.emptyRun)) throw new PostedBlockRefusedError(this.chain.latest.number + 1, replayed.verdict);
    return this.appendReplayed(replayed, body, preStateRoot, this.state.queueIndex);
  }

  addTokenMetadata(meta: readonly TokenMetadata[]): void {
    for (const m of meta) this.tokens.set(m.tokenId, m);
  }

  tokenMetadata(tokenId: number): TokenMetadata | undefined {
    return this.tokens.get(tokenId);
  }

  /** The accumulator of the last L1 queue entry the state consumed ("" for none). */
  queueHead(): string {
    return this.queue.headAfter(this.state.queueIndex);
  }

  /** `rollup_status` from this chain and the L1 counters a node has read. */
  status(counts: RollupCounts, l1: RollupStatus["l1"]): RollupStatus {
    return {
      l2BlockNumber: this.chain.latest.number,
      stateRoot: this.chain.latest.stateRoot,
      batches: { posted: Number(counts.batchCount), final: Number(counts.finalBatchCount), reverted: Number(counts.revertedBatchCount) },
      pendingDeposits: Math.max(0, Number(counts.queueLength - this.state.queueIndex)),
      queueConsumed: Number(this.state.queueIndex),
      l1,
    };
  }
}
