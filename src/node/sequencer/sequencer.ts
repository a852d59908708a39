/**
 * The sequencer's ordering engine: takes signed transactions and L1 queue entries, applies them
 * at once to the open block (so a sender's next nonce is right away visible), and seals the
 * block into a commitment on a timer or when it is full. I/O-free apart from the clock it is
 * given; the node wires it to the RPC, the L1 follower and the batch submitter.
 */
import { BlockBuilder, BlockFullError, type SealedBlock } from "../../core/blockBuilder";
import { replayCommitment, type BatchPosition } from "../../core/replay";
import { commitmentLeaf } from "../../core/hashing";
import { parseRawTransaction, type ParsedTx } from "../../core/intake";
import { L2State } from "../../core/state";
import type { QueueEntry, TxResult } from "../../core/execute";
import { ChainStore, type BatchRecord, type L2Block } from "../../chain/chainStore";
import type { Logger } from "../../shared/logger";
import type { RollupCounts } from "../l1/contracts";
import type { TokenMetadata } from "../../chain/tokens";
import type { RollupStatus } from "../../chain/api";
import { InvalidOperationError } from "../../core/errors";

export interface SequencerOptions {
  chainId: bigint;
  /** Base fee per gas of every block, in wei: one quantized value, so fee tuples compress well. */
  baseFee: bigint;
  /** L2 address credited with fees (falls back to account 0 until it has an account). */
  feeRecipient: string;
  logger: Logger;
  /** Seconds since the epoch; injected so tests can control block timestamps. */
  now?: () => number;
}

export class Sequencer {
  private currentState = L2State.genesis();
  readonly chain: ChainStore;
  private readonly queue: QueueEntry[] = [];
  private readonly tokenMeta = new Map<number, TokenMetadata>();
  private builder: BlockBuilder | null = null;
  /** Transactions per sender in the open block: "latest" nonces exclude them. */
  private openNonces = new Map<string, number>();
  private readonly listeners: Array<(block: L2Block) => void> = [];

  constructor(private readonly options: SequencerOptions) {
    this.chain = new ChainStore(this.state.root(), this.now());
  }

  get chainId(): bigint {
    return this.options.chainId;
  }

  get state(): L2State {
    return this.currentState;
  }

  /** Back to genesis (keeping the L1 queue and tokens learned): a store that does not line up with L1. */
  resetToGenesis(): void {
    if (this.builder) throw new Error("reset with a block open");
    this.currentState = L2State.genesis();
    this.chain.restore([this.chain.blocks[0]], []);
  }

  /** Takes over a state and chain loaded from a store (before anything else happened). */
  restore(restored: { state: L2State; blocks: L2Block[]; batches: BatchRecord[] }): void {
    if (this.chain.blocks.length > 1 || this.builder) throw new Error("restore into a sequencer that has already run");
    const tip = restored.blocks[restored.blocks.length - 1];
    if ("0x" + restored.state.root().toString("hex") !== tip.stateRoot) throw new Error(`the stored state does not have the stored tip's root (block ${tip.number})`);
    this.chain.restore(restored.blocks, restored.batches);
    this.currentState = restored.state;
  }

  get baseFee(): bigint {
    return this.options.baseFee;
  }

  /** L1 queue entries known but not yet applied. */
  get pendingQueueEntries(): number {
    return this.queue.length - Number(this.state.queueIndex);
  }

  get knownQueueLength(): number {
    return this.queue.length;
  }

  /** Calls `listener` with every sealed block. */
  onBlock(listener: (block: L2Block) => void): void {
    this.listeners.push(listener);
  }

  /** Validates and applies a raw signed transaction; returns its hash. Throws InvalidOperationError. */
  sendRawTransaction(raw: string): string {
    return this.sendParsedTransaction(parseRawTransaction(raw, this.options.chainId));
  }

  /** Applies a transaction already parsed and authenticated; returns its hash. Throws InvalidOperationError. */
  sendParsedTransaction(tx: ParsedTx): string {
    let result: TxResult;
    try {
      result = this.addToOpenBlock((b) => b.addTransaction(tx));
    } catch (e) {
      // A transaction the chain already holds fails on its nonce; say what wallets expect.
      if (e instanceof InvalidOperationError && e.reason === "nonce-too-low" && this.chain.hasTx(tx.hash)) throw new InvalidOperationError("nonce-too-low", "already known");
      throw e;
    }
    this.openNonces.set(result.from, (this.openNonces.get(result.from) ?? 0) + 1);
    return result.hash;
  }

