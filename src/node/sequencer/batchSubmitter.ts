/**
 * Posts sealed blocks to L1 as batches, when enough bytes have gathered or the oldest unposted
 * block has waited long enough. One submission at a time; the batch index makes a resubmission
 * after a failure harmless (the contract refuses a second copy).
 */
import { MAX_COMMITMENTS_PER_BATCH } from "../../core/constants";
import { emptyRunOf, mergeEmptyRuns } from "../../core/commitment";
import type { ChainStore, L2Block } from "../../chain/chainStore";
import type { L1Contracts } from "../l1/contracts";
import type { Logger } from "../../shared/logger";
import { CairnError } from "../../core/errors";
import type { BatchPort } from "./batchPort";

export interface BatchSubmitterOptions {
  /** Post once this many bytes of commitments are waiting (and never post more in one batch). */
  maxBatchBytes: number;
  /** The most blocks one batch takes (default MAX_COMMITMENTS_PER_BATCH; a blob batch holds at most MAX_BLOB_COMMITMENTS). */
  maxBatchBlocks?: number;
  /**
   * Whether one batch can carry these bodies (as posted: empty blocks merged into runs); none:
   * the byte and block limits say. Blob batches must pack into at most six blobs (packBlobs).
   */
  fits?: (bodies: Buffer[]) => boolean;
  /** Post once the oldest unposted block is this old, in milliseconds. */
  maxBatchAgeMs: number;
  /** Post unposted blocks that are all empty once the oldest is this old, in ms (default 30 s). */
  maxIdleBatchAgeMs?: () => number;
  logger: Logger;
  nowMs?: () => number;
  /** Tops up the proposer bond before posting (after a slashing, say). */
  ensureBond?: () => Promise<void>;
  /** Where batches go: the Rollup (see rollupBatchPort), or a port wrapping it. */
  port: BatchPort;
  /**
   * L1 holds, at the index this node's next batch was for, a batch that is not of its chain
   * (another proposer posted while this node was behind): the node must line its chain up with
   * L1 again. Without it the submitter refuses to post over that batch, for good.
   */
  onDiverged?: () => Promise<void>;
}

/** How long empty blocks alone wait to be posted, by default: well inside any sequencer timeout's quarter. */
const IDLE_BATCH_AGE_MS = 30_000;

/** What is sealed but not yet posted: what backpressure looks at. */
export interface Backlog {
  bytes: number;
  /** Age of the oldest unposted block, in milliseconds (0 when there is none). */
  oldestAgeMs: number;
}

/** L1 holds another chain's batch where this node's next one was to go, and nothing lines the node up again. */
export class BatchSlotTakenError extends CairnError {
  override readonly name = "BatchSlotTakenError";
  readonly code = "BATCH_SLOT_TAKEN";
  constructor(
    readonly batchIndex: number,
    readonly proposer: string,
  ) {
    super(`L1 batch ${batchIndex} (by ${proposer}) does not match this node's chain; refusing to post over it`);
  }
}

/** A forced post (flush) got nothing onto L1: the submission failed and was logged. */
export class BatchesNotPostedError extends CairnError {
  override readonly name = "BatchesNotPostedError";
  readonly code = "BATCHES_NOT_POSTED";
  constructor(readonly unpostedBlocks: number) {
    super("batch submission failed", { details: `${unpostedBlocks} blocks still unposted` });
  }
}

export class BatchSubmitter {
  private inFlight: Promise<void> | null = null;
  /** When each unposted block was sealed, in sealing order (so the first is the oldest). */
  private readonly sealedAt = new Map<number, number>();
  private unpostedBytes = 0;
  /** A batch the port posted other than as given: nothing is posted on top of it until it is reverted. */
  private heldFor: number | null = null;
  /** Batches reverted on L1 by fraud proofs so far, as this submitter saw them. */
  revertedSeen = 0;
  /** Batches this submitter got onto L1 (posted, or found there and adopted). */
  batchesLanded = 0;
  private readonly postedListeners: Array<() => void> = [];

