/**
 * What the explorer page shows, assembled from the two JSON-RPC endpoints anyone has — the L1
 * (contract events) and the L2 (blocks, withdrawal logs, rollup_status) — so it works against
 * any Cairn deployment, not only an in-process devnet.
 */
import { AbiCoder, getAddress, type JsonRpcProvider, type Provider } from "ethers";
import { RollupHistory, l1Now, type BatchRecord, type BatchState } from "../sdk/history";
import type { CairnAddresses } from "../sdk/client";
import { FRAUD_KIND, FRAUD_REASON } from "../core/fraudProof";
import { TOPIC_WITHDRAWAL, WITHDRAWAL_PREDEPLOY } from "../core/constants";

const SHOWN = 25;

export interface ExplorerSnapshot {
  l1: { block: number; time: number };
  l2: { head: number; safe: number; finalized: number; stateRoot: string; queueConsumed: number };
  challengeWindow: number;
  /** Registered tokens (for symbols and decimals), by id. */
  tokens: Array<{ id: number; l1Token: string; l2Token: string; symbol: string; decimals: number }>;
  blocks: Array<{ number: number; hash: string; time: number; txs: Array<{ hash: string; from: string; to: string | null; value: string; kind: string }> }>;
  batches: Array<Omit<BatchRecord, "state"> & { state: BatchState }>;
  deposits: Array<{ index: number; kind: string; account: string; tokenId: number; amount: string; l1Sender: string; time: number; credited: boolean }>;
  withdrawals: Array<{ id: number; l2Block: number; l2Tx: string; l2Sender: string; l1Recipient: string; l1Token: string; amount: string; state: "on-l2" | "posted" | "ready" | "finalized"; challengeableUntil: number | null; batchIndex: number | null }>;
  challenges: Array<{ batchIndex: number; commitmentIndex: number; kind: string; reason: string | null; challenger: string; proposer: string; batchesReverted: number; slashed: string; reward: string; burned: string; l1Tx: string; time: number }>;
}

interface RawBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: Array<{ hash: string; from: string; to: string | null; value: string; input: string }>;
}

interface WithdrawalLog {
  id: number;
  l2Block: number;
  l2Tx: string;
  l2Sender: string;
  l1Recipient: string;
  l1Token: string;
  amount: bigint;
}

const kindName = Object.fromEntries(Object.entries(FRAUD_KIND).map(([k, v]) => [v, k]));
const reasonName = Object.fromEntries(Object.entries(FRAUD_REASON).map(([k, v]) => [v, k]));
const coder = AbiCoder.defaultAbiCoder();

export class ExplorerData {
  private readonly history: RollupHistory;
  private readonly withdrawals: WithdrawalLog[] = [];
  private nextL2Block = 0;
  private challengeWindow = 0;

  constructor(
    private readonly l1: Provider,
    private readonly l2: JsonRpcProvider,
    addresses: CairnAddresses,
    fromL1Block = 0,
  ) {
    this.history = new RollupHistory(l1, addresses, fromL1Block);
  }

