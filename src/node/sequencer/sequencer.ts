/**
 * The sequencer's ordering engine: takes signed transactions and L1 queue entries, applies them
 * at once to the open block (so a sender's next nonce is right away visible), and seals the
 * block into a commitment on a timer or when it is full. It builds on a ChainState (the chain
 * model every node holds) and is I/O-free apart from the clock it is given; the node wires it
 * to the RPC, the L1 follower and the batch submitter.
 */
import { BlockBuilder, BlockFullError, type SealedBlock } from "../../core/blockBuilder";
import { executeEvmTransaction, type EvmBlockContext, type Pause } from "../../core/evm/engine";
import { encodeEvmBlock } from "../../core/evm/evmBlock";
import type { EvmTransaction } from "../../core/evm/evmTransaction";
import { commitmentLeaf } from "../../core/hashing";
import type { BatchPosition } from "../../core/replay";
import { parseRawTransaction, type ParsedTx } from "../../core/intake";
import type { L2State } from "../../core/state";
import type { TxResult } from "../../core/execute";
import type { QueueEntry } from "../../core/queueOps";
import { CairnError, InvalidOperationError } from "../../core/errors";
import type { ChainStore, L2Block } from "../../chain/chainStore";
import { ChainState } from "../../chain/chainState";
import type { Logger } from "../../shared/logger";
import { emptyRunOf } from "../../core/commitment";
import { EMPTY_RUN_BYTES } from "../../core/constants";
import { BaseFeeTracker, type BaseFeeOptions } from "./baseFee";

export interface SequencerOptions {
  chainId: bigint;
  /** How the base fee is set: a floor, and how it follows L1's price of the bytes blocks post. */
  fees: BaseFeeOptions;
  /** L1's latest base fee (wei per gas), which the L2 base fee follows; none: 0. */
  l1BaseFee?: () => bigint;
  /** L2 address credited with fees (falls back to account 0 until it has an account). */
  feeRecipient: string;
  logger: Logger;
  /** Seconds since the epoch; injected so tests can control block timestamps. */
  now?: () => number;
  /**
   * Seal an empty block once this many milliseconds have passed without a block (0 or none:
   * never), so that a chain with no traffic still moves as Ethereum's does. Posted as runs,
   * they cost nine bytes of calldata per run, not per block (docs/architecture.md).
   */
  emptyBlockMs?: number;
}

/** The chain was asked to change under a block being built (a reset, or adopting a posted block). */
export class OpenBlockError extends CairnError {
  override readonly name = "OpenBlockError";
  readonly code = "OPEN_BLOCK";
  constructor(readonly operation: string) {
    super(`cannot ${operation} with a block open`);
  }
}

export class Sequencer {
  /** The chain this engine extends: state, blocks, L1 queue and tokens. */
  readonly local: ChainState;
  private builder: BlockBuilder | null = null;
  /** Transactions per sender in the open block: "latest" nonces exclude them. */
  private openNonces = new Map<string, number>();
  private readonly fees: BaseFeeTracker;
  /** When the latest block was sealed (ms, wall clock): an empty one follows emptyBlockMs later. */
  private lastSealedAtMs = Date.now();
  /** Set while a contract transaction runs in the engine (experimental EVM mode). */
  private contractRunning = false;

  constructor(private readonly options: SequencerOptions) {
    this.local = new ChainState(options.chainId, this.now());
    this.fees = new BaseFeeTracker(options.fees);
  }

  get chainId(): bigint {
    return this.options.chainId;
  }
  get state(): L2State {
    return this.local.state;
  }
  get chain(): ChainStore {
    return this.local.chain;
  }
  /** The base fee the next block charges (the open block's, while one is open). */
  get baseFee(): bigint {
    return this.builder ? this.builder.baseFee : this.fees.update(this.options.l1BaseFee?.() ?? 0n);
  }

  /** Back to genesis (keeping the L1 queue and tokens learned): a chain that does not line up with L1. */
  resetToGenesis(): void {
    if (this.hasOpenBlock) throw new OpenBlockError("reset the chain");
    this.builder = null;
    this.local.resetToGenesis();
  }

  /** L1 queue entries known but not yet applied. */
  get pendingQueueEntries(): number {
    return this.local.queue.length - Number(this.state.queueIndex);
  }

