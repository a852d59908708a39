/**
 * Follows L1 for the sequencer: new queue entries and token registrations (at a confirmation
 * depth, so a shallow reorg cannot credit a deposit that vanishes), and the rollup's counters
 * for `rollup_status`.
 */
import type { L1Contracts, RollupCounts } from "./contracts";
import type { Sequencer } from "../sequencer/sequencer";
import type { Logger } from "../../shared/logger";

export interface L1FollowerOptions {
  /** L1 block to start scanning from (the deployment block). */
  startBlock: number;
  /** Blocks an event must be buried under before the node acts on it. */
  confirmations: number;
  /** Most L1 blocks fetched in one log query. */
  maxBlockRange?: number;
  logger: Logger;
}

export class L1Follower {
  private nextBlock: number;
  counts: RollupCounts = { queueLength: 0n, batchCount: 0n, finalBatchCount: 0n, revertedBatchCount: 0n };
  /**
   * Timestamp of the latest L1 block seen (0 before the first poll). The sequencer stamps its
   * blocks with it: every later L1 block, the one that will post them included, is at least as
   * late, so an L2 timestamp never passes the L1 block posting it, whatever the clocks say.
   */
  l1Time = 0;

  constructor(
    private readonly l1: L1Contracts,
    private readonly sequencer: Sequencer,
    private readonly options: L1FollowerOptions,
  ) {
    this.nextBlock = options.startBlock;
  }

  /** Continues from L1 block `block` (what came before has been read another way). */
  skipTo(block: number): void {
    this.nextBlock = Math.max(this.nextBlock, block);
  }

  /** Scans the L1 blocks that have appeared since the last call. */
  async poll(): Promise<void> {
    const latest = await this.l1.provider.getBlock("latest");
    if (!latest) throw new Error("the L1 node returned no latest block");
    const head = latest.number;
    if (latest.timestamp > this.l1Time) this.l1Time = latest.timestamp;
    const target = head - this.options.confirmations;
    const range = this.options.maxBlockRange ?? 5_000;
    while (this.nextBlock <= target) {
      const to = Math.min(target, this.nextBlock + range - 1);
      const [tokens, entries] = await Promise.all([
        this.l1.tokenRegistrations(this.nextBlock, to),
        this.l1.queueEntries(this.nextBlock, to),
      ]);
      this.sequencer.addTokenMetadata(tokens);
      if (entries.length > 0) {
        this.options.logger.info({ count: entries.length, first: Number(entries[0].index) }, "L1 queue entries");
        this.sequencer.addQueueEntries(entries);
      }
      this.nextBlock = to + 1;
    }
    this.counts = await this.l1.counts();
  }
}
