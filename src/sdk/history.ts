/**
 * The rollup's L1 history, read from its events: every batch ever posted (including the ones a
 * fraud proof reverted, whose indices are then reused), the challenges, the deposit queue and
 * the withdrawals paid out. `update()` reads only what is new, so a page or CLI can poll it;
 * `getRollupHistory` (actions/) is the one-shot read.
 */
import { isError, type Interface, type Log, type LogDescription, type Provider } from "ethers";
import { Bridge__factory, Rollup__factory } from "./internal/contracts";
import type { CairnAddresses } from "./types";
import { inSlices } from "../shared/slices";
import { decodeTokenRegistered } from "../chain/tokens";

export type BatchState = "challengeable" | "final" | "reverted";

export interface BatchRecord {
  index: number;
  proposer: string;
  l1Tx: string;
  l1Block: number;
  /** L1 time of submission (seconds); the challenge window starts here. */
  submittedAt: number;
  challengeableUntil: number;
  commitments: number;
  /** L2 blocks it holds: one per commitment, more where an empty run stands for many. */
  blocks: number;
  firstBlock: number;
  queueCount: number;
  postStateRoot: string;
  state: BatchState;
  /** The fraud proof that reverted it. */
  revertedBy: { l1Tx: string; challenger: string } | null;
}

export interface ChallengeRecord {
  batchIndex: number;
  commitmentIndex: number;
  challenger: string;
  proposer: string;
  kind: number;
  reason: number;
  batchesReverted: number;
  reward: bigint;
  burned: bigint;
  l1Tx: string;
  time: number;
}

export const QUEUE_KINDS = ["eth-deposit", "token-deposit", "token-registration", "forced-eth-withdrawal", "forced-token-withdrawal"] as const;

export interface QueueRecord {
  index: number;
  kind: (typeof QUEUE_KINDS)[number];
  account: string;
  tokenId: number;
  amount: bigint;
  l1Sender: string;
  l1Tx: string;
  time: number;
}

export interface PayoutRecord {
  id: number;
  l1Recipient: string;
  l1Token: string;
  amount: bigint;
  batchIndex: number;
  l1Tx: string;
}

export interface TokenRecord {
  id: number;
  l1Token: string;
  l2Token: string;
  /** Display form of the symbol the registration recorded (see displayText), "?" when empty. */
  symbol: string;
  decimals: number;
}

export class RollupHistory {
  /** Every batch submission in L1 order; a reverted one stays, marked. */
  readonly batches: BatchRecord[] = [];
  readonly challenges: ChallengeRecord[] = [];
  readonly queue: QueueRecord[] = [];
  readonly payouts = new Map<number, PayoutRecord>();
  /** Registered tokens by id, as their registration on L1 described them. */
  readonly tokens = new Map<number, TokenRecord>();
  private challengeWindow = 0;
  private nextBlock: number;
  private readonly rollupIface = Rollup__factory.createInterface();
  private readonly bridgeIface = Bridge__factory.createInterface();
  private readonly times = new Map<number, number>();

  constructor(
    private readonly l1: Provider,
    private readonly addresses: CairnAddresses,
    fromBlock = 0,
  ) {
    this.nextBlock = fromBlock;
  }

