/**
 * Where L2 blocks stand on L1, from the rollup's L1 history: the batch postings, each named
 * apart from the others of its index (a fraud proof reverts a batch and every later one, and
 * their indices are posted again), the batch that holds a block now, and so where a withdrawal
 * made in that block stands.
 */
import { FRAUD_KIND, FRAUD_REASON } from "../core/fraudProof";
import type { BatchRecord, ChallengeRecord, RollupHistory } from "../sdk";
import { ZERO_ADDRESS } from "../core/constants";
import type { BatchRef, BlockPosting, FraudProofView, TokenRef, WithdrawalView } from "./api";
import type { WithdrawalLog } from "./chainIndex";

export interface Posting {
  record: BatchRecord;
  ref: BatchRef;
}

/** "#3", "#3 (reverted)", "#3 (re-posted)", "#3 (re-posted ×2, reverted)". */
export function batchLabel(index: number, posting: number, reverted: boolean): string {
  const notes: string[] = [];
  if (posting === 2) notes.push("re-posted");
  if (posting > 2) notes.push(`re-posted ×${posting - 1}`);
  if (reverted) notes.push("reverted");
  return notes.length ? `#${index} (${notes.join(", ")})` : `#${index}`;
}

/** Every batch posting in L1 order, numbered within its index. */
export function postingsOf(history: RollupHistory): Posting[] {
  const seen = new Map<number, number>();
  const count = new Map<number, number>();
  for (const b of history.batches) count.set(b.index, (count.get(b.index) ?? 0) + 1);
  return history.batches.map((record) => {
    const posting = (seen.get(record.index) ?? 0) + 1;
    seen.set(record.index, posting);
    // A link names the posting once there are several, so that it keeps pointing at the same one.
    const path = count.get(record.index)! > 1 ? `/batch/${record.index}/${posting}` : `/batch/${record.index}`;
    return {
      record,
      ref: { index: record.index, posting, label: batchLabel(record.index, posting, record.state === "reverted"), path, state: record.state, challengeableUntil: record.challengeableUntil },
    };
  });
}

/** Posting `posting` of batch `index`; without one, the posting that stands (else the last). */
export function findPosting(all: Posting[], index: number, posting?: number): Posting | undefined {
  const of = all.filter((p) => p.record.index === index);
  if (posting !== undefined) return of.find((p) => p.ref.posting === posting);
  return of.find((p) => p.record.state !== "reverted") ?? of.at(-1);
}

const holds = (b: BatchRecord, block: number) => block >= b.firstBlock && block < b.firstBlock + b.blocks;

/** The standing batch that holds L2 block `n` (null: not posted yet), and the reverted postings that held it. */
export function blockPosting(all: Posting[], n: number): BlockPosting {
  const live = all.find((p) => p.record.state !== "reverted" && holds(p.record, n));
  return { batch: live?.ref ?? null, revertedIn: all.filter((p) => p.record.state === "reverted" && holds(p.record, n)).map((p) => p.ref) };
}

/** Where a withdrawal stands: made on L2, posted (challengeable), ready to finalize on L1, or paid. */
export function withdrawalView(history: RollupHistory, all: Posting[], w: WithdrawalLog, tokenOnL1: (l1Token: string) => TokenRef | null): WithdrawalView {
  // A token withdrawn on L2 was registered through L1; an unknown one still must not read as ETH.
  const token = w.l1Token === ZERO_ADDRESS ? null : (tokenOnL1(w.l1Token) ?? { id: -1, l1Token: w.l1Token, l2Token: ZERO_ADDRESS, symbol: "(unknown token)", decimals: 0 });
  const base = { id: w.id, l1Recipient: w.l1Recipient, l1Token: w.l1Token, token, amount: w.amount.toString() };
  const payout = history.payouts.get(w.id);
  if (payout) return { ...base, state: "finalized", challengeableUntil: null, batchIndex: payout.batchIndex };
  const batch = blockPosting(all, w.l2Block).batch;
  if (!batch) return { ...base, state: "on-l2", challengeableUntil: null, batchIndex: null };
  return batch.state === "final"
    ? { ...base, state: "ready", challengeableUntil: null, batchIndex: batch.index }
    : { ...base, state: "posted", challengeableUntil: batch.challengeableUntil, batchIndex: batch.index };
}

const kindName = Object.fromEntries(Object.entries(FRAUD_KIND).map(([k, v]) => [v, k]));
const reasonName = Object.fromEntries(Object.entries(FRAUD_REASON).map(([k, v]) => [v, k]));

/** A fraud proof in words (kind and reason by name, amounts as decimal strings). */
export function fraudProofView(c: ChallengeRecord): FraudProofView {
  return {
    l1Tx: c.l1Tx,
    time: c.time,
    batchIndex: c.batchIndex,
    commitmentIndex: c.commitmentIndex,
    kind: kindName[c.kind] ?? String(c.kind),
    reason: c.reason ? (reasonName[c.reason] ?? String(c.reason)) : null,
    challenger: c.challenger,
    proposer: c.proposer,
    batchesReverted: c.batchesReverted,
    slashed: (c.reward + c.burned).toString(),
    reward: c.reward.toString(),
    burned: c.burned.toString(),
  };
}
