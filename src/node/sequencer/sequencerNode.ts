/**
 * The sequencer process: the ordering engine on the L1 follower (deposits in), the batch
 * submitter (batches out) and, when served, the JSON-RPC, on timers. Thin on purpose: each
 * service is its own object and can be driven step by step in tests.
 *
 * Longer than 300 lines because it is the one object that implements the backend port (a getter
 * per field), the follower role and the lifecycle, in both intake modes; what it wires is in files
 * of its own (the experimental EVM intake in evmIntake.ts).
 */
import { Sequencer } from "./sequencer";
import { BatchSubmitter, BatchesNotPostedError } from "./batchSubmitter";
import { batchDataPort, batchLimitsFor, type BatchPort } from "./blobBatchPort";
import { ChainDivergesFromL1Error, lineUpWithL1, storedBatchesStanding } from "./lineUp";
import { L1Contracts, blobSourceFor } from "../l1/contracts";
import { L1Follower, type FollowerRole, type L1Span } from "../l1/follower";
import { readCurrentBatches } from "../l1/batchReader";
import { ensureBond } from "../l1/bond";
import { L1TxManager } from "../l1/txManager";
import { RecoveryWorker, recoverHere } from "../recoveryWorker";
import { SequencerDurability } from "./durability";
import type { SequencerNodeConfig } from "../config";
import { authenticate, decodeRawTransaction, requireWithinBlockGasLimit } from "../../core/intake";
import { ExperimentalEvmDataDirError, requireLocalL1ForEvm } from "../experimentalEvm";
import { Simulations } from "../simulations";
import type { EngineOptions } from "../../core/evm/engine";
import { EvmIntake } from "./evmIntake";
import { InvalidOperationError, OverloadedError } from "../../core/errors";
import type { L2State } from "../../core/state";
import type { TxResult } from "../../core/execute";
import { PostedBlockRefusedError } from "../../chain/chainState";
import type { ChainStore, L2Block } from "../../chain/chainStore";
import type { StateHistory } from "../../chain/history";
import type { TokenMetadata } from "../../chain/tokens";
import type { Endpoint, L2Backend } from "../../chain/backend";
import type { RollupStatus } from "../../chain/api";
import { freshRuns, repeat, type FreshRuns, type Repeating } from "../../shared/schedule";
import { SealWaiters } from "./sealWaiters";

export class SequencerNode implements L2Backend, FollowerRole {
  /** The sequencer follows L1 for its queue only: its own batches it knows, others' it meets at submission (see resyncWithL1). */
  readonly followsBatches = false;
  readonly sequencer: Sequencer;
  readonly l1: L1Contracts;
  readonly follower: L1Follower;
  submitter: BatchSubmitter;
  /** Every L1 transaction of the node (batches, bond) goes through it, one nonce after another. */
  readonly txs: L1TxManager;
  /** How the node came up: blocks loaded from its store, and blocks it replayed from L1. */
  readonly startup = { restoredBlocks: 0, replayedBlocks: 0, rebuiltFromL1: false };
  rpcUrl: string | null = null;
  private endpoint: Endpoint | null = null;
  private loops: Repeating[] = [];
  private readonly polling: FreshRuns;
  private l1ChainId = 0;
  private readonly durability: SequencerDurability;
  private recovery: RecoveryWorker | null = null;
  private maxBacklogAgeMs = Infinity;
  /** Set while the chain is rebuilt from L1 after another proposer's batch (see resyncWithL1). */
  private resyncing: Promise<void> | null = null;
  private readonly sealWaiters = new SealWaiters();
  /** Experimental EVM mode's intake; null in the default mode. */
  private readonly evm: EvmIntake | null;
  private readonly simulations = new Simulations();

  constructor(private readonly config: SequencerNodeConfig) {
    // L2 time and the base fee follow L1: the latest L1 block's, as the follower last read it.
    const fees = { minBaseFee: config.baseFee, l1GasPerByte: config.l1GasPerByte };
    this.sequencer = new Sequencer({ chainId: config.chainId, fees, l1BaseFee: () => this.follower?.l1BaseFee ?? 0n, feeRecipient: config.feeRecipient, logger: config.logger, now: () => this.follower?.l1Time ?? 0, emptyBlockMs: config.emptyBlockMs });
    this.l1 = new L1Contracts(config.l1Provider, config.addresses, config.l1Signer, blobSourceFor(config.l1Beacon));
    this.txs = new L1TxManager(config.l1Signer, { ...config.l1Tx, logger: config.logger });
    this.follower = new L1Follower(this.l1, { startBlock: config.startBlock, confirmations: config.confirmations });
    this.polling = freshRuns(() => this.follower.poll(this));
    this.durability = new SequencerDurability(this.sequencer, config.logger);
    this.submitter = this.createSubmitter(batchDataPort(config.batchData, this.l1, this.txs, config.logger));
    this.sequencer.onBlock((b) => this.submitter.noteBlock(b));
    this.sequencer.onBlock(() => this.sealWaiters.release());
    this.evm = config.experimentalEvm ? new EvmIntake(this.sequencer, (r) => (this.recovery ? this.recovery.recover(r) : recoverHere(r)), this.simulations.turns) : null;
  }

