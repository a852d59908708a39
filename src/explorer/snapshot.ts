/**
 * The dashboard's snapshot: where the chain stands, and the latest blocks, batches, deposits,
 * withdrawals and fraud proofs, each with what a page needs to link and label it, and the last
 * hour's activity for the charts.
 */
import type { ChallengeRecord } from "../sdk";
import type { ActivityCharts, BatchRef, DepositView, FraudProofView, TokenRef, TxSummary, WithdrawalView } from "./api";
import type { ExplorerData } from "./data";
import { activityCharts } from "./charts";
import { findPosting, fraudProofView, withdrawalView, type Posting } from "./postings";

export { ExplorerData } from "./data";

const SHOWN = 25;

export interface ExplorerSnapshot {
  l1: { block: number; time: number };
  l2: { head: number; safe: number; finalized: number; stateRoot: string; queueConsumed: number };
  challengeWindow: number;
  /** Registered tokens (for symbols and decimals), by id. */
  tokens: TokenRef[];
  blocks: Array<{ number: number; hash: string; time: number; txs: TxSummary[] }>;
  batches: Array<BatchRef & { firstBlock: number; blocks: number; commitments: number; proposer: string; l1Tx: string; submittedAt: number }>;
  deposits: Array<DepositView & { account: string; tokenId: number }>;
  withdrawals: Array<WithdrawalView & { l2Block: number; l2Tx: string; l2Sender: string }>;
  challenges: Array<FraudProofView & { batch: BatchRef | null }>;
  charts: ActivityCharts;
}

/** The posting a fraud proof reverted: the one of its batch index that its L1 transaction marked. */
function provenPosting(all: Posting[], c: ChallengeRecord): Posting | undefined {
  return all.find((p) => p.record.index === c.batchIndex && p.record.revertedBy?.l1Tx === c.l1Tx) ?? findPosting(all, c.batchIndex);
}

export async function buildSnapshot(data: ExplorerData): Promise<ExplorerSnapshot> {
  const view = await data.fresh();
  const { history, index } = data;
  const [safe, finalized, charts] = (await Promise.all([
    data.l2.send("eth_getBlockByNumber", ["safe", false]),
    data.l2.send("eth_getBlockByNumber", ["finalized", false]),
    activityCharts(index, view.postings, data.batchGas, view.l1Time),
  ])) as [{ number: string } | null, { number: string } | null, ActivityCharts];
  return {
    l1: { block: view.l1Block, time: view.l1Time },
    l2: { head: view.status.l2BlockNumber, safe: Number(safe?.number ?? 0), finalized: Number(finalized?.number ?? 0), stateRoot: view.status.stateRoot, queueConsumed: view.status.queueConsumed },
    challengeWindow: view.challengeWindow,
    tokens: data.tokens(),
    blocks: index.blocks
      .slice(-SHOWN)
      .reverse()
      .map((b) => ({ number: b.number, hash: b.hash, time: b.time, txs: b.txs })),
    batches: view.postings
      .slice(-SHOWN)
      .reverse()
      .map(({ record: b, ref }) => ({ ...ref, firstBlock: b.firstBlock, blocks: b.blocks, commitments: b.commitments, proposer: b.proposer, l1Tx: b.l1Tx, submittedAt: b.submittedAt })),
    deposits: history.queue
      .slice(-SHOWN)
      .reverse()
      .map((q) => ({
        index: q.index,
        kind: q.kind,
        account: q.account,
        tokenId: q.tokenId,
        amount: q.amount.toString(),
        token: q.kind.includes("token") ? data.tokenById(q.tokenId) : null,
        l1Sender: q.l1Sender,
        l1Tx: q.l1Tx,
        time: q.time,
        credited: q.index < view.status.queueConsumed,
      })),
    withdrawals: index.withdrawals
      .slice(-SHOWN)
      .reverse()
      .map((w) => ({ ...withdrawalView(history, view.postings, w, data.tokenOnL1), l2Block: w.l2Block, l2Tx: w.l2Tx, l2Sender: w.l2Sender })),
    challenges: history.challenges
      .slice(-SHOWN)
      .reverse()
      .map((c) => ({ ...fraudProofView(c), batch: provenPosting(view.postings, c)?.ref ?? null })),
    charts,
  };
}