  /** Learns L1 queue entries (in order, from the L1 follower) and applies them. */
  addQueueEntries(entries: QueueEntry[]): void {
    for (const e of entries) {
      if (e.index < BigInt(this.queue.length)) continue;
      if (e.index !== BigInt(this.queue.length)) throw new Error(`queue gap: got entry ${e.index}, expected ${this.queue.length}`);
      this.queue.push(e);
    }
    while (this.state.queueIndex < BigInt(this.queue.length)) {
      this.addToOpenBlock((b) => b.addQueueEntry());
    }
  }

  /** Learns L1 queue entries without applying them (before replaying L1's batches). */
  learnQueueEntries(entries: QueueEntry[]): void {
    for (const e of entries) if (e.index === BigInt(this.queue.length)) this.queue.push(e);
  }

  /**
   * Applies a commitment someone posted on L1 (this node before a restart, or a fallback
   * proposer) as the next block. Throws if it does not replay: a node does not build on fraud.
   */
  adoptPostedBlock(body: Buffer, position?: BatchPosition): L2Block {
    if (this.builder && this.builder.opCount > 0) throw new Error("cannot adopt a posted block over an open one");
    this.builder = null;
    const preStateRoot = this.state.root();
    const r = replayCommitment(this.state, body, { chainId: this.options.chainId, queueEntry: (i) => this.queue[Number(i)], position });
    if (!r.verdict.ok || !r.commitment) throw new Error(`posted commitment does not replay: ${r.verdict.ok ? "" : JSON.stringify(r.verdict)}`);
    const postStateRoot = this.state.root();
    const sealed: SealedBlock = { commitment: r.commitment, body, preStateRoot, postStateRoot, hash: commitmentLeaf(preStateRoot, body), results: r.results, withdrawals: r.withdrawals };
    return this.appendReplayedBlock(sealed, this.state.queueIndex);
  }

  /**
   * Appends a commitment replayed elsewhere (a replica's batch replayer) as the next block;
   * `queueIndex` is the L1 queue position after it.
   */
  appendReplayedBlock(sealed: SealedBlock, queueIndex: bigint): L2Block {
    const block = this.chain.append(sealed, this.state.account(sealed.commitment.feeRecipient).address, queueIndex);
    for (const l of this.listeners) l(block);
    return block;
  }

  /** L1 queue entry `index`, if known. */
  queueEntry(index: bigint): QueueEntry | undefined {
    return this.queue[Number(index)];
  }

  addTokenMetadata(meta: TokenMetadata[]): void {
    for (const m of meta) this.tokenMeta.set(m.tokenId, m);
  }

  tokenMetadata(tokenId: number): TokenMetadata | undefined {
    return this.tokenMeta.get(tokenId);
  }

  /** Seals the open block, if it holds anything. */
  sealBlock(): L2Block | null {
    const builder = this.builder;
    if (!builder || builder.opCount === 0) return null;
    const timestamp = Math.max(this.chain.latest.timestamp, this.now());
    const sealed = builder.seal(timestamp);
    this.builder = null;
    this.openNonces = new Map();
    const feeRecipient = this.state.account(sealed.commitment.feeRecipient).address;
    const block = this.chain.append(sealed, feeRecipient, this.state.queueIndex);
    this.options.logger.debug({ block: block.number, txs: block.transactions.length, ops: sealed.commitment.ops.length }, "sealed block");
    for (const l of this.listeners) l(block);
    return block;
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

  /** Nonce of `address` at "latest" (sealed blocks) or "pending" (including the open block). */
  nonce(address: string, tag: "latest" | "pending"): bigint {
    const a = this.state.accountOf(address.toLowerCase());
    if (!a) return 0n;
    return tag === "pending" ? a.nonce : a.nonce - BigInt(this.openNonces.get(a.address) ?? 0);
  }

  /** Whether a block is being built (operations applied but not sealed). */
  get hasOpenBlock(): boolean {
    return this.builder !== null && this.builder.opCount > 0;
  }

  /** Whether `hash` is in the open (not yet sealed) block. */
  isPending(hash: string): TxResult | undefined {
    return this.builder?.pendingTransaction(hash.toLowerCase());
  }

  private addToOpenBlock<T>(apply: (b: BlockBuilder) => T): T {
    // A full block is sealed up front: an Error per block (its stack trace) is not free.
    if (this.builder?.isFull) this.sealBlock();
    try {
      return apply(this.openBuilder());
    } catch (e) {
      if (!(e instanceof BlockFullError)) throw e;
      this.sealBlock();
      return apply(this.openBuilder());
    }
  }

  private openBuilder(): BlockBuilder {
    if (!this.builder) {
      const index = this.state.indexOf(this.options.feeRecipient.toLowerCase()) ?? 0;
      this.builder = new BlockBuilder(this.state, {
        chainId: this.options.chainId,
        baseFee: this.options.baseFee,
        feeRecipient: index,
        queueEntry: (i) => this.queue[Number(i)],
      });
    }
    return this.builder;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Math.floor(Date.now() / 1000);
  }
}
