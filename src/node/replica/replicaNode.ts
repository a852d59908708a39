/**
 * A read-only replica: rebuilds the L2 from L1 alone — queue events and the batches' calldata —
 * then follows L1 and serves the same JSON-RPC as the sequencer, minus sending. It trusts
 * nothing the sequencer says: every batch still in its challenge window is replayed and checked
 * commitment by commitment, final ones at their end. A batch that does not replay is not
 * applied; the replica waits at it until a fraud proof reverts it (and rebuilds when one does).
 */
import type { Provider } from "ethers";
import { commitmentLeaf } from "../../core/hashing";
import type { SealedBlock } from "../../core/blockBuilder";
import type { L2Block } from "../../chain/chainStore";
import { L1Contracts, type RollupCounts } from "../l1/contracts";
import { inSlices } from "../../shared/slices";
import { explainStoppedFollowing, readCurrentBatches, readPostedBatches, type PostedBatch } from "../l1/batchReader";
import { Sequencer } from "../sequencer/sequencer";
import { SequencerBacked } from "../sequencer/sequencerBacked";
import { BatchReplayer } from "./batchReplayer";
import { RecoveryWorker } from "../recoveryWorker";
import type { Endpoint, L2Backend, Serve } from "../../chain/backend";
import type { RollupStatus } from "../../chain/api";
import type { Logger } from "../../shared/logger";
import type { TxResult } from "../../core/execute";
import { freshRuns, repeat, type Repeating } from "../../shared/schedule";

export interface ReplicaConfig {
  l1Provider: Provider;
  addresses: { bridge: string; rollup: string };
  startBlock: number;
  confirmations: number;
  chainId: bigint;
  pollMs: number;
  /** How the replica is served to clients once in sync (read-only JSON-RPC: see app/jsonRpc). */
  serve?: Serve;
  logger: Logger;
  /** Called during a sync with batches applied so far and the number L1 holds. */
  onProgress?: (p: { batch: number; batches: number; l2Block: number; txs: number }) => void;
}

export class ReplicaNode extends SequencerBacked implements L2Backend {
  private sequencer: Sequencer;
  readonly l1: L1Contracts;
  private readonly replayer: BatchReplayer;
  private readonly recovery: RecoveryWorker | null;
  private nextBlock: number;
  private pending: PostedBatch[] = [];
  private counts: RollupCounts = { queueLength: 0n, batchCount: 0n, finalBatchCount: 0n, revertedBatchCount: 0n };
  private l1ChainId = 0;
  private endpoint: Endpoint | null = null;
  private loop: Repeating | null = null;
  private readonly syncing = freshRuns(() => this.syncOnce());
  private readonly blockListeners: Array<(b: L2Block) => void> = [];
  /** A batch on L1 that does not replay: nothing is applied past it until it is reverted. */
  stuckAt: number | null = null;
  rpcUrl: string | null = null;

  constructor(private readonly config: ReplicaConfig) {
    super();
    this.l1 = new L1Contracts(config.l1Provider, config.addresses);
    this.recovery = RecoveryWorker.start();
    this.replayer = new BatchReplayer(this.recovery);
    this.sequencer = this.freshSequencer();
    this.nextBlock = config.startBlock;
  }

  // --- L2Backend (read-only; the reads: SequencerBacked) ---------------------------------
  protected engine(): Sequencer {
    return this.sequencer;
  }
  nonce(address: string) {
    return this.sequencer.nonce(address, "latest");
  }
  pendingTransaction(): TxResult | undefined {
    return undefined;
  }
  onBlock(listener: (block: L2Block) => void): void {
    this.blockListeners.push(listener);
  }
  status(): RollupStatus {
    return this.sequencer.status(this.counts, { bridge: this.config.addresses.bridge, rollup: this.config.addresses.rollup, chainId: this.l1ChainId });
  }

  // --- lifecycle ------------------------------------------------------------------------
  /** Rebuilds the L2 from L1, starts the RPC (if configured), and follows L1. */
  async start(): Promise<void> {
    this.l1ChainId = Number((await this.config.l1Provider.getNetwork()).chainId);
    await this.sync();
    if (this.config.serve) {
      this.endpoint = await this.config.serve(this);
      this.rpcUrl = this.endpoint.url;
    }
    this.loop = repeat(this.config.pollMs, () => this.sync(), { logger: this.config.logger, what: "replica sync", unref: true, explain: explainStoppedFollowing });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    await this.syncing.settled();
    await this.endpoint?.stop();
    await this.recovery?.stop();
  }

  /**
   * Reads L1 up to its confirmed head and applies every new batch. A call during one gets the
   * next (see freshRuns). A batch that cannot be authenticated fails the whole call before
   * anything read with it is taken in: the next call reads the same L1 blocks again.
   */
  sync(): Promise<void> {
    return this.syncing();
  }

