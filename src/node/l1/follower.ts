/**
 * The one engine that follows L1 for every node role. Each poll reads L1 up to its confirmed
 * head (a confirmation depth below the latest block, so a shallow reorg cannot credit a deposit
 * that vanishes), in spans of at most `maxBlockRange` blocks, and hands each span — the queue
 * entries, token registrations and, for roles that follow batches, the BatchSubmitted and
 * FraudProven events in log order — to the role. The role decides what it takes in and where
 * the next read starts: the sequencer, the replica and the challenger (and the fallback
 * proposer through it) are strategies on top of this engine, not copies of it.
 */
import type { L1Contracts } from "./contracts";
import { claimOf, type BatchClaim } from "./batchReader";
import { QueueGapError, type L1QueueEntry } from "../../chain/l1Queue";
import type { TokenMetadata } from "../../chain/tokens";
import type { RollupCounts } from "../../chain/chainState";
import { inSlices, MAX_LOG_RANGE } from "../../shared/slices";
import { CairnError } from "../../core/errors";

/** A BatchSubmitted claim or a FraudProven, where it sits on L1. */
export type RollupEvent =
  | { type: "batch"; block: number; logIndex: number; claim: BatchClaim }
  | { type: "fraud"; block: number; logIndex: number; index: number };

/** What L1 blocks [from, to] hold for Cairn, in L1 order. */
export interface L1Span {
  from: number;
  to: number;
  queue: L1QueueEntry[];
  tokens: TokenMetadata[];
  /** Empty unless the role follows batches. */
  events: RollupEvent[];
}

/** A node role on top of the follower. */
export interface FollowerRole {
  /** Whether the role reads batches and fraud proofs (the sequencer needs only the queue). */
  readonly followsBatches: boolean;
  /**
   * Takes in one span and says where the next read starts: `span.to + 1` once all of it is
   * taken in; `"again"` to stop this poll and read the span again at the next (a batch the role
   * cannot settle yet); or an earlier block to go on reading from there at once (a rebuild).
   */
  take(span: L1Span): Promise<number | "again">;
}

export interface L1FollowerOptions {
  /** L1 block to start from (the deployment block). */
  startBlock: number;
  /** Blocks an event must be buried under before a node acts on it. */
  confirmations: number;
  /** Most L1 blocks read in one span. */
  maxBlockRange?: number;
}

/** The L1 node answered without a latest block. */
export class L1HeadUnavailableError extends CairnError {
  override readonly name = "L1HeadUnavailableError";
  readonly code = "L1_HEAD_UNAVAILABLE";
  constructor() {
    super("the L1 node returned no latest block");
  }
}

/**
 * The queue entries read do not add up to the Bridge's queue length at the confirmed head, or
 * fall short of the queue count of a batch read with them: the L1 node left some out (or made
 * some up). The follower reads again from the last entry it trusts at the next poll.
 */
export class QueueIncompleteError extends CairnError {
  override readonly name = "QueueIncompleteError";
  readonly code = "QUEUE_INCOMPLETE";
  constructor(
    readonly head: number,
    readonly bridgeLength: bigint,
    readonly read: bigint,
  ) {
    super("the L1 queue entries read do not match the Bridge", { details: `the Bridge holds ${bridgeLength} at L1 block ${head}, the logs gave ${read}` });
  }
}

export class L1Follower {
  private next: number;
  /**
   * The queue as read so far: the next index expected, and the L1 block of the last entry read
   * (where reading starts again if the L1 node is found to have left an entry out).
   */
  private queueNext = 0n;
  private queueResumeBlock: number;
  /** The Rollup's and Bridge's counters as of the last poll (for `rollup_status`). */
  counts: RollupCounts = { queueLength: 0n, batchCount: 0n, finalBatchCount: 0n, revertedBatchCount: 0n };
  /**
   * Timestamp of the latest L1 block seen (0 before the first poll). The sequencer stamps its
   * blocks with it: every later L1 block, the one that will post them included, is at least as
   * late, so an L2 timestamp never passes the L1 block posting it, whatever the clocks say.
   */
  l1Time = 0;
  /** The latest L1 block's base fee (wei per gas), 0 before the first poll or on a pre-London L1. */
  l1BaseFee = 0n;

  constructor(
    readonly l1: L1Contracts,
    private readonly options: L1FollowerOptions,
  ) {
    this.next = options.startBlock;
    this.queueResumeBlock = options.startBlock;
  }

