/**
 * The sequencer process: wires the ordering engine to the L1 follower (deposits in), the batch
 * submitter (batches out) and the JSON-RPC server, on timers. Thin on purpose: each service is
 * its own object and can be driven step by step in tests.
 */
import { Sequencer } from "./sequencer";
import { SequencerBacked } from "./sequencerBacked";
import { L1Contracts, type L1NodeConfig } from "../l1/contracts";
import { L1Follower } from "../l1/follower";
import { BatchSubmitter } from "./batchSubmitter";
import { readCurrentBatches, type PostedBatch } from "../l1/batchReader";
import { RecoveryWorker, recoverHere } from "../recoveryWorker";
import { NodeStore, queueHeadOnL1 } from "../store/nodeStore";
import type { L1QueueEntry } from "../l1/contracts";
import { L2State } from "../../core/state";
import { authenticate, decodeRawTransaction } from "../../core/intake";
import { OverloadedError } from "../../core/errors";
import { TxJournal } from "../store/txJournal";
import { freshRuns, repeat, type Repeating } from "../../shared/schedule";
import path from "node:path";
import type { Logger } from "../../shared/logger";
import type { Endpoint, L2Backend, Serve } from "../../chain/backend";
import type { RollupStatus } from "../../chain/api";
import type { TxResult } from "../../core/execute";
import type { L2Block } from "../../chain/chainStore";
import { FaultInjector, type FaultKind } from "./faults";
import { L1TxManager, type L1TxManagerOptions } from "../l1/txManager";

export interface SequencerNodeConfig extends L1NodeConfig {
  baseFee: bigint;
  feeRecipient: string;
  blockTimeMs: number;
  l1PollMs: number;
  maxBatchBytes: number;
  maxBatchAgeMs: number;
  /** Post the rollup's bond from the L1 signer at start if it is short. */
  autoBond: boolean;
  /** How the node is served to clients once in sync (the JSON-RPC: see app/jsonRpc); none: not served. */
  serve?: Serve;
  logger: Logger;
  /** Faulty mode: corrupt one batch with this kind of fraud (local L1 only; off by default). */
  faulty?: FaultKind;
  /** Where the node keeps its journal of accepted transactions; none: nothing survives a restart. */
  dataDir?: string;
  /** Recover signatures on a worker thread (default: yes, where native secp256k1 loads). */
  recoveryWorker?: boolean;
  /**
   * Backpressure: refuse new L2 transactions while this many bytes of sealed blocks wait to be
   * posted (default: 32 batches' worth), or while the oldest has waited this long (default: a
   * quarter of the Rollup's sequencer timeout, read from L1 at start). Past the timeout other
   * proposers may post and the rule on overdue queue entries counts from L1's time, so unposted
   * blocks must never get that old; L1 queue entries are still applied meanwhile.
   */
  maxBacklogBytes?: number;
  maxBacklogAgeMs?: number;
  /** How the node's L1 transactions are re-sent and timed out (see L1TxManager). */
  l1Tx?: Omit<L1TxManagerOptions, "logger">;
}

export class SequencerNode extends SequencerBacked implements L2Backend {
  readonly sequencer: Sequencer;
  readonly l1: L1Contracts;
  readonly follower: L1Follower;
  submitter: BatchSubmitter;
  private endpoint: Endpoint | null = null;
  private loops: Repeating[] = [];
  private readonly polling = freshRuns(() => this.follower.poll());
  private l1ChainId = 0;
  private journal: TxJournal | null = null;
  private recovery: RecoveryWorker | null = null;
  private store: NodeStore | null = null;
  /** How the node came up: blocks loaded from its store, and blocks it replayed from L1. */
  readonly startup = { restoredBlocks: 0, replayedBlocks: 0, rebuiltFromL1: false };
  rpcUrl: string | null = null;
  private maxBacklogAgeMs = Infinity;
  /** Set while the chain is rebuilt from L1 after another proposer's batch (see resyncWithL1). */
  private resyncing: Promise<void> | null = null;
  /** Every L1 transaction of the node (batches, bond) goes through it, one nonce after another. */
  readonly txs: L1TxManager;

  constructor(private readonly config: SequencerNodeConfig) {
    super();
    // L2 time is L1 time: blocks are stamped with the latest L1 block's (see L1Follower.l1Time).
    this.sequencer = new Sequencer({ chainId: config.chainId, baseFee: config.baseFee, feeRecipient: config.feeRecipient, logger: config.logger, now: () => this.follower?.l1Time ?? 0 });
    this.l1 = new L1Contracts(config.l1Provider, config.addresses, config.l1Signer);
    this.txs = new L1TxManager(config.l1Signer, { ...config.l1Tx, logger: config.logger });
    this.follower = new L1Follower(this.l1, this.sequencer, { startBlock: config.startBlock, confirmations: config.confirmations, logger: config.logger });
    this.submitter = this.createSubmitter();
    this.sequencer.onBlock((b) => this.submitter.noteBlock(b));
    this.submitter.onPosted(() => this.trimJournal());
  }

