/**
 * The challenger (the prover): a role on the L1 follower that takes in only what L1 holds —
 * queue events and batch calldata, never the sequencer — rebuilds the L2 state, replays every
 * commitment with src/core, and when one is wrong proves it with Rollup.proveFraud (see
 * fraudProver.ts) well inside the window.
 */
import { L2State } from "../../core/state";
import { yieldingPause } from "../../shared/eventLoop";
import { type Checkpoint } from "../../core/journal";
import { replayCommitment, type BatchPosition, type Verdict } from "../../core/replay";
import { replayBody } from "../../core/evm/replayEvm";
import { requireLocalL1ForEvm } from "../experimentalEvm";
import type { QueueEntry } from "../../core/queueOps";
import { L1Queue } from "../../chain/l1Queue";
import { L1Contracts, blobSourceFor, type L1NodeConfig } from "../l1/contracts";
import { L1Follower, type FollowerRole, type L1Span, type RollupEvent } from "../l1/follower";
import { explainStoppedFollowing } from "../l1/batchReader";
import { ReplayDisagreesWithL1Error } from "./replayDisagrees";
import { readOrProveBlobFraud } from "./blobFraudProver";
import { L1TxManager, type L1TxManagerOptions } from "../l1/txManager";
import type { NodeStore, Restored } from "../store/nodeStore";
import { openStoreForChain } from "../store/openForChain";
import { proveFraud } from "./fraudProver";
import type { Logger } from "../../shared/logger";
import { freshRuns, repeat, type Repeating } from "../../shared/schedule";

export interface ChallengerOptions extends L1NodeConfig {
  pollMs: number;
  logger: Logger;
  /**
   * Where the challenger keeps the state it has checked, so a restart resumes from there
   * instead of replaying every batch; none: rebuild from L1 at every start.
   */
  dataDir?: string;
  /** How the node's L1 transactions are re-sent and timed out (see L1TxManager). */
  l1Tx?: Omit<L1TxManagerOptions, "logger">;
  /**
   * `--experimental-evm`: replay EVM blocks in the engine, so honest ones are not proven
   * fraudulent (they are MALFORMED to FraudVerifier, so a wrong one is proven so); refused unless
   * L1 is local. The store is not used in this mode (it keeps no contract state).
   */
  experimentalEvm?: boolean;
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

const hex = (b: Buffer) => "0x" + b.toString("hex");

export class Challenger implements FollowerRole {
  readonly followsBatches = true;
  private currentState = L2State.genesis();
  readonly l1: L1Contracts;
  private readonly follower: L1Follower;
  /** Every L1 transaction of this node (proofs; a fallback proposer's batches and bond too). */
  readonly txs: L1TxManager;
  readonly stats: ChallengerStats = { batchesChecked: 0, commitmentsChecked: 0, fraudsFound: 0, fraudsProven: 0, batchesRolledBack: 0 };
  private readonly queue = new L1Queue();
  /** Batches applied and still challengeable, oldest first; each holds the state before it. */
  private applied: AppliedBatch[] = [];
  private finalized = 0;
  private loop: Repeating | null = null;
  private readonly polling = freshRuns(() => this.pollOnce());
  private store: NodeStore | null = null;
  private opened = false;
  /** Batches loaded from the store at start (they have no rollback point: a proof against one means a rebuild). */
  restoredBatches = 0;
  /**
   * Where on L1 the last event taken in sits. A span is read again after "again" (or a poll that
   * threw): what it took in already, a FraudProven above all, is not taken in a second time.
   */
  private takenUpTo: { block: number; logIndex: number } | null = null;

  constructor(private readonly options: ChallengerOptions) {
    this.l1 = new L1Contracts(options.l1Provider, options.addresses, options.l1Signer, blobSourceFor(options.l1Beacon));
    this.txs = new L1TxManager(options.l1Signer, { ...options.l1Tx, logger: options.logger });
    this.follower = new L1Follower(this.l1, { startBlock: options.startBlock, confirmations: options.confirmations });
  }

  get state(): L2State {
    return this.currentState;
  }

  /** L1 queue entry `index`, if seen. */
  queueEntry(index: bigint): QueueEntry | undefined {
    return this.queue.entry(index);
  }