  /** The sequencer's part of following L1: new queue entries and tokens, applied as they come. */
  async take(span: L1Span): Promise<number> {
    this.sequencer.local.addTokenMetadata(span.tokens);
    if (span.queue.length > 0) this.config.logger.info({ count: span.queue.length, first: Number(span.queue[0].index) }, "L1 queue entries");
    if (this.evm) await this.evm.queueEntries(span.queue);
    else this.sequencer.addQueueEntries(span.queue);
    return span.to + 1;
  }

  private createSubmitter(port: BatchPort): BatchSubmitter {
    const c = this.config;
    const submitter = new BatchSubmitter(this.l1, this.sequencer.chain, {
      ...batchLimitsFor(c.batchData, c.maxBatchBytes),
      maxBatchAgeMs: c.maxBatchAgeMs,
      // Empty blocks alone wait half a backlog limit at most: they must never trip backpressure.
      maxIdleBatchAgeMs: () => c.maxIdleBatchAgeMs ?? Math.min(30_000, this.maxBacklogAgeMs / 2),
      logger: c.logger,
      ensureBond: c.autoBond ? () => this.ensureBond() : undefined,
      port,
      onDiverged: () => this.resyncWithL1(),
    });
    submitter.onPosted(() => this.durability.trimJournal());
    return submitter;
  }

  // --- L2Backend ----------------------------------------------------------------------------
  get chainId(): bigint {
    return this.sequencer.chainId;
  }
  get baseFee(): bigint {
    return this.sequencer.baseFee;
  }
  get state(): L2State {
    return this.sequencer.state;
  }
  get chain(): ChainStore {
    return this.sequencer.chain;
  }
  get history(): StateHistory {
    return this.sequencer.local.history;
  }
  tokenMetadata(tokenId: number): TokenMetadata | undefined {
    return this.sequencer.local.tokenMetadata(tokenId);
  }
  get experimentalEvm(): boolean {
    return this.config.experimentalEvm === true;
  }
  simulate<T>(run: (options: EngineOptions) => Promise<T>): Promise<T> {
    return this.simulations.run(run);
  }

  nonce(address: string, tag: "latest" | "pending") {
    return this.sequencer.nonce(address, tag);
  }
  pendingTransaction(hash: string): TxResult | undefined {
    return this.sequencer.isPending(hash);
  }
  untilSealed(hash: string): Promise<void> {
    // Blocks slower than a second are slow on purpose (tests): an answer now is better.
    const waitMs = this.config.blockTimeMs <= 1_000 ? this.config.blockTimeMs + 100 : 0;
    return waitMs === 0 || !this.sequencer.isPending(hash) ? Promise.resolve() : this.sealWaiters.wait(waitMs);
  }
  onBlock(listener: (block: L2Block) => void): void {
    this.sequencer.onBlock(listener);
  }
  status(): RollupStatus {
    return this.sequencer.local.status(this.follower.counts, { bridge: this.config.addresses.bridge, rollup: this.config.addresses.rollup, chainId: this.l1ChainId });
  }

  /** Validates and applies `raw`, and returns its hash once the transaction is durable. */
  async sendRawTransaction(raw: string): Promise<string> {
    if (this.evm) return this.evm.send(raw, () => this.refuseWhenBusy());
    this.refuseWhenBusy();
    const decoded = decodeRawTransaction(raw, this.sequencer.chainId);
    requireWithinBlockGasLimit(decoded);
    const request = { payload: decoded.signingPayload, sig: decoded.sig, raw: decoded.raw };
    const signed = this.recovery ? await this.recovery.recover(request) : recoverHere(request);
    const hash = this.sequencer.sendParsedTransaction(authenticate(decoded, signed.from, signed.hash!));
    await this.durability.acknowledge(raw);
    return hash;
  }