  /** Once every accepted transaction is in a batch on L1, the journal has nothing to keep. */
  private trimJournal(): void {
    if (this.journal && this.chain.unbatched().length === 0 && !this.sequencer.hasOpenBlock) this.journal.truncate();
  }

  private createSubmitter(injector?: FaultInjector): BatchSubmitter {
    const c = this.config;
    return new BatchSubmitter(this.l1, this.sequencer.chain, {
      maxBatchBytes: c.maxBatchBytes,
      maxBatchAgeMs: c.maxBatchAgeMs,
      logger: c.logger,
      ensureBond: c.autoBond ? () => this.ensureBond() : undefined,
      injector,
      txs: this.txs,
      onDiverged: () => this.resyncWithL1(),
    });
  }

  // --- L2Backend (the reads: SequencerBacked) --------------------------------------------
  protected engine(): Sequencer {
    return this.sequencer;
  }
  nonce(address: string, tag: "latest" | "pending") {
    return this.sequencer.nonce(address, tag);
  }
  pendingTransaction(hash: string): TxResult | undefined {
    return this.sequencer.isPending(hash);
  }
  onBlock(listener: (block: L2Block) => void): void {
    this.sequencer.onBlock(listener);
  }
  /** Validates and applies `raw`, and returns its hash once the transaction is durable. */
  async sendRawTransaction(raw: string): Promise<string> {
    if (this.resyncing) throw new OverloadedError("the sequencer is lining its chain up with L1 after another proposer's batch; try again shortly");
    this.refuseWhenBacklogged();
    const decoded = decodeRawTransaction(raw, this.sequencer.chainId);
    const request = { payload: decoded.signingPayload, sig: decoded.sig, raw: decoded.raw };
    const signed = this.recovery ? await this.recovery.recover(request) : recoverHere(request);
    const hash = this.sequencer.sendParsedTransaction(authenticate(decoded, signed.from, signed.hash!));
    await this.journal?.append(raw);
    return hash;
  }
  /** The backpressure limits in force (see the config). */
  backlogLimits(): { maxBytes: number; maxAgeMs: number } {
    return { maxBytes: this.config.maxBacklogBytes ?? 32 * this.config.maxBatchBytes, maxAgeMs: this.maxBacklogAgeMs };
  }

  /** Throws OverloadedError while the unposted backlog is past either limit. */
  private refuseWhenBacklogged(): void {
    const { bytes, oldestAgeMs } = this.submitter.backlog();
    const limits = this.backlogLimits();
    if (bytes <= limits.maxBytes && oldestAgeMs <= limits.maxAgeMs) return;
    throw new OverloadedError(
      `the sequencer is behind posting to L1 (${bytes} bytes unposted, the oldest block ${Math.round(oldestAgeMs / 1000)} s old); try again shortly`,
    );
  }

  status(): RollupStatus {
    return this.sequencer.status(this.follower.counts, { bridge: this.config.addresses.bridge, rollup: this.config.addresses.rollup, chainId: this.l1ChainId });
  }

  // --- lifecycle -----------------------------------------------------------------------
  async start(): Promise<void> {
    this.l1ChainId = Number((await this.config.l1Provider.getNetwork()).chainId);
    this.maxBacklogAgeMs = this.config.maxBacklogAgeMs ?? (Number(await this.l1.rollup.sequencerTimeout()) * 1000) / 4;
    if (this.config.dataDir) await this.openStore(this.config.dataDir);
    await this.syncFromL1();
    if (this.config.dataDir) {
      this.journal = new TxJournal(path.join(this.config.dataDir, "accepted-txs.log"));
      this.replayJournal(this.journal.read());
    }
    if (this.config.autoBond) await this.ensureBond();
    if (this.config.faulty) {
      const injector = await FaultInjector.create(this.config.faulty, {
        l1: this.l1,
        chainId: this.config.chainId,
        blocks: this.chain.blocks,
        queue: (i) => this.sequencer.queueEntry(i),
        logger: this.config.logger,
      });
      this.submitter = this.createSubmitter(injector);
      this.submitter.onPosted(() => this.trimJournal());
      this.config.logger.warn({ fault: this.config.faulty }, "FAULTY MODE: one batch will carry this fraud");
    }
    await this.pollL1();
    if (this.config.recoveryWorker !== false) this.recovery = RecoveryWorker.start();
    if (this.config.serve) {
      this.endpoint = await this.config.serve(this);
      this.rpcUrl = this.endpoint.url;
    }
    this.every(this.config.blockTimeMs, () => {
      if (!this.resyncing) this.sequencer.sealBlock();
    });
    this.every(this.config.l1PollMs, () => this.pollL1());
    this.every(Math.min(1000, this.config.maxBatchAgeMs), () => this.submitter.tick());
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
    await this.store?.close();
    this.store = null;
    this.journal?.close();
    this.journal = null;
  }