  private async syncOnce(): Promise<void> {
    const head = (await this.config.l1Provider.getBlockNumber()) - this.config.confirmations;
    if (head >= this.nextBlock) {
      const proofs = await inSlices(this.nextBlock, head, (from, to) => this.l1.rollup.queryFilter(this.l1.rollup.filters.FraudProven(), from, to));
      if (this.nextBlock === this.config.startBlock || proofs.length > 0) {
        await this.rebuild(head);
      } else {
        const [entries, tokens, posted] = await Promise.all([
          this.l1.queueEntries(this.nextBlock, head),
          this.l1.tokenRegistrations(this.nextBlock, head),
          readPostedBatches(this.l1, this.nextBlock, head),
        ]);
        this.sequencer.learnQueueEntries(entries);
        this.sequencer.addTokenMetadata(tokens);
        this.pending.push(...posted);
        this.nextBlock = head + 1;
      }
    }
    this.counts = await this.l1.counts();
    await this.applyPending();
  }

  /**
   * Starts over from genesis on the batches L1 holds now: at the first sync, and after a fraud
   * proof reverted batches (rare; simpler than unwinding).
   */
  private async rebuild(head: number): Promise<void> {
    // Read (and authenticate) first: if L1 cannot be read, the replica keeps serving what it has.
    const [entries, tokens, current] = await Promise.all([
      this.l1.queueEntries(this.config.startBlock, head),
      this.l1.tokenRegistrations(this.config.startBlock, head),
      readCurrentBatches(this.l1, this.config.startBlock, head),
    ]);
    if (this.chain.batches.length > 0) this.config.logger.warn("batches were reverted on L1; the replica rebuilds from L1");
    this.sequencer = this.freshSequencer();
    this.stuckAt = null;
    this.sequencer.learnQueueEntries(entries);
    this.sequencer.addTokenMetadata(tokens);
    this.pending = current;
    this.nextBlock = head + 1;
  }

  /** Applies queued batches in index order, each final or checked commitment by commitment. */
  private async applyPending(): Promise<void> {
    const total = this.pending.length;
    let txs = 0;
    while (this.pending.length > 0) {
      const batch = this.pending[0];
      const expected = this.chain.batches.length;
      if (batch.index < expected) {
        this.pending.shift(); // an older submission at an index already applied (re-posted after a revert)
        continue;
      }
      if (batch.index > expected) throw new Error(`replica missing batch ${expected} (next on L1 is ${batch.index})`);
      if (this.stuckAt === batch.index) return;
      const applied = await this.applyBatch(batch, BigInt(batch.index) < this.counts.finalBatchCount);
      if (applied === false) {
        this.stuckAt = batch.index;
        this.config.logger.warn({ batch: batch.index }, "batch on L1 does not replay; waiting for a fraud proof to revert it");
        return;
      }
      this.pending.shift();
      txs += applied;
      this.config.onProgress?.({ batch: total - this.pending.length, batches: total, l2Block: this.chain.latest.number, txs });
    }
  }

  /** Replays one batch; returns the transactions it applied, or false with the state untouched if it is not honest. */
  private async applyBatch(batch: PostedBatch, final: boolean): Promise<number | false> {
    const state = this.state;
    const cp = state.checkpoint();
    const queueStart = state.queueIndex;
    const preRoot = this.chain.latest.stateRoot;
    const [results] = await this.replayer.replayBatches(state, [{ bodies: batch.bodies, queueLimit: batch.queueCount, final }], {
      chainId: this.config.chainId,
      queueEntry: (i) => this.sequencer.queueEntry(i),
    });
    const honest = results.length === batch.bodies.length && results.every((r) => r.verdict.ok) && "0x" + state.root().toString("hex") === batch.postStateRoot && preRoot === batch.preStateRoot;
    if (!honest) {
      state.rollback(cp);
      return false;
    }
    state.release(cp);
    let queueIndex = queueStart;
    let pre: Buffer = Buffer.from(preRoot.slice(2), "hex");
    let txs = 0;
    const first = this.chain.latest.number + 1;
    results.forEach((r, i) => {
      const post = r.commitment!.postStateRoot;
      queueIndex += BigInt(r.results.filter((x) => x.type === "queue").length);
      txs += r.results.filter((x) => x.type === "tx").length;
      const sealed: SealedBlock = { commitment: r.commitment!, body: batch.bodies[i], preStateRoot: pre, postStateRoot: post, hash: commitmentLeaf(pre, batch.bodies[i]), results: r.results, withdrawals: r.withdrawals };
      const block = this.sequencer.appendReplayedBlock(sealed, queueIndex);
      for (const l of this.blockListeners) l(block);
      pre = post;
    });
    this.chain.recordBatch({ index: batch.index, firstBlock: first, lastBlock: this.chain.latest.number, l1TxHash: batch.l1TxHash, l1Block: batch.l1Block });
    return txs;
  }

  private freshSequencer(): Sequencer {
    return new Sequencer({ chainId: this.config.chainId, baseFee: 0n, feeRecipient: "0x" + "00".repeat(20), logger: this.config.logger });
  }
}