  /** The backpressure limits in force (see the config). */
  backlogLimits(): { maxBytes: number; maxAgeMs: number } {
    return { maxBytes: this.config.maxBacklogBytes ?? 32 * this.config.maxBatchBytes, maxAgeMs: this.maxBacklogAgeMs };
  }

  /** Throws OverloadedError while the chain is being lined up with L1, or the unposted backlog is past either limit. */
  private refuseWhenBusy(): void {
    if (this.resyncing) throw new OverloadedError("the sequencer is lining its chain up with L1 after another proposer's batch; try again shortly");
    const { bytes, oldestAgeMs } = this.submitter.backlog();
    const limits = this.backlogLimits();
    if (bytes <= limits.maxBytes && oldestAgeMs <= limits.maxAgeMs) return;
    throw new OverloadedError(`the sequencer is behind posting to L1 (${bytes} bytes unposted, the oldest block ${Math.round(oldestAgeMs / 1000)} s old); try again shortly`);
  }

  // --- lifecycle ----------------------------------------------------------------------------
  async start(): Promise<void> {
    const c = this.config;
    if (c.experimentalEvm) await requireLocalL1ForEvm(c.l1Provider);
    if (c.experimentalEvm && c.dataDir) throw new ExperimentalEvmDataDirError(c.dataDir);
    this.l1ChainId = Number((await c.l1Provider.getNetwork()).chainId);
    this.maxBacklogAgeMs = c.maxBacklogAgeMs ?? (Number(await this.l1.rollup.sequencerTimeout()) * 1000) / 4;
    if (c.dataDir) this.startup.restoredBlocks = await this.durability.openStore(c.dataDir, this.l1, { chainId: c.chainId, rollup: c.addresses.rollup });
    await this.syncFromL1();
    if (c.dataDir) {
      const raws = this.durability.openJournal(c.dataDir);
      // A refusal here is a transaction already on L1 (nonce used), or no longer valid.
      const { applied } = await this.reapply(raws);
      if (raws.length) c.logger.info({ journaled: raws.length, reapplied: applied }, "replayed the journal of accepted transactions");
    }
    if (c.autoBond) await this.ensureBond();
    if (c.wrapBatchPort) {
      const context = { l1: this.l1, chainId: c.chainId, blocks: this.chain.blocks, queue: (i: bigint) => this.sequencer.local.queue.entry(i), logger: c.logger };
      this.submitter = this.createSubmitter(await c.wrapBatchPort(batchDataPort(c.batchData, this.l1, this.txs, c.logger), context));
    }
    await this.pollL1();
    if (c.recoveryWorker !== false) this.recovery = RecoveryWorker.start();
    if (c.serve) {
      this.endpoint = await c.serve(this);
      this.rpcUrl = this.endpoint.url;
    }
    this.every(c.blockTimeMs, () => {
      if (!this.resyncing) this.sequencer.sealBlock();
    });
    this.every(c.l1PollMs, () => this.pollL1());
    this.every(Math.min(1000, c.maxBatchAgeMs), () => this.submitter.tick());
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
    this.loops = [];
    await this.polling.settled();
    await this.submitter.idle();
    await this.endpoint?.stop();
    this.endpoint = null;
    await this.recovery?.stop();
    this.recovery = null;
    await this.simulations.close();
    await this.durability.close();
  }

  /**
   * Brings the chain up to what L1 holds — batches this node posted before a restart (the ones
   * its store does not have yet), or a fallback proposer's — so that the node carries on from
   * L1's tip. If what the node holds does not line up with L1, it starts over from genesis on L1.
   * A batch that cannot be authenticated (see readBatch) fails the start: a sequencer must not
   * build on a tip it cannot read.
   */
  async syncFromL1(): Promise<void> {
    const start = this.config.startBlock;
    const head = await this.follower.confirmedHead();
    if (head < start) return;
    const span = await this.follower.read(start, head, false);
    await this.follower.checkQueueComplete(head);
    this.sequencer.local.queue.learn(span.queue);
    this.sequencer.local.addTokenMetadata(span.tokens);
    // With a store, what L1 still holds up to the last stored batch need not be read again.
    const from = await storedBatchesStanding(this.l1, this.chain);
    let batches = await readCurrentBatches(this.l1, from > 0 ? this.chain.batches[from - 1].l1Block : start, head, from);
    try {
      this.startup.replayedBlocks += await lineUpWithL1(this.sequencer, batches, from, { experimentalEvm: this.config.experimentalEvm });
    } catch (e) {
      if (!(e instanceof ChainDivergesFromL1Error || e instanceof PostedBlockRefusedError) || this.chain.blocks.length <= 1) throw e;
      this.config.logger.warn({ err: e.message }, "the stored chain does not line up with L1; rebuilding from L1");
      this.startup.rebuiltFromL1 = true;
      this.durability.resetToGenesis();
      if (from > 0) batches = await readCurrentBatches(this.l1, start, head);
      this.startup.replayedBlocks += await lineUpWithL1(this.sequencer, batches, 0, { experimentalEvm: this.config.experimentalEvm });
    }
    this.follower.skipTo(head + 1);
    this.sequencer.addQueueEntries([]);
    if (batches.length) this.config.logger.info({ batches: batches.length, l2Block: this.chain.latest.number, stateRoot: this.chain.latest.stateRoot, replayed: this.startup.replayedBlocks }, "synced the chain from L1");
  }

