/**
 * The shapes of what the explorer's server answers its page under /api/: one definition for
 * the server that builds them (and for the tests that read them). Amounts are decimal strings
 * of base units (wei, or the token's smallest unit), since JSON numbers cannot hold them;
 * times are L1/L2 block timestamps in seconds.
 */
/** A posted batch: challengeable until its window ends, then final, unless a fraud proof reverts it. */
export type BatchState = "challengeable" | "final" | "reverted";

/** A bridged token as a page shows an amount of it. */
export interface TokenRef {
  id: number;
  l1Token: string;
  l2Token: string;
  symbol: string;
  decimals: number;
}

/** What a transaction did: the ERC-20 calls go by their function's name, which is how dapp developers know them. */
export type TxKind = "transfer" | "token transfer" | "approve" | "transferFrom" | "withdrawal";

/** A transaction as lists show it: what moved, from whom, to whom. */
export interface TxSummary {
  hash: string;
  block: number;
  time: number;
  from: string;
  /** The address the transaction was sent to: the recipient of ETH, a token's L2 address, or the withdrawal predeploy. */
  to: string;
  kind: TxKind;
  /**
   * Who receives: the L2 recipient of a transfer, token transfer or transferFrom, the spender an
   * approve allows, the L1 recipient of a withdrawal.
   */
  recipient: string;
  /** The amount moved, or the allowance an approve sets. */
  amount: string;
  /** The token moved; null for ETH. */
  token: TokenRef | null;
  /** Whose tokens a transferFrom moved (its sender is the spender); null for every other kind. */
  owner: string | null;
}

/** One posting of a batch on L1. An index is posted again after a fraud proof reverts it, so (index, posting) names one. */
export interface BatchRef {
  index: number;
  /** 1 for the first posting of this index, 2 for its re-posting after a revert, and so on. */
  posting: number;
  /** "#3", "#3 (reverted)", "#3 (re-posted)": distinct for each posting of one index. */
  label: string;
  path: string;
  state: BatchState;
  /** L1 time from which it is final, unless a fraud proof reverts it first. */
  challengeableUntil: number;
}

/** Where an L2 block stands on L1: the batch that holds it now (null: not posted yet) and the reverted postings that held it before. */
export interface BlockPosting {
  batch: BatchRef | null;
  revertedIn: BatchRef[];
}

export interface Paged<T> {
  page: number;
  pageSize: number;
  total: number;
  items: T[];
}

export interface LogView {
  index: number;
  address: string;
  topics: string[];
  data: string;
  /** The event in words when the explorer knows it (Transfer, WithdrawalInitiated). */
  decoded: string | null;
}

export interface WithdrawalView {
  id: number;
  l1Recipient: string;
  l1Token: string;
  /** The token withdrawn; null for ETH. */
  token: TokenRef | null;
  amount: string;
  state: "on-l2" | "posted" | "ready" | "finalized";
  challengeableUntil: number | null;
  batchIndex: number | null;
}

/**
 * A withdrawal as its transaction's page tells it: where it stands, whether the L2 node has a
 * proof for it yet, whether L1 would pay it now, and the payout once made.
 */
export interface WithdrawalDetail extends WithdrawalView {
  /** The node's Merkle proof against the withdrawal root of the batch holding its block; null before that batch is posted. */
  proof: { batchIndex: number; hashes: number } | null;
  /** Whether Bridge.finalizeWithdrawal would pay it now: its batch is final and it is not paid yet. */
  finalizableNow: boolean;
  /** The L1 transaction that paid it. */
  payoutTx: string | null;
}

export interface TxPage extends BlockPosting {
  hash: string;
  /** "pending" while the transaction sits in the block being built. */
  status: "included" | "pending";
  block: number | null;
  blockHash: string | null;
  time: number | null;
  from: string;
  to: string;
  kind: TxKind;
  /** As in TxSummary: the L2 recipient, an approve's spender, or a withdrawal's L1 recipient. */
  recipient: string;
  amount: string;
  token: TokenRef | null;
  /** As in TxSummary: whose tokens a transferFrom moved. */
  owner: string | null;
  nonce: number;
  /** The ETH the transaction carried (zero for token transfers and withdrawals, whose amount is an argument). */
  value: string;
  type: number;
  gasLimit: string;
  gasUsed: string | null;
  effectiveGasPrice: string | null;
  /** gasUsed × effectiveGasPrice, in wei. */
  fee: string | null;
  input: string;
  logs: LogView[];
  withdrawal: WithdrawalDetail | null;
}

export interface TokenBalanceView extends TokenRef {
  balance: string;
}

export interface DepositView {
  index: number;
  kind: string;
  amount: string;
  token: TokenRef | null;
  l1Sender: string;
  l1Tx: string;
  time: number;
  credited: boolean;
}

export interface AddressPage {
  address: string;
  /** What the address is on Cairn: an account, a bridged token's L2 address, or the withdrawal predeploy. */
  role: "account" | "token" | "withdrawal predeploy";
  /** The token this address is the L2 address of. */
  token: TokenRef | null;
  balance: string;
  nonce: number;
  tokens: TokenBalanceView[];
  txs: Paged<TxSummary>;
  /** L1 queue entries for this account (deposits, forced withdrawals), newest first. */
  deposits: DepositView[];
}

export interface BlockPage extends BlockPosting {
  number: number;
  hash: string;
  parentHash: string;
  time: number;
  stateRoot: string;
  feeRecipient: string;
  gasUsed: string;
  baseFee: string;
  size: number;
  head: number;
  txs: TxSummary[];
}

export interface FraudProofView {
  l1Tx: string;
  time: number;
  /** The batch the proof was against; later batches fall with it. */
  batchIndex: number;
  commitmentIndex: number;
  kind: string;
  reason: string | null;
  challenger: string;
  proposer: string;
  batchesReverted: number;
  slashed: string;
  reward: string;
  burned: string;
}

export interface BatchPage extends BatchRef {
  proposer: string;
  l1Tx: string;
  l1Block: number;
  submittedAt: number;
  /** The state root the proposer posted for the batch's last block. */
  postedStateRoot: string;
  /** The L2 chain's own state root at that block (differs from the posted one when the batch was fraudulent). */
  l2StateRoot: string | null;
  firstBlock: number;
  lastBlock: number;
  queueCount: number;
  blocks: Paged<{ number: number; hash: string; time: number; txCount: number }>;
  fraudProof: FraudProofView | null;
  /** Every posting of this index, this one included, in L1 order. */
  postings: BatchRef[];
}

/**
 * The dashboard's charts: the last hour in bins of `binSeconds`, oldest first. Blocks are binned
 * by their L2 timestamps, the last bin ending at `l2Now`; batch postings that stand by their L1
 * submission time, the last bin ending at `l1Now`.
 */
export interface ActivityCharts {
  binSeconds: number;
  l2Now: number;
  /** L2 blocks sealed, and the transactions they hold. */
  blocks: Array<{ blocks: number; txs: number }>;
  l1Now: number;
  /** Batches posted, the L1 gas their submissions used, and the L2 transactions their blocks hold. */
  batches: Array<{ batches: number; l1Gas: number; txs: number }>;
}

export interface SearchAnswer {
  query: string;
  results: Array<{ kind: "tx" | "block" | "address" | "batch"; label: string; path: string }>;
}
