/**
 * What the invariant suite believes about Cairn, kept beside the contracts and compared with them
 * after every step:
 *
 * - the sequencer's view: an L2State holding every honest batch it posted (a checkpoint before
 *   each, so a fraud proof's revert rolls it back), from which honest and lying batches are built;
 * - the replica: a second L2State that replays, with src/core's replayCommitment, only what L1
 *   holds — the queue from Bridge events, the batches L1 accepted — and stops at the first batch
 *   that does not replay. Its state is "the honest L2" the escrow invariant is stated against:
 *   batches after a lie are not part of it until the lie is reverted;
 * - which batches lie and how, the bonds, the payouts seen on L1, and counters for the report.
 */
import { ethers } from "hardhat";
import type { Checkpoint } from "../../../src/core/journal";
import { L2State } from "../../../src/core/state";
import type { QueueEntry } from "../../../src/core/queueOps";
import type { QueueKind } from "../../../src/core/constants";
import type { Withdrawal } from "../../../src/core/hashing";
import { replayCommitment, type Verdict } from "../../../src/core/replay";
import { summarizeBatch } from "../../../src/core/batch";
import { CHAIN_ID, INVARIANT_PARAMS, type World } from "./world";

/** A batch header as L1 stores it (the fields the suite compares). */
export interface Header {
  commitmentsRoot: string;
  postStateRoot: string;
  withdrawalRoot: string;
  proposer: string;
  timestamp: bigint;
  queueCount: bigint;
}

export type LieKind = "wrong-post-state" | "bad-signature" | "insufficient-funds" | "stolen-withdrawal" | "deposit-skipped";
export const LIE_KINDS: readonly LieKind[] = ["wrong-post-state", "bad-signature", "insufficient-funds", "stolen-withdrawal", "deposit-skipped"];

/** A withdrawal leaf a lying batch carries that no L2 state owes, with the proof that would pay it. */
export interface StolenClaim {
  withdrawal: Withdrawal;
  batchIndex: number;
  proof: Buffer[];
}

export interface Lie {
  kind: LieKind;
  /** The commitment a proof must dispute. */
  commitment: number;
  /** IFraudVerifier's FraudKind and Reason the proof must report. */
  expected: { kind: number; reason: number };
  stolen?: StolenClaim;
}

export interface PostedBatch {
  index: number;
  proposer: string;
  pre: Buffer;
  bodies: Buffer[];
  queueCount: bigint;
  header: Header;
  lie: Lie | null;
  /** Its pre-state root is the sequencer's state root there: a proof against it can be built. */
  anchored: boolean;
  /** The sequencer's state before this batch (a lying batch changes nothing after it). */
  checkpoint: Checkpoint | null;
}

export interface ReplayedBatch {
  index: number;
  header: Header;
  /** The withdrawals each commitment made, as the replay computed them. */
  withdrawals: Withdrawal[][];
  withdrawalRoots: Buffer[];
  /** The replica's state before this batch; null once final. */
  checkpoint: Checkpoint | null;
}

export interface QueueRecord extends QueueEntry {
  l1Timestamp: bigint;
}

export interface Payout {
  id: bigint;
  recipient: string;
  token: string;
  amount: bigint;
  batchIndex: number;
}

/** A withdrawal the honest L2 owes: where it is, so a finalization can prove it. */
export interface Owed {
  withdrawal: Withdrawal;
  batchIndex: number;
  commitment: number;
  indexInCommitment: number;
}

export interface Stats {
  runs: number;
  steps: number;
  actions: Record<string, number>;
  skipped: Record<string, number>;
  lies: Record<string, number>;
  proofs: number;
  proofsAtLastSecond: number;
  maxProofGas: number;
  batchesPosted: number;
  /** Batches posted by proposers other than the sequencer (after its timeout). */
  fallbackBatches: number;
  batchesReverted: number;
  withdrawalsPaid: number;
  refusalsChecked: number;
  bondsWithdrawnAfterReverts: number;
  failures: Array<{ seed: number; invariant: string; step: number; message: string }>;
  warnings: Record<string, number>;
}

export function emptyStats(): Stats {
  return {
    runs: 0,
    steps: 0,
    actions: {},
    skipped: {},
    lies: {},
    proofs: 0,
    proofsAtLastSecond: 0,
    maxProofGas: 0,
    batchesPosted: 0,
    fallbackBatches: 0,
    batchesReverted: 0,
    withdrawalsPaid: 0,
    refusalsChecked: 0,
    bondsWithdrawnAfterReverts: 0,
    failures: [],
    warnings: {},
  };
}

