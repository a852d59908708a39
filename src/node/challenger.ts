/**
 * The challenger (the prover): follows L1 only — deposit events and batch calldata, never the
 * sequencer — rebuilds the L2 state, replays every commitment with src/core, and when one is
 * wrong builds the witnesses and proves it with Rollup.proveFraud well inside the window.
 */
import { L1Contracts, type L1NodeConfig } from "./l1Contracts";
import type { Logger } from "./logger";
import { L2State, type Checkpoint } from "../core/state";
import type { QueueEntry } from "../core/execute";
import { replayCommitment, type BatchPosition, type Verdict } from "../core/replay";
import { buildFraudWitness } from "../core/fraudProof";
import { summarizeBatch } from "../core/batch";
import { positionalProof } from "../core/merkle";
import { readBatchBodies } from "./l1BatchReader";
import { repeat, type Repeating } from "./schedule";

export interface ChallengerOptions extends L1NodeConfig {
  pollMs: number;
  logger: Logger;
}

export interface ChallengerStats {
  batchesChecked: number;
  commitmentsChecked: number;
  fraudsFound: number;
  fraudsProven: number;
  batchesRolledBack: number;
}

interface AppliedBatch {
  index: number;
  checkpoint: Checkpoint;
}

type L1Event =
  | { type: "batch"; block: number; logIndex: number; index: number; txHash: string; queueCount: bigint; postStateRoot: string; commitmentsRoot: string }
  | { type: "fraud"; block: number; logIndex: number; index: number };

const hex = (b: Buffer) => "0x" + b.toString("hex");

export class Challenger {
  readonly state = L2State.genesis();
  readonly l1: L1Contracts;
  readonly stats: ChallengerStats = { batchesChecked: 0, commitmentsChecked: 0, fraudsFound: 0, fraudsProven: 0, batchesRolledBack: 0 };
  private readonly queue: QueueEntry[] = [];
  /** Batches applied and still challengeable, oldest first; each holds the state before it. */
  private applied: AppliedBatch[] = [];
  private finalized = 0;
  private nextBlock: number;
  private loop: Repeating | null = null;
  private polling: Promise<void> | null = null;

  constructor(private readonly options: ChallengerOptions) {
    this.l1 = new L1Contracts(options.l1Provider, options.addresses, options.l1Signer);
    this.nextBlock = options.startBlock;
  }

  /** L1 queue entry `index`, if seen. */
  queueEntry(index: bigint): QueueEntry | undefined {
    return this.queue[Number(index)];
  }

  /** Batches applied so far (final and challengeable). */
  get batchCount(): number {
    return this.finalized + this.applied.length;
  }

  start(): void {
    this.loop = repeat(this.options.pollMs, () => this.poll(), { logger: this.options.logger, what: "challenger poll" });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
    await this.polling;
  }

  /** Processes the L1 blocks that have appeared since the last call. Concurrent calls share one. */
  poll(): Promise<void> {
    if (!this.polling) this.polling = this.pollOnce().finally(() => (this.polling = null));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const head = (await this.options.l1Provider.getBlockNumber()) - this.options.confirmations;
    if (head >= this.nextBlock) {
      const from = this.nextBlock;
      const entries = await this.l1.queueEntries(from, head);
      for (const e of entries) if (e.index === BigInt(this.queue.length)) this.queue.push(e);
      for (const event of await this.events(from, head)) {
        if (event.type === "fraud") this.onFraudProven(event.index);
        else await this.onBatch(event);
      }
      this.nextBlock = head + 1;
    }
    await this.releaseFinal();
  }

  private async events(from: number, to: number): Promise<L1Event[]> {
    const r = this.l1.rollup;
    const [batches, frauds] = await Promise.all([
      r.queryFilter(r.filters.BatchSubmitted(), from, to),
      r.queryFilter(r.filters.FraudProven(), from, to),
    ]);
    const out: L1Event[] = [
      ...batches.map((e) => ({ type: "batch" as const, block: e.blockNumber, logIndex: e.index, index: Number(e.args.index), txHash: e.transactionHash, queueCount: e.args.queueCount, postStateRoot: e.args.postStateRoot, commitmentsRoot: e.args.commitmentsRoot })),
      ...frauds.map((e) => ({ type: "fraud" as const, block: e.blockNumber, logIndex: e.index, index: Number(e.args.batchIndex) })),
    ];
    return out.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
  }