  /** Batches applied so far (final and challengeable). */
  get batchCount(): number {
    return this.finalized + this.applied.length;
  }

  start(): void {
    this.loop = repeat(this.options.pollMs, () => this.poll(), { logger: this.options.logger, what: "challenger poll", explain: explainStoppedFollowing });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
    await this.polling.settled();
    await this.store?.close();
    this.store = null;
  }

  /**
   * Loads what the store holds (once): the state after the last batch checked, and where on L1
   * that was. The first poll does it; call it first to have a bad data directory fail at once.
   */
  async openStore(): Promise<void> {
    if (this.opened) return;
    if (this.options.experimentalEvm) await requireLocalL1ForEvm(this.options.l1Provider);
    if (this.options.dataDir && !this.options.experimentalEvm) {
      const identity = { chainId: this.options.chainId, rollup: this.options.addresses.rollup };
      const { store, restored } = await openStoreForChain(this.options.dataDir, "challenger", identity, this.l1, this.options.logger, (r) => this.resumable(r));
      this.store = store;
      if (restored) await this.resume(restored);
      else this.currentState.trackChanges(true);
    }
    this.opened = true;
  }

  /** Whether the store's L1 cursor is still a block of this L1 (not reorganised away, nor another chain's). */
  private async resumable(restored: Restored): Promise<boolean> {
    const { batches, cursor, cursorHash } = restored.extra;
    return typeof batches === "number" && typeof cursor === "number" && (await this.options.l1Provider.getBlock(cursor))?.hash === cursorHash;
  }

  private async resume(restored: Restored): Promise<void> {
    const cursor = restored.extra.cursor as number;
    this.currentState = restored.state;
    this.finalized = this.restoredBatches = restored.extra.batches as number;
    // The queue is read again from the start: it is small, and the state needs all of it.
    this.queue.learn((await this.follower.read(this.options.startBlock, cursor - 1, false)).queue);
    this.follower.skipTo(cursor);
    this.currentState.trackChanges();
    this.options.logger.info({ batches: this.restoredBatches, l1Block: cursor }, "resumed from the store");
  }

  /** A batch the store gave back was reverted: start over from genesis on L1 (rare, and simple). */
  private rebuild(): number {
    this.options.logger.warn("a batch loaded from the store was reverted; rebuilding from L1");
    this.currentState = L2State.genesis();
    this.applied = [];
    this.finalized = this.restoredBatches = 0;
    this.store?.clear();
    this.currentState.trackChanges(true);
    this.takenUpTo = null;
    return this.follower.startBlock;
  }

  /**
   * Processes the L1 blocks that have appeared since the last call. A call during one gets the
   * next (see freshRuns). Throws an {@link UnfollowableBatchError} at a batch that cannot be
   * authenticated or whose replay disagrees with L1, having applied nothing from it on: the next
   * call reads that batch again.
   */
  poll(): Promise<void> {
    return this.polling();
  }

  private async pollOnce(): Promise<void> {
    if (!this.opened) await this.openStore();
    await this.follower.poll(this);
    await this.releaseFinal();
  }

  /** The challenger's part of following L1: the queue, then batches and fraud proofs in L1 order. */
  async take(span: L1Span): Promise<number | "again"> {
    this.queue.learn(span.queue);
    for (const event of span.events) {
      if (this.tookIn(event)) continue;
      if (event.type === "fraud") {
        if (!this.onFraudProven(event.index)) return this.rebuild();
        await this.saveProgress(event.block);
      } else if (!(await this.onBatch(event))) {
        return "again"; // a fraud not (yet) proven: look at this batch again next time
      }
      this.takenUpTo = { block: event.block, logIndex: event.logIndex };
    }
    return span.to + 1;
  }

  /** Whether `event` was taken in already (it sits at or before the last one taken in). */
  private tookIn(event: RollupEvent): boolean {
    const t = this.takenUpTo;
    return t !== null && (event.block < t.block || (event.block === t.block && event.logIndex <= t.logIndex));
  }

