/**
 * The shapes the SDK's actions share: where Cairn is (the connection and its contracts) and
 * what a withdrawal looks like on its way out. One file, so that actions and the client that
 * binds them import the same definitions without importing each other.
 */
import type { JsonRpcProvider, Provider, Signer } from "ethers";
import type { Hex, TokenBalance as TokenBalanceAnswer } from "../chain/api";

export type { Hex, RollupStatus } from "../chain/api";

/** Cairn's two L1 contracts. */
export interface CairnAddresses {
  bridge: string;
  rollup: string;
}

/**
 * What the ethers actions act through — the first argument of each, as a viem client is of
 * viem's. `CairnClient` is one; a plain object literal is another.
 */
export interface CairnConnection {
  /** An L1 signer (to deposit and finalize) or provider (to read). */
  l1: Signer | Provider;
  /** The Cairn L2 JSON-RPC provider. */
  l2: JsonRpcProvider;
  addresses: CairnAddresses;
  /** Milliseconds between polls while waiting (default 500). */
  pollMs?: number;
}

/** Where a withdrawal stands, in the order it gets there. */
export type WithdrawalState = "on-l2" | "posted" | "ready" | "finalized";

/** The stages in order: a wait for one is over at it or any later one. */
export const WITHDRAWAL_STATES: readonly WithdrawalState[] = ["on-l2", "posted", "ready", "finalized"];

export interface WithdrawalStatus {
  state: WithdrawalState;
  id: bigint;
  batchIndex: bigint | null;
  /** While `posted`: the L1 time (seconds) from which the batch is final. */
  challengeableUntil: number | null;
}

/** `rollup_getWithdrawalProof`'s answer with its quantities as bigints, as `Bridge.finalizeWithdrawal` takes it. */
export interface WithdrawalProof {
  withdrawal: { id: bigint; l2Sender: Hex; l1Recipient: Hex; l1Token: Hex; amount: bigint };
  /** The L2 block that made the withdrawal. */
  l2BlockNumber: bigint;
  /** The posted batch holding that block, and the proof against its withdrawal root: null until it is posted. */
  batchIndex: bigint | null;
  proof: Hex[] | null;
}

/** A withdrawal named by its id, or by the L2 transaction that made it (forced withdrawals have none). */
export type WithdrawalRef = { id: bigint } | { hash: string };

/** An entry a deposit or forced withdrawal added to the Bridge's L1 → L2 queue. */
export interface QueuedEntry {
  /** The L1 transaction. */
  l1Tx: string;
  /** Its place in the queue. */
  queueIndex: bigint;
  /** What the L2 will credit or withdraw (for tokens: what the Bridge actually received). */
  amount: bigint;
}

/** A deposit on L1, and when it is spendable on L2. */
export interface Deposit extends QueuedEntry {
  /**
   * Resolves once the L2 has applied the deposit. It never rejects unobserved: a caller that
   * does not await it cannot crash the process.
   */
  credited: Promise<true>;
}

/** A bridged token an L2 account holds: `rollup_getTokenBalances`' answer, its balance a bigint (the token's smallest unit). */
export type TokenBalance = Omit<TokenBalanceAnswer, "balance"> & { balance: bigint };