  /**
   * Opens the store in `dataDir` and loads the chain and state it holds, so that syncing from L1
   * only has to cover what was posted since; from then on every block and batch record is
   * mirrored to it.
   */
  private async openStore(dataDir: string): Promise<void> {
    const store = await NodeStore.open(path.join(dataDir, "chain"), { chainId: this.config.chainId, rollup: this.config.addresses.rollup });
    this.store = store;
    const restored = await store.load((accounts, meta) => L2State.restore(accounts, meta));
    if (restored && !(await queueHeadOnL1(this.l1.bridge, restored.state.queueIndex, restored.extra.queueHead))) {
      this.config.logger.warn("the store is of another chain, or of L1 history that is gone; rebuilding from L1");
      store.clear();
    } else if (restored) {
      try {
        this.sequencer.restore(restored);
        this.startup.restoredBlocks = restored.blocks.length - 1;
        this.config.logger.info({ l2Block: this.chain.latest.number, stateRoot: this.chain.latest.stateRoot, batches: this.chain.batches.length }, "loaded the chain from the store");
      } catch (e) {
        this.config.logger.warn({ err: (e as Error).message }, "the store is inconsistent; rebuilding from L1");
        store.clear();
      }
    }
    if (this.startup.restoredBlocks === 0) this.startStoreAtGenesis();
    else this.state.trackChanges();
    this.sequencer.onBlock((b) => this.store?.saveBlock(b, this.state, { queueHead: this.queueHead() }));
    this.chain.onBatchesChanged((recorded, droppedFrom) => this.store?.saveBatchChange(recorded, droppedFrom));
  }

  /** An empty store gets the genesis block and state; every block appended after adds its changes. */
  private startStoreAtGenesis(): void {
    this.state.trackChanges(true);
    this.store!.saveBlock(this.chain.blocks[0], this.state, { queueHead: "" });
  }

  /** The accumulator of the last L1 queue entry the state consumed ("" for none). */
  private queueHead(): string {
    const i = this.state.queueIndex;
    return i === 0n ? "" : ((this.sequencer.queueEntry(i - 1n) as L1QueueEntry | undefined)?.accumulator ?? "");
  }

  /**
   * Brings the chain up to what L1 holds — batches this node posted before a restart (the ones
   * its store does not have yet), or a fallback proposer's — so that the node carries on from
   * L1's tip. If what the node holds does not line up with L1, it starts over from genesis on L1.
   * A batch that cannot be authenticated (see readBatch) fails the start: a sequencer must not
   * build on a tip it cannot read.
   */
  async syncFromL1(): Promise<void> {
    const head = (await this.config.l1Provider.getBlockNumber()) - this.config.confirmations;
    if (head < this.config.startBlock) return;
    this.sequencer.learnQueueEntries(await this.l1.queueEntries(this.config.startBlock, head));
    this.sequencer.addTokenMetadata(await this.l1.tokenRegistrations(this.config.startBlock, head));
    // With a store, what L1 still holds up to the last stored batch need not be read again.
    const from = await this.storedBatchesStanding();
    const fromBlock = from > 0 ? this.chain.batches[from - 1].l1Block : this.config.startBlock;
    let batches = await readCurrentBatches(this.l1, fromBlock, head, from);
    try {
      this.lineUpWithL1(batches, from);
    } catch (e) {
      if (this.chain.blocks.length <= 1) throw e;
      this.config.logger.warn({ err: (e as Error).message }, "the stored chain does not line up with L1; rebuilding from L1");
      this.startup.rebuiltFromL1 = true;
      this.sequencer.resetToGenesis();
      if (this.store) {
        this.store.clear();
        this.startStoreAtGenesis();
      }
      if (from > 0) batches = await readCurrentBatches(this.l1, this.config.startBlock, head);
      this.lineUpWithL1(batches, 0);
    }
    this.follower.skipTo(head + 1);
    this.sequencer.addQueueEntries([]);
    if (batches.length) this.config.logger.info({ batches: batches.length, l2Block: this.chain.latest.number, stateRoot: this.chain.latest.stateRoot, replayed: this.startup.replayedBlocks }, "synced the chain from L1");
  }