  /** Calls `listener` with every block, sealed here or adopted from L1. */
  onBlock(listener: (block: L2Block) => void): void {
    this.local.onBlock(listener);
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

  /**
   * Experimental EVM mode: runs contract transaction `tx` in the engine as a block of its own (an
   * EVM block, core/evm/evmBlock.ts), after sealing the open block, and returns its hash. Throws
   * InvalidOperationError, with the state untouched. The caller must not change the state while
   * this awaits (SequencerNode runs intake, queue entries and sealing one at a time then).
   */
  async sendContractTransaction(tx: EvmTransaction, pause?: Pause): Promise<string> {
    this.sealBlock();
    if (this.hasOpenBlock || this.contractRunning) throw new OpenBlockError("run a contract transaction");
    this.contractRunning = true;
    try {
      return await this.runContractTransaction(tx, pause);
    } finally {
      this.contractRunning = false;
    }
  }

  private async runContractTransaction(tx: EvmTransaction, pause?: Pause): Promise<string> {
    const parent = this.chain.latest;
    const ctx: EvmBlockContext = {
      chainId: this.options.chainId,
      number: parent.number + 1,
      timestamp: Math.max(parent.timestamp, this.now()),
      baseFee: this.baseFee,
      feeRecipient: this.state.indexOf(this.options.feeRecipient.toLowerCase()) ?? 0,
    };
    const preStateRoot = this.state.root();
    const result = await executeEvmTransaction(this.state, tx, ctx, { pause });
    const postStateRoot = this.state.root();
    const header = { postStateRoot, withdrawalRoot: null, timestamp: ctx.timestamp, baseFee: ctx.baseFee, feeRecipient: ctx.feeRecipient, fees: [], ops: [] };
    const body = encodeEvmBlock({ ...header, number: ctx.number, rawTx: tx.raw });
    const sealed: SealedBlock = { commitment: header, body, preStateRoot, postStateRoot, hash: commitmentLeaf(preStateRoot, body), results: [result], withdrawals: [] };
    const block = this.local.append(sealed, this.state.queueIndex);
    this.fees.recordBlock(body.length + 2, block.gasUsed, ctx.baseFee);
    this.lastSealedAtMs = Date.now();
    this.options.logger.debug({ block: block.number, tx: result.hash, status: result.status }, "sealed an EVM block");
    return result.hash;
  }

  /** Learns L1 queue entries (in order, from the L1 follower) and applies them. */
  addQueueEntries(entries: readonly QueueEntry[]): void {
    this.local.queue.learn(entries);
    while (this.state.queueIndex < BigInt(this.local.queue.length)) this.addToOpenBlock((b) => b.addQueueEntry());
  }

  /**
   * Applies a commitment someone posted on L1 (this node before a restart, or a fallback
   * proposer) as the next block. Throws PostedBlockRefusedError if it does not replay.
   */
  adoptPostedBlock(body: Buffer, position?: BatchPosition): L2Block {
    if (this.hasOpenBlock) throw new OpenBlockError("adopt a posted block");
    this.builder = null;
    return this.local.adoptPostedBlock(body, position);
  }

  /** {@link adoptPostedBlock} in experimental EVM mode: EVM blocks run in the engine. */
  adoptPostedBody(body: Buffer, position?: BatchPosition, pause?: Pause): Promise<L2Block> {
    if (this.hasOpenBlock || this.contractRunning) throw new OpenBlockError("adopt a posted block");
    this.builder = null;
    return this.local.adoptPostedBody(body, position, pause);
  }

  /** Seals the open block if it holds anything, or an empty one when one is due; null when neither. */
  sealBlock(): L2Block | null {
    // A contract transaction's block is being built (its number taken): nothing may come before it.
    if (this.contractRunning) return null;
    const builder = this.builder;
    if (!builder || builder.opCount === 0) return this.sealEmptyWhenDue();
    const timestamp = Math.max(this.chain.latest.timestamp, this.now());
    const sealed = builder.seal(timestamp);
    this.builder = null;
    this.openNonces = new Map();
    const block = this.local.append(sealed, this.state.queueIndex);
    this.fees.recordBlock(sealed.body.length + 2, block.gasUsed, sealed.commitment.baseFee);
    this.lastSealedAtMs = Date.now();
    this.options.logger.debug({ block: block.number, txs: block.transactions.length, ops: sealed.commitment.ops.length }, "sealed block");
    return block;
  }

  private sealEmptyWhenDue(): L2Block | null {
    const every = this.options.emptyBlockMs ?? 0;
    if (every <= 0 || Date.now() - this.lastSealedAtMs < every) return null;
    this.lastSealedAtMs = Date.now();
    const parent = this.chain.latest;
    const block = this.local.appendEmpty(Math.max(parent.timestamp, this.now()));
    // A block that starts a run adds the run's nine bytes to what L1 is paid; the rest add none.
    const startsRun = emptyRunOf(parent.body) === null || parent.timestamp !== block.timestamp;
    this.fees.recordBlock(startsRun ? EMPTY_RUN_BYTES + 2 : 0, 0n, block.baseFee);
    return block;
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
    if (this.contractRunning) throw new OpenBlockError("apply an operation while a contract transaction runs");
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
        baseFee: this.baseFee,
        feeRecipient: index,
        queueEntry: (i) => this.local.queue.entry(i),
      });
    }
    return this.builder;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Math.floor(Date.now() / 1000);
  }
}