  async snapshot(): Promise<ExplorerSnapshot> {
    const l1Block = await this.history.update();
    const now = await l1Now(this.l1);
    this.history.refreshStates(now);
    const status = (await this.l2.send("rollup_status", [])) as { l2BlockNumber: number; stateRoot: string; queueConsumed: number };
    const [safe, finalized] = await Promise.all([this.l2.send("eth_getBlockByNumber", ["safe", false]), this.l2.send("eth_getBlockByNumber", ["finalized", false])]);
    await this.readWithdrawals(status.l2BlockNumber);
    const live = this.history.liveBatches();
    if (this.challengeWindow === 0 && this.history.batches.length) {
      const b = this.history.batches[0];
      this.challengeWindow = b.challengeableUntil - b.submittedAt;
    }
    return {
      l1: { block: l1Block, time: now },
      l2: { head: status.l2BlockNumber, safe: Number(safe?.number ?? 0), finalized: Number(finalized?.number ?? 0), stateRoot: status.stateRoot, queueConsumed: status.queueConsumed },
      challengeWindow: this.challengeWindow,
      tokens: [...this.history.tokens.values()],
      blocks: await this.recentBlocks(status.l2BlockNumber),
      batches: this.history.batches.slice(-SHOWN).reverse().map((b) => ({ ...b })),
      deposits: this.history.queue
        .slice(-SHOWN)
        .reverse()
        .map((q) => ({ ...q, amount: q.amount.toString(), credited: q.index < status.queueConsumed })),
      withdrawals: this.withdrawals
        .slice(-SHOWN)
        .reverse()
        .map((w) => ({ ...w, amount: w.amount.toString(), ...this.withdrawalState(w, live) })),
      challenges: this.history.challenges
        .slice(-SHOWN)
        .reverse()
        .map((c) => ({
          ...c,
          kind: kindName[c.kind] ?? String(c.kind),
          reason: c.reason ? (reasonName[c.reason] ?? String(c.reason)) : null,
          slashed: (c.reward + c.burned).toString(),
          reward: c.reward.toString(),
          burned: c.burned.toString(),
        })),
    };
  }

  private withdrawalState(w: WithdrawalLog, live: BatchRecord[]): Pick<ExplorerSnapshot["withdrawals"][number], "state" | "challengeableUntil" | "batchIndex"> {
    if (this.history.payouts.has(w.id)) return { state: "finalized", challengeableUntil: null, batchIndex: this.history.payouts.get(w.id)!.batchIndex };
    const batch = live.find((b) => w.l2Block >= b.firstBlock && w.l2Block < b.firstBlock + b.commitments);
    if (!batch) return { state: "on-l2", challengeableUntil: null, batchIndex: null };
    return batch.state === "final" ? { state: "ready", challengeableUntil: null, batchIndex: batch.index } : { state: "posted", challengeableUntil: batch.challengeableUntil, batchIndex: batch.index };
  }

  private async recentBlocks(head: number): Promise<ExplorerSnapshot["blocks"]> {
    const numbers = Array.from({ length: Math.min(SHOWN, head + 1) }, (_, i) => head - i);
    const blocks = (await Promise.all(numbers.map((n) => this.l2.send("eth_getBlockByNumber", ["0x" + n.toString(16), true])))) as Array<RawBlock | null>;
    return blocks
      .filter((b): b is RawBlock => b !== null)
      .map((b) => ({
        number: Number(b.number),
        hash: b.hash,
        time: Number(b.timestamp),
        txs: b.transactions.map((t) => ({ hash: t.hash, from: t.from, to: t.to, value: BigInt(t.value).toString(), kind: txKind(t) })),
      }));
  }

  /** Withdrawal logs of the L2 predeploy since the last read. */
  private async readWithdrawals(head: number): Promise<void> {
    if (head < this.nextL2Block) return;
    // The L2 caps eth_getLogs at 10,000 blocks a query.
    for (let from = this.nextL2Block; from <= head; from += 10_000) {
      const to = Math.min(head, from + 9_999);
      const logs = await this.l2.getLogs({ address: WITHDRAWAL_PREDEPLOY, topics: [TOPIC_WITHDRAWAL], fromBlock: from, toBlock: to });
      for (const log of logs) {
        const [l1Token, amount] = coder.decode(["address", "uint256"], log.data);
        this.withdrawals.push({
          id: Number(BigInt(log.topics[1])),
          l2Block: log.blockNumber,
          l2Tx: log.transactionHash,
          l2Sender: getAddress("0x" + log.topics[2].slice(26)),
          l1Recipient: getAddress("0x" + log.topics[3].slice(26)),
          l1Token: l1Token as string,
          amount: amount as bigint,
        });
      }
    }
    this.nextL2Block = head + 1;
  }
}

function txKind(t: { to: string | null; input: string; value: string }): string {
  if (t.to?.toLowerCase() === WITHDRAWAL_PREDEPLOY.toLowerCase()) return "withdrawal";
  if (t.input.startsWith("0xa9059cbb")) return "token transfer";
  return "transfer";
}