  /** Someone proved batch `index` wrong: forget it and every later batch. False: it is one without a rollback point. */
  private onFraudProven(index: number): boolean {
    if (index < this.restoredBatches) return false;
    const at = this.applied.findIndex((b) => b.index >= index);
    if (at < 0) return true;
    this.state.rollback(this.applied[at].checkpoint);
    this.stats.batchesRolledBack += this.applied.length - at;
    this.options.logger.warn({ batch: index, dropped: this.applied.length - at }, "batches reverted on L1; rolled back");
    this.applied = this.applied.slice(0, at);
    return true;
  }

  /**
   * Checks one batch; false when it is fraudulent and still stands on L1 (a proof failed or has
   * yet to land). Throws, applying nothing, if it cannot be authenticated or its replay
   * disagrees with L1.
   */
  private async onBatch(event: Extract<RollupEvent, { type: "batch" }>): Promise<boolean> {
    const { index } = event.claim;
    if (index < this.batchCount) return true; // seen before a restart (the store resumes at its batch's L1 block)
    if (index !== this.batchCount) {
      // Built on a batch this challenger refused as fraudulent: the proof that reverted (or will
      // revert) that one reverts this one too.
      this.options.logger.error({ batch: index, expected: this.batchCount }, "batch out of order; skipping");
      return true;
    }
    const batch = await readOrProveBlobFraud(this.l1, this.txs, event.claim, this.stats, this.options.logger);
    if (typeof batch === "string") return batch !== "failed";
    const { bodies } = batch;
    const preStateRoot = this.state.root();
    if (hex(preStateRoot) !== batch.preStateRoot) throw new ReplayDisagreesWithL1Error(index, `it builds on state root ${batch.preStateRoot}, the challenger holds ${hex(preStateRoot)}`);
    const batchStart = this.state.checkpoint();
    // Where each body's L2 block number starts, from L1's count: an EVM block must carry its own.
    let height = event.claim.firstBlock;
    for (let c = 0; c < bodies.length; c++) {
      const position: BatchPosition = { queueLimit: batch.queueCount, lastInBatch: c === bodies.length - 1 };
      const params = { chainId: this.options.chainId, queueEntry: (i: bigint) => this.queue.entry(i), position };
      const cp = this.state.checkpoint();
      const { verdict, emptyRun } = this.options.experimentalEvm ? await replayBody(this.state, bodies[c], { ...params, expectedNumber: height, pause: yieldingPause() }) : replayCommitment(this.state, bodies[c], params);
      this.stats.commitmentsChecked++;
      height += emptyRun?.blocks ?? 1;
      if (verdict.ok) {
        this.state.release(cp);
        continue;
      }
      this.state.rollback(cp);
      this.stats.fraudsFound++;
      this.options.logger.warn({ batch: index, commitment: c, fraud: describe(verdict) }, "fraudulent commitment found");
      const outcome = await proveFraud(this.l1, this.txs, { batch, commitment: c, state: this.state, batchPreStateRoot: preStateRoot, params }, this.options.logger);
      if (outcome === "proven") this.stats.fraudsProven++;
      this.state.rollback(batchStart);
      return outcome !== "failed";
    }
    const root = hex(this.state.root());
    if (root !== batch.postStateRoot) {
      // Every commitment replayed to the root it claims, and the bodies end at the root L1
      // stored: only a fault in the replay itself gets here.
      this.state.rollback(batchStart);
      throw new ReplayDisagreesWithL1Error(index, `every commitment replays, yet to state root ${root}; the Rollup stored ${batch.postStateRoot}`);
    }
    this.applied.push({ index, checkpoint: batchStart });
    this.stats.batchesChecked++;
    this.options.logger.info({ batch: index, commitments: bodies.length, stateRoot: root }, "batch checked: honest");
    // Resume at this batch's L1 block after a restart; what was before it is in the store.
    await this.saveProgress(event.block);
    return true;
  }

  /** Stores the state, the batches it holds and where on L1 to resume (with that block's hash, to notice a different chain). */
  private async saveProgress(l1Block: number): Promise<void> {
    if (!this.store) return;
    const cursorHash = (await this.options.l1Provider.getBlock(l1Block))?.hash ?? "";
    this.store.saveState(this.state, { batches: this.batchCount, cursor: l1Block, cursorHash, queueHead: this.queue.headAfter(this.state.queueIndex) });
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