  /** Calls `listener` after each batch lands. */
  onPosted(listener: () => void): void {
    this.postedListeners.push(listener);
  }

  constructor(
    private readonly l1: L1Contracts,
    private readonly chain: ChainStore,
    private readonly options: BatchSubmitterOptions,
  ) {}

  /** Tells the submitter a block was sealed (starts its age clock). */
  noteBlock(block: L2Block): void {
    this.sealedAt.set(block.number, this.nowMs());
    this.unpostedBytes += block.body.length + 2;
  }

  /** The unposted blocks' size and age, in O(1) amortized: the sequencer asks before every transaction. */
  backlog(): Backlog {
    // Blocks batched by someone else (adopted from L1 at a sync) were noted too: drop them here.
    for (const [number] of this.sealedAt) {
      const block = this.chain.block(number);
      if (block && block.batchIndex === null) break;
      this.sealedAt.delete(number);
      if (block) this.unpostedBytes -= block.body.length + 2;
    }
    const oldest = this.sealedAt.values().next();
    return { bytes: this.unpostedBytes, oldestAgeMs: oldest.done ? 0 : this.nowMs() - oldest.value };
  }

  /** Posts a batch if one is due; resolves when that submission (if any) has finished. */
  async tick(force = false): Promise<void> {
    // A forced tick must run itself: the run under way may have decided nothing was due yet.
    while (force && this.inFlight) await this.inFlight;
    if (!this.inFlight) {
      this.inFlight = this.run(force).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async run(force: boolean): Promise<void> {
    await this.reconcile();
    if (this.heldFor !== null) return;
    const blocks = this.chain.unbatched();
    if (blocks.length === 0) return;
    const bytes = blocks.reduce((n, b) => n + b.body.length + 2, 0);
    const age = this.nowMs() - (this.sealedAt.get(blocks[0].number) ?? 0);
    // Only empty blocks: nothing waits on them but `safe`, so they go as one run now and then.
    const due = blocks.every((b) => emptyRunOf(b.body)) ? (this.options.maxIdleBatchAgeMs?.() ?? IDLE_BATCH_AGE_MS) : this.options.maxBatchAgeMs;
    if (!force && bytes < this.options.maxBatchBytes && age < due) return;
    await this.options.ensureBond?.();
    await this.submit(this.take(blocks));
  }

  /**
   * Notices batches of ours that a fraud proof reverted: their blocks become unposted again and
   * are posted anew (honestly) from the last good state on L1.
   */
  private async reconcile(): Promise<void> {
    if (this.chain.batches.length === 0) return;
    const onChain = Number(await this.l1.rollup.batchCount());
    if (onChain >= this.chain.batches.length) return;
    const dropped = this.chain.dropBatchesFrom(onChain);
    this.revertedSeen += dropped.length;
    this.recountBacklog();
    if (this.heldFor !== null && this.heldFor >= onChain) this.heldFor = null;
    this.options.logger.warn({ from: onChain, batches: dropped.length }, "batches reverted by a fraud proof; posting the blocks again from the last good state");
  }

  /** Posted blocks leave the backlog (only those it counted: blocks restored at start were not noted). */
  private forget(blocks: L2Block[]): void {
    for (const b of blocks) if (this.sealedAt.delete(b.number)) this.unpostedBytes -= b.body.length + 2;
  }

  /** Blocks unposted again after a revert count from now: they were sealed, and checked, before. */
  private recountBacklog(): void {
    const unposted = this.chain.unbatched();
    const now = this.nowMs();
    const sealed = new Map(unposted.map((b) => [b.number, this.sealedAt.get(b.number) ?? now]));
    this.sealedAt.clear();
    for (const [n, at] of sealed) this.sealedAt.set(n, at);
    this.unpostedBytes = unposted.reduce((sum, b) => sum + b.body.length + 2, 0);
  }

  /** Waits for the submission in flight, if any. */
  async idle(): Promise<void> {
    await this.inFlight;
  }

  private take(blocks: L2Block[]): L2Block[] {
    const out: L2Block[] = [];
    let bytes = 0;
    for (const b of blocks) {
      if (out.length > 0 && (bytes + b.body.length + 2 > this.options.maxBatchBytes || out.length >= (this.options.maxBatchBlocks ?? MAX_COMMITMENTS_PER_BATCH))) break;
      out.push(b);
      bytes += b.body.length + 2;
    }
    const fits = this.options.fits;
    if (!fits || fits(mergeEmptyRuns(out.map((b) => b.body)))) return out;
    // The longest prefix that fits, by bisection: a prefix never needs more blobs than the whole.
    let lo = 1;
    let hi = out.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(mergeEmptyRuns(out.slice(0, mid).map((b) => b.body)))) lo = mid;
      else hi = mid - 1;
    }
    return out.slice(0, lo);
  }