  /** Reads the events mined since the last update; returns the L1 block it read up to. */
  async update(): Promise<number> {
    if (this.challengeWindow === 0) this.challengeWindow = Number(await Rollup__factory.connect(this.addresses.rollup, this.l1).challengeWindow());
    const head = await this.l1.getBlockNumber();
    if (head < this.nextBlock) return head;
    const address = [this.addresses.rollup, this.addresses.bridge];
    const logs = await inSlices(this.nextBlock, head, (fromBlock, toBlock) => this.l1.getLogs({ address, fromBlock, toBlock }));
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const log of logs) await this.apply(log);
    this.nextBlock = head + 1;
    return head;
  }

  /** Batch states as of L1 time `now` (seconds). */
  refreshStates(now: number): void {
    for (const b of this.batches) if (b.state !== "reverted") b.state = now >= b.challengeableUntil ? "final" : "challengeable";
  }

  /** The batches that stand now, by index. */
  liveBatches(): BatchRecord[] {
    return this.batches.filter((b) => b.state !== "reverted");
  }

  private async apply(log: Log): Promise<void> {
    const isRollup = log.address.toLowerCase() === this.addresses.rollup.toLowerCase();
    // Decoded by hand: a token's name and symbol are untrusted bytes (ethers throws on invalid UTF-8).
    const token = isRollup ? null : decodeTokenRegistered(log);
    if (token) {
      this.tokens.set(token.tokenId, { id: token.tokenId, l1Token: token.l1Token, l2Token: token.l2Token, symbol: token.symbol || "?", decimals: token.decimals });
      return;
    }
    const parsed = parseOrNull(isRollup ? this.rollupIface : this.bridgeIface, log);
    if (!parsed) return;
    const a = parsed.args;
    switch (parsed.name) {
      case "BatchSubmitted": {
        const submittedAt = await this.time(log.blockNumber);
        this.batches.push({
          index: Number(a.index),
          proposer: a.proposer,
          l1Tx: log.transactionHash,
          l1Block: log.blockNumber,
          submittedAt,
          challengeableUntil: submittedAt + this.challengeWindow,
          commitments: Number(a.commitmentCount),
          blocks: Number(a.blockCount),
          firstBlock: Number(a.firstBlock),
          queueCount: Number(a.queueCount),
          postStateRoot: a.postStateRoot,
          state: "challengeable",
          revertedBy: null,
        });
        break;
      }
      case "FraudProven": {
        const from = Number(a.batchIndex);
        for (const b of this.batches) {
          if (b.state !== "reverted" && b.index >= from) {
            b.state = "reverted";
            b.revertedBy = { l1Tx: log.transactionHash, challenger: a.challenger };
          }
        }
        this.challenges.push({
          batchIndex: from,
          commitmentIndex: Number(a.commitmentIndex),
          challenger: a.challenger,
          proposer: a.proposer,
          kind: Number(a.kind),
          reason: Number(a.reason),
          batchesReverted: Number(a.batchesReverted),
          reward: a.reward,
          burned: a.burned,
          l1Tx: log.transactionHash,
          time: await this.time(log.blockNumber),
        });
        break;
      }
      case "QueueEntryAdded":
        this.queue.push({
          index: Number(a.index),
          kind: QUEUE_KINDS[Number(a.kind)] ?? "eth-deposit",
          account: a.account,
          tokenId: Number(a.tokenId),
          amount: a.amount,
          l1Sender: a.l1Sender,
          l1Tx: log.transactionHash,
          time: await this.time(log.blockNumber),
        });
        break;
      case "WithdrawalFinalized":
        this.payouts.set(Number(a.id), { id: Number(a.id), l1Recipient: a.l1Recipient, l1Token: a.l1Token, amount: a.amount, batchIndex: Number(a.batchIndex), l1Tx: log.transactionHash });
        break;
    }
  }

  private async time(block: number): Promise<number> {
    let t = this.times.get(block);
    if (t === undefined) {
      t = (await this.l1.getBlock(block))!.timestamp;
      this.times.set(block, t);
    }
    return t;
  }
}

/** A log our contracts emitted, decoded; null for one that does not decode (none should: skip, never stop reading). */
function parseOrNull(iface: Interface, log: Log): LogDescription | null {
  if (log.topics.length === 0) return null; // anonymous: ethers cannot look up an event without a topic
  try {
    return iface.parseLog(log);
  } catch (e) {
    // Data too short for the event's fields, or topics that are not its own.
    if (isError(e, "BUFFER_OVERRUN") || isError(e, "INVALID_ARGUMENT")) return null;
    throw e;
  }
}

/**
 * The L1's clock: its latest block's time — the time `Rollup.isFinal` reads, so that what is
 * shown as final is what L1 says is final (never the wall clock, which runs ahead of an L1
 * that has not mined since).
 */
export async function l1Now(l1: Provider): Promise<number> {
  const block = await l1.getBlock("latest");
  return block?.timestamp ?? 0;
}