  /**
   * How many of the stored batch records L1 still holds as they are: all of them when L1 still
   * has the last one's post-state root at its index (a revert or reorg of an earlier one would
   * have taken it too), else none (the chain is then checked against L1 from the start).
   */
  private async storedBatchesStanding(): Promise<number> {
    const last = this.chain.batches[this.chain.batches.length - 1];
    if (!last || last.l1Block === 0) return 0;
    if ((await this.l1.rollup.batchCount()) <= BigInt(last.index)) return 0;
    const header = await this.l1.rollup.getBatch(last.index);
    return header.postStateRoot === this.chain.block(last.lastBlock)!.stateRoot ? this.chain.batches.length : 0;
  }

  /**
   * Records, checks or adopts each of L1's batches (`batches`, L1's current ones from index
   * `from` on) against the chain held; throws where they disagree.
   */
  private lineUpWithL1(batches: PostedBatch[], from: number): void {
    // Records past what L1 holds were reverted or reorganised away while the node was down.
    if (this.chain.batches.length > from + batches.length) this.chain.dropBatchesFrom(from + batches.length);
    for (const batch of batches) {
      const last = batch.firstBlock + batch.bodies.length - 1;
      if (this.chain.latest.number >= last) {
        // Blocks this node holds (posted before a restart, maybe with the record lost): the same ones?
        const same = this.chain.block(batch.firstBlock - 1)?.stateRoot === batch.preStateRoot && batch.bodies.every((b, i) => this.chain.block(batch.firstBlock + i)!.body.equals(b));
        if (!same) throw new Error(`L1 batch ${batch.index} (blocks ${batch.firstBlock}-${last}) is not the chain this node holds`);
        if (!this.chain.batches[batch.index]) this.chain.recordBatch({ index: batch.index, firstBlock: batch.firstBlock, lastBlock: last, l1TxHash: batch.l1TxHash, l1Block: batch.l1Block });
        continue;
      }
      if (this.chain.latest.number + 1 !== batch.firstBlock || this.chain.latest.stateRoot !== batch.preStateRoot) {
        throw new Error(`L1 batch ${batch.index} starts at block ${batch.firstBlock}; this node's chain ends at ${this.chain.latest.number}`);
      }
      // Replayed where it sits in its batch, so a batch wrong only about the queue (consuming past
      // its queue count, or stopping short of it) is refused like any other fraud.
      const blocks = batch.bodies.map((body, c) => this.sequencer.adoptPostedBlock(body, { queueLimit: batch.queueCount, lastInBatch: c === batch.bodies.length - 1 }));
      this.startup.replayedBlocks += blocks.length;
      this.chain.recordBatch({ index: batch.index, firstBlock: blocks[0].number, lastBlock: blocks[blocks.length - 1].number, l1TxHash: batch.l1TxHash, l1Block: batch.l1Block });
    }
  }

  /**
   * Re-applies the journal after a restart. Transactions that are in L1's batches already are
   * refused as known (their nonce is used) and skipped; the others go into new blocks in the
   * order they were first accepted.
   */
  private replayJournal(raws: string[]): void {
    // A refusal here is a transaction already on L1 (nonce used), or no longer valid.
    const { applied } = this.reapply(raws);
    if (raws.length) this.config.logger.info({ journaled: raws.length, reapplied: applied }, "replayed the journal of accepted transactions");
  }

  /** Applies raw transactions accepted before, in order; those that no longer apply are skipped with their reasons. */
  private reapply(raws: string[]): { applied: number; dropped: string[] } {
    let applied = 0;
    const dropped: string[] = [];
    for (const raw of raws) {
      try {
        this.sequencer.sendRawTransaction(raw);
        applied++;
      } catch (e) {
        dropped.push((e as Error).message.slice(0, 120));
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
    this.resyncing ??= this.resync().finally(() => (this.resyncing = null));
    return this.resyncing;
  }

  private async resync(): Promise<void> {
    await this.polling.settled();
    this.sequencer.sealBlock();
    const pending = this.chain.unbatched().flatMap((b) => b.transactions.map((t) => "0x" + t.raw.toString("hex")));
    this.sequencer.resetToGenesis();
    if (this.store) {
      this.store.clear();
      this.startStoreAtGenesis();
    }
    await this.syncFromL1();
    const { applied, dropped } = this.reapply(pending);
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
      if (this.submitter.batchesLanded === before) throw new Error("batch submission failed");
    }
    await this.pollL1();
  }

  private async ensureBond(): Promise<void> {
    const me = await this.config.l1Signer.getAddress();
    const [bond, required] = await Promise.all([this.l1.rollup.bonds(me), this.l1.rollup.bondSize()]);
    if (bond >= required) return;
    await this.txs.send({ to: this.config.addresses.rollup, data: this.l1.rollup.interface.encodeFunctionData("postBond"), value: required - bond }, "proposer bond");
    this.config.logger.info({ proposer: me, bond: required.toString() }, "posted proposer bond");
  }

  private every(ms: number, task: () => unknown): void {
    this.loops.push(repeat(ms, task, { logger: this.config.logger, what: "background task", unref: true }));
  }
}