  /** The first L1 block the next poll reads. */
  get nextBlock(): number {
    return this.next;
  }

  get startBlock(): number {
    return this.options.startBlock;
  }

  /** Continues from L1 block `block` (what came before has been read another way). */
  skipTo(block: number): void {
    this.next = Math.max(this.next, block);
  }

  /** The latest L1 block a node may act on (and, on the way, L1's time). */
  async confirmedHead(): Promise<number> {
    const latest = await this.l1.provider.getBlock("latest");
    if (!latest) throw new L1HeadUnavailableError();
    if (latest.timestamp > this.l1Time) this.l1Time = latest.timestamp;
    this.l1BaseFee = latest.baseFeePerGas ?? 0n;
    return latest.number - this.options.confirmations;
  }

  /** Reads the L1 blocks that appeared since the last poll and hands them to `role`, span by span. */
  async poll(role: FollowerRole): Promise<void> {
    const head = await this.confirmedHead();
    const range = this.options.maxBlockRange ?? MAX_LOG_RANGE;
    while (this.next <= head) {
      const span = await this.read(this.next, Math.min(head, this.next + range - 1), role.followsBatches);
      const next = await role.take(span);
      if (next === "again") break;
      this.next = next;
    }
    if (this.next > head) await this.checkQueueComplete(head);
    this.counts = await this.l1.counts();
  }

  /**
   * What L1 blocks [from, to] hold for Cairn. Throws QueueGapError, and reads again from the
   * last entry it trusts at the next poll, if the queue entries skip an index.
   */
  async read(from: number, to: number, withEvents: boolean): Promise<L1Span> {
    const [queue, tokens, events] = await Promise.all([this.l1.queueEntries(from, to), this.l1.tokenRegistrations(from, to), withEvents ? this.rollupEvents(from, to) : []]);
    this.noteQueue(queue);
    this.requireQueueFor(events);
    return { from, to, queue, tokens, events };
  }

  /**
   * A batch's queueCount entries were all on L1 when it was submitted (the Rollup checks it
   * against the Bridge): fewer read means the L1 node left some out. Checked before the role
   * judges the batch — the check at the head comes after the whole read, too late for a
   * challenger that would take the batch for fraud, or skip it for good if it is final.
   */
  private requireQueueFor(events: readonly RollupEvent[]): void {
    for (const e of events) {
      if (e.type !== "batch" || e.claim.queueCount <= this.queueNext) continue;
      this.rereadQueue();
      throw new QueueIncompleteError(e.block, e.claim.queueCount, this.queueNext);
    }
  }

  /**
   * Checks that the entries read up to `head` are all the Bridge holds there: an entry the L1
   * node left out at the end of a span shows no gap until the next one arrives, and a role
   * judging a batch without it would take an honest batch for fraud. Throws
   * QueueIncompleteError, and reads again from the last entry it trusts at the next poll.
   */
  async checkQueueComplete(head: number): Promise<void> {
    const length = await this.l1.bridge.queueLength({ blockTag: head });
    if (length === this.queueNext) return;
    this.rereadQueue();
    throw new QueueIncompleteError(head, length, this.queueNext);
  }

  private noteQueue(entries: readonly L1QueueEntry[]): void {
    for (const e of entries) {
      if (e.index < this.queueNext) continue;
      if (e.index !== this.queueNext) {
        this.rereadQueue();
        throw new QueueGapError(e.index, this.queueNext);
      }
      this.queueNext++;
      this.queueResumeBlock = e.l1Block;
    }
  }

  /** The next poll reads again from the block of the last entry trusted (what follows it there may be what was left out). */
  private rereadQueue(): void {
    this.next = Math.min(this.next, this.queueResumeBlock);
  }

  private async rollupEvents(from: number, to: number): Promise<RollupEvent[]> {
    const r = this.l1.rollup;
    const [batches, frauds] = await Promise.all([
      inSlices(from, to, (a, b) => r.queryFilter(r.filters.BatchSubmitted(), a, b)),
      inSlices(from, to, (a, b) => r.queryFilter(r.filters.FraudProven(), a, b)),
    ]);
    const events: RollupEvent[] = [
      ...batches.map((e) => ({ type: "batch" as const, block: e.blockNumber, logIndex: e.index, claim: claimOf(e) })),
      ...frauds.map((e) => ({ type: "fraud" as const, block: e.blockNumber, logIndex: e.index, index: Number(e.args.batchIndex) })),
    ];
    return events.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
  }
}