  private async submit(blocks: L2Block[]): Promise<void> {
    const index = this.chain.batches.length;
    const last = blocks[blocks.length - 1];
    // Neighbouring empty blocks go as one run: nine bytes, however many there are.
    const bodies = mergeEmptyRuns(blocks.map((b) => b.body));
    const batch = { index, preStateRoot: this.chain.block(blocks[0].number - 1)!.stateRoot, bodies, queueCount: last.queueIndex, blocks };
    const log = this.options.logger.child({ batch: index, blocks: `${blocks[0].number}-${last.number}` });
    try {
      if (await this.adoptLanded(index, blocks)) return;
      const receipt = await this.options.port.post(batch);
      this.chain.recordBatch({ index, firstBlock: blocks[0].number, lastBlock: last.number, l1TxHash: receipt.hash, l1Block: receipt.blockNumber, blobBlocks: receipt.blobBlocks });
      this.batchesLanded++;
      if (!receipt.asGiven) this.heldFor = index;
      for (const l of this.postedListeners) l();
      this.forget(blocks);
      log.info({ l1Tx: receipt.hash, gasUsed: receipt.gasUsed.toString() }, "posted batch");
    } catch (e) {
      // Whatever failed (L1 unreachable, a timeout, a revert), the blocks stay unposted and the next tick posts them.
      log.error({ err: (e as Error).message }, "batch submission failed; will retry");
    }
  }

  /**
   * A submission whose receipt was lost may still have landed: if L1 already holds batch
   * `index` and it ends on one of our blocks, record it instead of posting it again.
   */
  private async adoptLanded(index: number, blocks: L2Block[]): Promise<boolean> {
    if ((await this.l1.rollup.batchCount()) <= BigInt(index)) return false;
    const header = await this.l1.rollup.getBatch(index);
    const lastNumber = Number(header.firstBlock) + Number(header.blockCount) - 1;
    const last = blocks.find((b) => b.number === lastNumber);
    if (Number(header.firstBlock) !== blocks[0].number || !last || last.stateRoot !== header.postStateRoot) {
      if (!this.options.onDiverged) throw new BatchSlotTakenError(index, header.proposer);
      this.options.logger.warn({ batch: index, proposer: header.proposer }, "L1 holds another proposer's batch where this node's was to go; lining the chain up with L1 again");
      await this.options.onDiverged();
      return true;
    }
    const landed = blocks.filter((b) => b.number <= lastNumber);
    const bodies = mergeEmptyRuns(landed.map((b) => b.body));
    const blobBlocks = this.options.port.blobBlocks?.({ index, preStateRoot: this.chain.block(blocks[0].number - 1)!.stateRoot, bodies, queueCount: header.queueCount, blocks: landed });
    this.chain.recordBatch({ index, firstBlock: blocks[0].number, lastBlock: lastNumber, l1TxHash: "", l1Block: 0, blobBlocks });
    this.batchesLanded++;
    this.forget(blocks.filter((b) => b.number <= lastNumber));
    this.options.logger.warn({ batch: index }, "batch was already on L1; adopted it");
    return true;
  }

  private nowMs(): number {
    return this.options.nowMs ? this.options.nowMs() : Date.now();
  }
}
