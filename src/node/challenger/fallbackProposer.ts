/**
 * The fallback proposer: when the designated sequencer has posted nothing for the sequencer
 * timeout, any bonded proposer may. This node follows L1 like the challenger (it is one), and
 * then posts batches that consume the pending L1 queue — deposits and forced withdrawals — so
 * that users can get their funds out with nothing but L1.
 */
import { BlockBuilder, BlockFullError } from "../../core/blockBuilder";
import { encodeBatch } from "../../core/commitment";
import { Challenger, type ChallengerOptions } from "./challenger";
import { submitBatchCalldata } from "../l1/contracts";
import { DEFAULT_BASE_FEE } from "../config";
import { repeat, type Repeating } from "../../shared/schedule";
import { explainStoppedFollowing } from "../l1/batchReader";
import { ensureBond } from "../l1/bond";

/** 256 commitments of 32 queue operations: about 40 kB of calldata, ~2M gas, twice QUEUE_CATCH_UP. */
export const FALLBACK_QUEUE_PER_BATCH = 8192n;

export interface FallbackProposerOptions extends ChallengerOptions {
  /** Post the bond from the L1 signer if it is short. */
  autoBond: boolean;
}

export class FallbackProposer {
  readonly challenger: Challenger;
  private loop: Repeating | null = null;
  private running: Promise<void> | null = null;
  batchesPosted = 0;

  constructor(private readonly options: FallbackProposerOptions) {
    this.challenger = new Challenger(options);
  }

  start(): void {
    // A batch the challenger cannot follow past stops the proposer too: it posts on L1's tip only once it has checked it.
    this.loop = repeat(this.options.pollMs, () => this.tick(), { logger: this.options.logger, what: "fallback proposer tick", explain: explainStoppedFollowing });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
    await this.running;
    await this.challenger.stop();
  }

  /** Follows L1 and, if the sequencer is silent and the queue is not empty, posts a batch. */
  tick(): Promise<void> {
    if (!this.running) this.running = this.tickOnce().finally(() => (this.running = null));
    return this.running;
  }

  /** Opens the store of the challenger it follows L1 with (see {@link Challenger.openStore}). */
  openStore(): Promise<void> {
    return this.challenger.openStore();
  }

  /**
   * Whether L1 lets a proposer other than the sequencer post now: the sequencer has been silent
   * for the timeout, or has left a queue entry waiting a timeout past its inclusion deadline.
   */
  async proposingOpen(): Promise<boolean> {
    const [openAt, block] = await Promise.all([this.challenger.l1.rollup.proposingOpensAt(), this.options.l1Provider.getBlock("latest")]);
    return BigInt(block!.timestamp) >= openAt;
  }

  private async tickOnce(): Promise<void> {
    const c = this.challenger;
    await c.poll();
    const l1 = c.l1;
    const queued = await l1.bridge.queueLength();
    if (queued <= c.state.queueIndex || !(await this.proposingOpen())) return;
    if (c.batchCount !== Number(await l1.rollup.batchCount())) return; // not caught up yet
    if (this.options.autoBond) await ensureBond(l1, c.txs, await this.options.l1Signer.getAddress(), this.options.logger);

    // Build on a checkpoint: the batch is applied for real when the challenger replays it from L1.
    const state = c.state;
    const preStateRoot = state.root();
    const cp = state.checkpoint();
    const bodies: Buffer[] = [];
    let queueCount = state.queueIndex;
    // At most FALLBACK_QUEUE_PER_BATCH entries a batch (at least the Rollup's QUEUE_CATCH_UP, so
    // each batch is accepted however much of the queue is overdue); the next ticks take the rest.
    const upTo = queued < state.queueIndex + FALLBACK_QUEUE_PER_BATCH ? queued : state.queueIndex + FALLBACK_QUEUE_PER_BATCH;
    try {
      // The latest L1 block's time: no earlier than any L2 block already posted, no later than
      // the block that will carry this batch.
      const timestamp = (await this.options.l1Provider.getBlock("latest"))!.timestamp;
      while (state.queueIndex < upTo) {
        const b = new BlockBuilder(state, { chainId: this.options.chainId, baseFee: DEFAULT_BASE_FEE, feeRecipient: 0, queueEntry: (i) => c.queueEntry(i) });
        // Full by its slots or by its proof weight (deposits to accounts spread through the
        // tree): seal and go on in the next block. One entry alone always fits an empty block.
        while (!b.isFull && state.queueIndex < upTo) {
          try {
            b.addQueueEntry();
          } catch (e) {
            if (e instanceof BlockFullError && b.opCount > 0) break;
            throw e;
          }
        }
        bodies.push(b.seal(timestamp).body);
      }
      queueCount = state.queueIndex;
    } finally {
      state.rollback(cp);
    }
    const index = c.batchCount;
    const data = submitBatchCalldata(index, "0x" + preStateRoot.toString("hex"), queueCount, encodeBatch(bodies));
    const receipt = await c.txs.send({ to: this.options.addresses.rollup, data }, `fallback batch ${index}`);
    this.batchesPosted++;
    this.options.logger.warn(
      { batch: index, queueEntries: Number(queueCount - BigInt(c.state.queueIndex)), left: Number(queued - queueCount), l1Tx: receipt.hash },
      "sequencer silent or censoring: posted the pending L1 queue as a fallback proposer",
    );
    await c.poll();
  }

}
