/**
 * The shapes of what the L2's rollup_* JSON-RPC methods answer: one definition that the RPC
 * that serves them and the SDK, CLI and viem actions that read them all import.
 */

/** 0x-prefixed hex as the JSON carries it: a quantity, an address, a hash or bytes. */
export type Hex = `0x${string}`;

/** `rollup_status`: where the L2 stands and what L1 holds of it. */
export interface RollupStatus {
  l2BlockNumber: number;
  stateRoot: string;
  batches: { posted: number; final: number; reverted: number };
  pendingDeposits: number;
  /** L1 queue entries (deposits, registrations, forced withdrawals) the L2 has applied. */
  queueConsumed: number;
  l1: { bridge: string; rollup: string; chainId: number };
}

/** `rollup_getBatch`: a posted batch, its L2 blocks, and whether its challenge window has passed. */
export interface RollupBatch {
  index: Hex;
  firstBlock: Hex;
  lastBlock: Hex;
  stateRoot: string;
  l1TxHash: string | null;
  l1Block: Hex | null;
  final: boolean;
}

/**
 * `rollup_getWithdrawalProof`: a withdrawal as Bridge.finalizeWithdrawal takes it (quantities in
 * hex), the L2 block that made it, and — once that block is in a posted batch — the batch and
 * the proof against its withdrawal root; both null before.
 */
export interface WithdrawalProofResponse {
  withdrawal: { id: Hex; l2Sender: Hex; l1Recipient: Hex; l1Token: Hex; amount: Hex };
  l2BlockNumber: Hex;
  batchIndex: Hex | null;
  proof: Hex[] | null;
}

/**
 * `rollup_getTokenBalances(address)`: every bridged token the account holds a balance of, by
 * token id, with what its L1 registration says of it (symbol and decimals for display; the
 * symbol made display-safe, see chain/untrustedText.ts).
 */
export interface TokenBalance {
  tokenId: number;
  l1Token: Hex;
  l2Token: Hex;
  symbol: string;
  decimals: number;
  balance: Hex;
}

/**
 * `eth_getProof(address, storageKeys, block)`: geth's fields, and Cairn's that check the account
 * against the block's state root (`verifyAccountProof`, src/core/accountProof.ts). Cairn's
 * account tree is positional, not a Merkle-Patricia trie: `accountProof` holds the account's 24
 * sibling hashes, leaf level first. Accounts hold no storage and no code, so `storageHash` is
 * the empty trie's root and every storage value zero, with an empty proof. An address without
 * an account answers zeros and a null `accountIndex`: Cairn's root cannot prove an absence.
 */
export interface AccountProofResponse {
  address: Hex;
  balance: Hex;
  nonce: Hex;
  codeHash: Hex;
  storageHash: Hex;
  accountProof: Hex[];
  storageProof: Array<{ key: string; value: Hex; proof: Hex[] }>;
  accountIndex: Hex | null;
  tokenRoot: Hex | null;
  /** Root of the account's tree of ERC-20 allowances given (the leaf's last field; null with no account). */
  allowanceRoot: Hex | null;
  accountsRoot: Hex;
  accountCount: Hex;
  queueIndex: Hex;
  withdrawalCount: Hex;
  tokenCount: Hex;
  stateRoot: Hex;
  blockNumber: Hex;
  blockHash: Hex;
}