  /**
   * Applies raw transactions accepted before, in order; those that no longer apply are skipped
   * with their reasons. In experimental EVM mode the caller holds the intake's turn.
   */
  private async reapply(raws: string[]): Promise<{ applied: number; dropped: string[] }> {
    let applied = 0;
    const dropped: string[] = [];
    for (const raw of raws) {
      try {
        if (this.evm) await this.evm.applyInTurn(raw);
        else this.sequencer.sendRawTransaction(raw);
        applied++;
      } catch (e) {
        if (!(e instanceof InvalidOperationError)) throw e;
        dropped.push(e.message.slice(0, 120));
      }
    }
    return { applied, dropped };
  }

  /** Reads L1 now (deposits, counters): a call during a poll gets the next one (see freshRuns). */
  pollL1(): Promise<void> {
    // Not while the chain is being rebuilt: the follower would apply queue entries to it.
    return this.resyncing ? this.resyncing.then(() => this.polling()) : this.polling();
  }

  /**
   * Another proposer's batch took the index this node's next batch was for — a fallback proposer
   * posting the queue while the sequencer was coming back — so the unposted blocks build on a
   * tip L1 no longer has. L1's batches are the chain: the node rebuilds it from L1 and applies
   * the transactions of its unposted blocks again on top, in their order (intake and L1 polls
   * wait meanwhile). One that no longer applies — its sender's funds left in a forced
   * withdrawal the other batch applied first — is reported, as wallets are for a dropped
   * transaction.
   */
  private resyncWithL1(): Promise<void> {
    // In experimental EVM mode the intake's turn is taken, so that no transaction applies
    // meanwhile — once the poll under way has settled, since it waits for that turn to apply
    // queue entries (polls started later wait for the resync).
    const evm = this.evm;
    const resync = () => (evm ? this.polling.settled().then(() => evm.inTurn(() => this.resync())) : this.resync());
    this.resyncing ??= resync().finally(() => (this.resyncing = null));
    return this.resyncing;
  }

  private async resync(): Promise<void> {
    await this.polling.settled();
    this.sequencer.sealBlock();
    const pending = this.chain.unbatched().flatMap((b) => b.transactions.map((t) => "0x" + t.raw.toString("hex")));
    this.durability.resetToGenesis();
    await this.syncFromL1();
    const { applied, dropped } = await this.reapply(pending);
    this.sequencer.sealBlock();
    this.config.logger.warn({ l2Block: this.chain.latest.number, reapplied: applied, dropped: dropped.length, reasons: dropped.slice(0, 5) }, "lined the chain up with L1 again and re-applied the unposted transactions");
  }

  /** Seals the open block and posts every unposted block now (tests and scripts). */
  async flush(): Promise<void> {
    this.sequencer.sealBlock();
    await this.submitter.idle();
    while (this.chain.unbatched().length > 0) {
      // Counted by landings, not by batch records: a tick that finds a batch reverted drops its
      // record and posts anew, leaving the count where it was.
      const before = this.submitter.batchesLanded;
      await this.submitter.tick(true);
      if (this.submitter.batchesLanded === before) throw new BatchesNotPostedError(this.chain.unbatched().length);
    }
    await this.pollL1();
  }

  private async ensureBond(): Promise<void> {
    await ensureBond(this.l1, this.txs, await this.config.l1Signer.getAddress(), this.config.logger);
  }

  private every(ms: number, task: () => unknown): void {
    this.loops.push(repeat(ms, task, { logger: this.config.logger, what: "background task", unref: true }));
  }
}