export function count(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

/** An invariant that does not hold: named, so a run can report which. */
export class InvariantViolation extends Error {
  constructor(
    readonly invariant: string,
    message: string,
  ) {
    super(`[${invariant}] ${message}`);
  }
}

export function violated(invariant: string, message: string): never {
  throw new InvariantViolation(invariant, message);
}

export function headerOf(h: { commitmentsRoot: string; postStateRoot: string; withdrawalRoot: string; proposer: string; timestamp: bigint; queueCount: bigint }): Header {
  return {
    commitmentsRoot: h.commitmentsRoot,
    postStateRoot: h.postStateRoot,
    withdrawalRoot: h.withdrawalRoot,
    proposer: h.proposer.toLowerCase(),
    timestamp: h.timestamp,
    queueCount: h.queueCount,
  };
}

export function sameHeader(a: Header, b: Header): boolean {
  return (
    a.commitmentsRoot === b.commitmentsRoot &&
    a.postStateRoot === b.postStateRoot &&
    a.withdrawalRoot === b.withdrawalRoot &&
    a.proposer === b.proposer &&
    a.timestamp === b.timestamp &&
    a.queueCount === b.queueCount
  );
}

const hex = (b: Buffer) => "0x" + b.toString("hex");

export class Model {
  readonly sequencer = L2State.genesis();
  readonly replica = L2State.genesis();
  readonly batches: PostedBatch[] = [];
  readonly replayed: ReplayedBatch[] = [];
  /** Where the replica stopped: the first standing batch that does not replay. */
  stuck: { index: number; commitmentsRoot: string; verdict: Verdict } | null = null;
  readonly queue: QueueRecord[] = [];
  readonly payouts = new Map<bigint, Payout>();
  /** Headers of batches seen final, by index: they must never change or go. */
  readonly finalHeaders = new Map<number, Header>();
  /** Lies proven, so their stolen claims can be tried again later. */
  readonly provenLies: Lie[] = [];
  readonly bonds = new Map<string, bigint>();
  readonly bondRequestedAt = new Map<string, bigint>();
  /** Proposers some of whose batches a proof reverted without slashing them. */
  readonly revertedUnslashed = new Set<string>();
  burned = 0n;
  revertedBatchCount = 0n;
  private scannedBlock: number;

  constructor(readonly world: World) {
    this.scannedBlock = world.deployBlock - 1;
    for (const p of [world.sequencer, ...world.fallbacks]) this.bonds.set(p.address.toLowerCase(), INVARIANT_PARAMS.bondSize);
  }

  queueEntry = (i: bigint): QueueEntry | undefined => this.queue[Number(i)];

  /** L1's latest block time: what views and the next transaction's checks are measured against. */
  async latestTimestamp(): Promise<bigint> {
    return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  }

  /** Standing lying batches, oldest first. */
  lies(): PostedBatch[] {
    return this.batches.filter((b) => b.lie !== null);
  }

  /** The final standing batches by the model's clock. */
  isFinalAt(b: { header: Header }, now: bigint): boolean {
    return now >= b.header.timestamp + BigInt(INVARIANT_PARAMS.challengeWindow);
  }

  /** Reads what L1 added since the last look: queue entries and payouts. */
  async observeEvents(): Promise<void> {
    const to = await ethers.provider.getBlockNumber();
    if (to <= this.scannedBlock) return;
    const { bridge } = this.world;
    const from = this.scannedBlock + 1;
    for (const e of await bridge.queryFilter(bridge.filters.QueueEntryAdded(), from, to)) {
      const index = Number(e.args.index);
      if (index !== this.queue.length) violated("queue", `queue entry ${index} arrived when ${this.queue.length} were known`);
      const l1Timestamp = BigInt(await bridge.queueTimestamp(index));
      this.queue.push({ index: e.args.index, kind: Number(e.args.kind) as QueueKind, account: e.args.account.toLowerCase(), tokenId: Number(e.args.tokenId), amount: e.args.amount, l1Timestamp });
    }
    for (const e of await bridge.queryFilter(bridge.filters.WithdrawalFinalized(), from, to)) {
      const id = e.args.id;
      if (this.payouts.has(id)) violated("no withdrawal pays twice", `withdrawal ${id} paid again in L1 block ${e.blockNumber}`);
      this.payouts.set(id, { id, recipient: e.args.l1Recipient.toLowerCase(), token: e.args.l1Token.toLowerCase(), amount: e.args.amount, batchIndex: Number(e.args.batchIndex) });
    }
    this.scannedBlock = to;
  }

  /**
   * Brings the replica up to L1: batches L1 removed must not be ones it applied (an honest
   * batch is never reverted), and batches it has not replayed yet are replayed in order until one
   * does not (a lie, or a batch built on one).
   */
  async replicate(): Promise<void> {
    const count = Number(await this.world.rollup.batchCount());
    if (this.replayed.length > count) {
      const gone = this.replayed[count];
      violated("honest batches stand", `batch ${gone.index}, which replays honestly, was reverted (L1 holds ${count} batches)`);
    }
    if (this.stuck && this.stuck.index >= count) this.stuck = null;
    for (let i = this.replayed.length; i < count && !this.stuck; i++) {
      const header = headerOf(await this.world.rollup.getBatch(i));
      const posted = this.batches[i];
      if (!posted || posted.header.commitmentsRoot !== header.commitmentsRoot) {
        violated("chain agreement", `L1's batch ${i} is not the batch the suite posted there`);
      }
      const pre = i === 0 ? Buffer.from(this.world.genesisStateRoot.slice(2), "hex") : Buffer.from(this.replayed[i - 1].header.postStateRoot.slice(2), "hex");
      if (hex(summarizeBatch(pre, posted.bodies).commitmentsRoot) !== header.commitmentsRoot) {
        violated("chain agreement", `batch ${i}'s bodies do not hash to L1's commitments root`);
      }
      this.replayOne(i, header, posted.bodies);
    }
  }

  private replayOne(index: number, header: Header, bodies: Buffer[]): void {
    const cp = this.replica.checkpoint();
    const withdrawals: Withdrawal[][] = [];
    for (let c = 0; c < bodies.length; c++) {
      const position = { queueLimit: header.queueCount, lastInBatch: c === bodies.length - 1 };
      const r = replayCommitment(this.replica, bodies[c], { chainId: CHAIN_ID, queueEntry: this.queueEntry, position });
      if (!r.verdict.ok) {
        this.replica.rollback(cp);
        this.stuck = { index, commitmentsRoot: header.commitmentsRoot, verdict: r.verdict };
        return;
      }
      withdrawals.push(r.withdrawals);
    }
    const pre = index === 0 ? Buffer.from(this.world.genesisStateRoot.slice(2), "hex") : Buffer.from(this.replayed[index - 1].header.postStateRoot.slice(2), "hex");
    this.replayed.push({ index, header, withdrawals, withdrawalRoots: summarizeBatch(pre, bodies).withdrawalRoots, checkpoint: cp });
  }

  /**
   * Marks batches final by `now`: their checkpoints are released (a final batch is never rolled
   * back) and their headers remembered, to check they never change.
   */
  settle(now: bigint): void {
    for (const b of this.batches) {
      if (!this.isFinalAt(b, now)) break;
      if (b.lie) violated("no lie becomes final", `batch ${b.index} (${b.lie.kind}) is final at ${now} and was never proven`);
      if (b.checkpoint) {
        this.sequencer.release(b.checkpoint);
        b.checkpoint = null;
      }
      if (!this.finalHeaders.has(b.index)) this.finalHeaders.set(b.index, b.header);
    }
    for (const r of this.replayed) {
      if (!this.isFinalAt(r, now)) break;
      if (r.checkpoint) {
        this.replica.release(r.checkpoint);
        r.checkpoint = null;
      }
    }
  }

  /** Every withdrawal the honest L2 has recorded, by id. */
  owed(): Map<bigint, Owed> {
    const out = new Map<bigint, Owed>();
    for (const r of this.replayed) {
      r.withdrawals.forEach((ws, c) => ws.forEach((w, k) => out.set(w.id, { withdrawal: w, batchIndex: r.index, commitment: c, indexInCommitment: k })));
    }
    return out;
  }

  /** Forgets batches from `index` on, as a proof's revert does, rolling the sequencer back. */
  revertFrom(index: number): void {
    const first = this.batches[index];
    if (first.checkpoint) this.sequencer.rollback(first.checkpoint);
    else violated("final batches stand", `batch ${index} was reverted after the model saw it final`);
    this.batches.length = index;
  }
}