  /** Someone proved batch `index` wrong: forget it and every later batch. */
  private onFraudProven(index: number): void {
    const at = this.applied.findIndex((b) => b.index >= index);
    if (at < 0) return;
    this.state.rollback(this.applied[at].checkpoint);
    this.stats.batchesRolledBack += this.applied.length - at;
    this.options.logger.warn({ batch: index, dropped: this.applied.length - at }, "batches reverted on L1; rolled back");
    this.applied = this.applied.slice(0, at);
  }

  private async onBatch(event: Extract<L1Event, { type: "batch" }>): Promise<void> {
    if (event.index !== this.batchCount) {
      this.options.logger.error({ batch: event.index, expected: this.batchCount }, "batch out of order; skipping");
      return;
    }
    const bodies = await readBatchBodies(this.l1, event.txHash);
    const batchStart = this.state.checkpoint();
    const preStateRoot = this.state.root();
    for (let c = 0; c < bodies.length; c++) {
      const position: BatchPosition = { queueLimit: event.queueCount, lastInBatch: c === bodies.length - 1 };
      const params = { chainId: this.options.chainId, queueEntry: (i: bigint) => this.queue[Number(i)], position };
      const cp = this.state.checkpoint();
      const { verdict } = replayCommitment(this.state, bodies[c], params);
      this.stats.commitmentsChecked++;
      if (verdict.ok) {
        this.state.release(cp);
        continue;
      }
      this.state.rollback(cp);
      this.stats.fraudsFound++;
      this.options.logger.warn({ batch: event.index, commitment: c, fraud: describe(verdict) }, "fraudulent commitment found");
      await this.prove(event, c, preStateRoot, bodies, params);
      this.state.rollback(batchStart);
      return;
    }
    this.applied.push({ index: event.index, checkpoint: batchStart });
    this.stats.batchesChecked++;
    const root = hex(this.state.root());
    if (root !== event.postStateRoot) this.options.logger.error({ batch: event.index, root, claimed: event.postStateRoot }, "replayed root differs from the batch's");
    this.options.logger.info({ batch: event.index, commitments: bodies.length, stateRoot: root }, "batch checked: honest");
  }

  private async prove(
    event: Extract<L1Event, { type: "batch" }>,
    c: number,
    batchPreStateRoot: Buffer,
    bodies: Buffer[],
    params: Parameters<typeof buildFraudWitness>[2],
  ): Promise<void> {
    const rollup = this.l1.rollup;
    const batchIndex = event.index;
    // Replaying history after a restart meets batches that were reverted long ago: L1 now holds
    // a different batch at that index, or none.
    const stillThere = (await rollup.batchCount()) > BigInt(batchIndex) && (await rollup.getBatch(batchIndex)).commitmentsRoot === event.commitmentsRoot;
    if (!stillThere) {
      this.options.logger.info({ batch: batchIndex }, "batch already reverted; nothing to prove");
      return;
    }
    if (await rollup.isFinal(batchIndex)) {
      this.options.logger.error({ batch: batchIndex }, "fraudulent batch is already final: it can no longer be challenged");
      return;
    }
    const { packed } = buildFraudWitness(this.state, bodies[c], params);
    const summary = summarizeBatch(batchPreStateRoot, bodies);
    const path = positionalProof(summary.leaves, c).map(hex);
    try {
      const tx = await rollup.proveFraud(batchIndex, c, hex(this.state.root()), hex(bodies[c]), path, packed);
      const receipt = await tx.wait();
      this.stats.fraudsProven++;
      this.options.logger.warn({ batch: batchIndex, commitment: c, l1Tx: tx.hash, gasUsed: receipt?.gasUsed.toString() }, "fraud proven; batch reverted");
    } catch (e) {
      this.options.logger.error({ batch: batchIndex, err: (e as Error).message.slice(0, 300) }, "fraud proof failed");
    }
  }

  /** Batches past their window can no longer be reverted: drop their rollback points. */
  private async releaseFinal(): Promise<void> {
    const final = Number(await this.l1.rollup.finalBatchCount());
    while (this.applied.length > 0 && this.applied[0].index < final) {
      this.state.release(this.applied.shift()!.checkpoint);
      this.finalized++;
    }
  }
}

function describe(v: Verdict): string {
  if (v.ok) return "none";
  if (v.kind === "invalid-operation") return `operation ${v.opIndex}: ${v.reason}`;
  return v.kind;
}
