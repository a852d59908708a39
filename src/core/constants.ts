/**
 * Constants of the Cairn L2 state machine. The Solidity side mirrors those it needs
 * (contracts/libraries); tests hold the two together.
 */

/** Depth of the account tree: up to 2^24 (16.7M) accounts. */
export const ACCOUNT_TREE_DEPTH = 24;
/**
 * Depth of each account's token-balance tree: token ids are 24 bits (16.7M tokens), so that
 * exhausting them with junk registrations costs days of L1's whole capacity (docs/trust-model.md).
 */
export const TOKEN_TREE_DEPTH = 24;
/**
 * Depth of each account's allowance tree: an owner's allowance for spender account `s` of token
 * `t` is the leaf at `t · 2^24 + s` ({@link allowanceKey}), so both ids keep their full 24 bits.
 */
export const ALLOWANCE_TREE_DEPTH = 48;
/** Most tokens the Bridge registers (mirrors Bridge.MAX_TOKENS). */
export const MAX_TOKENS = 2 ** TOKEN_TREE_DEPTH;
/**
 * Bits of a token id in an operation's head, by the commitment's token width class (flags bits
 * 6–7): the smallest class that holds the largest token id its operations write. Class 3 is
 * undefined (BatchCodec refuses it at submission).
 */
export const TOKEN_ID_BITS = [8, 16, 24] as const;
/**
 * Most operation slots in one commitment (one L2 block); bounds the cost of a fraud proof. An
 * operation takes one slot, an approve or transferFrom two (a 48-level allowance path, and a
 * transferFrom's three accounts: its proof costs about what two transfers' do; ops.ts `opSlots`).
 */
export const MAX_OPS_PER_COMMITMENT = 32;
/**
 * Most account-tree siblings a fraud proof of one commitment may need (its *proof weight*,
 * `proofWeight.ts`): the siblings of the multiproof over every account index the commitment
 * names, whatever the state. Slots bound the operations; this bounds how spread through the
 * tree their accounts are, so that the worst proof stays under 3M gas in any state, a full
 * 2^24-account tree included (docs/architecture.md, *Gas*). A heavier commitment is MALFORMED.
 */
export const MAX_PROOF_WEIGHT = 448;
/**
 * Most token and allowance path levels a fraud proof of one commitment may cross where a sibling
 * can be non-empty (its *token proof weight*, `proofWeight.ts`): levels a registered token or an
 * existing spender could have crowded. Bounds the token-tree part of the proof as
 * MAX_PROOF_WEIGHT bounds the account tree's (docs/architecture.md, *Gas*). 32 token transfers
 * between existing holders fit while at most 32 tokens are registered (5 open levels a path),
 * and 13 transferFroms of one token in any state (a spender's half of the allowance key has at
 * most 24); with more tokens a commitment of token traffic seals earlier.
 */
export const MAX_TOKEN_PROOF_WEIGHT = 320;
/**
 * Most distinct fee/gas tuples one commitment lists. Each costs a fraud proof its decoding and a
 * hash (~3k gas); 16 keeps the worst proof under 3M with the proof weights at their caps.
 */
export const MAX_FEE_ENTRIES = 16;
/** Most commitments in one batch (mirrors BatchCodec.MAX_COMMITMENTS). */
export const MAX_COMMITMENTS_PER_BATCH = 4096;
/** An empty run's body: `[blocks u16][timestamp 5]` (mirrors BatchCodec.EMPTY_RUN_BYTES). */
export const EMPTY_RUN_BYTES = 7;
/** Most blocks one empty run holds (its count is two bytes). */
export const MAX_RUN_BLOCKS = 0xffff;
/**
 * Most L2 blocks one batch holds, runs' blocks included (mirrors BatchCodec.MAX_BLOCKS): every
 * follower builds each one, so a batch of 9-byte runs must not ask for more than a batch of
 * commitments could.
 */
export const MAX_BLOCKS_PER_BATCH = 4096;

/** The L2 address users send withdrawals to: `withdraw(l1Recipient, token, amount)`. */
export const WITHDRAWAL_PREDEPLOY = "0xca12000000000000000000000000000000000001";
/** The zero address: account 0, the head of the sorted address list. */
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * Operation kinds. 0–6 are the top three bits of an operation's first byte; those bits at 7
 * ({@link OP_EXTENDED}) are followed by two more naming one of the allowance kinds 7–10 (7 plus
 * the two bits), which are rarer and may take the longer head.
 */
export const OpKind = {
  QUEUE: 0,
  ETH_TRANSFER: 1,
  ETH_TRANSFER_NEW: 2,
  TOKEN_TRANSFER: 3,
  TOKEN_TRANSFER_NEW: 4,
  WITHDRAW_ETH: 5,
  WITHDRAW_TOKEN: 6,
  /** ERC-20 `approve(spender, amount)`, the spender an existing account. */
  APPROVE: 7,
  /** `approve` of a spender that has no account yet: its address is written and it gets one. */
  APPROVE_NEW: 8,
  /** ERC-20 `transferFrom(owner, to, amount)` by the signer as spender, `to` an existing account. */
  TRANSFER_FROM: 9,
  /** `transferFrom` to an address that has no account yet. */
  TRANSFER_FROM_NEW: 10,
} as const;
/** The three-bit head value that says two more bits name an allowance kind. */
export const OP_EXTENDED = 7;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

/** L1 queue entry kinds (mirrors Types.QueueKind). */
export const QueueKind = {
  ETH_DEPOSIT: 0,
  TOKEN_DEPOSIT: 1,
  TOKEN_REGISTRATION: 2,
  FORCED_WITHDRAWAL_ETH: 3,
  FORCED_WITHDRAWAL_TOKEN: 4,
} as const;
export type QueueKind = (typeof QueueKind)[keyof typeof QueueKind];

/**
 * Gas schedule: Ethereum's figures, so scripts see on Cairn the gasUsed they see on L1. A plain
 * ETH transfer is 21,000. A token transfer is what OpenZeppelin 5's ERC20.transfer uses on an
 * Osaka L1 (measured on the embedded Hardhat L1): 34,311 to an account already holding the
 * token, 51,411 to one holding none (the SSTORE from zero). The L1 cost of a transaction's bytes
 * is not in gasUsed: the sequencer recovers it through the base fee (docs/architecture.md, Fees).
 */
export const GAS = {
  ETH_TRANSFER: 21_000n,
  TOKEN_TRANSFER: 34_311n,
  TOKEN_TRANSFER_TO_EMPTY: 51_411n,
  WITHDRAWAL: 60_000n,
  /** `approve` from a zero allowance to a non-zero one (the SSTORE from zero). */
  APPROVE_FROM_ZERO: 46_269n,
  /** `approve` from one non-zero allowance to another. */
  APPROVE_CHANGE: 29_169n,
  /** `approve` of the allowance already set (zero to zero included). */
  APPROVE_UNCHANGED: 26_369n,
  /** `approve` of zero over a non-zero allowance (the SSTORE to zero's refund). */
  APPROVE_CLEAR: 24_345n,
  /** `transferFrom` under an infinite allowance (2^256 − 1: not decreased), to a holder. */
  TRANSFER_FROM_INFINITE: 37_080n,
  /** `transferFrom` that leaves a non-zero allowance, to a holder. */
  TRANSFER_FROM: 40_281n,
  /** `transferFrom` that uses the whole allowance (the SSTORE to zero's refund), to a holder. */
  TRANSFER_FROM_CLEARING: 35_481n,
  /** What a transferFrom adds when its recipient holds none of the token (the SSTORE from zero). */
  TO_EMPTY_EXTRA: 17_100n,
} as const;

/** Commitment flag: a withdrawal root follows the flags byte (mirrors BatchCodec). */
export const FLAG_WITHDRAWALS = 0x01;
/** The flags byte: `tokenClass << 6 | indexWidth << 1 | hasWithdrawalRoot` (mirrors BatchCodec). */
export const FLAG_INDEX_SHIFT = 1;
export const FLAG_INDEX_MASK = 0x1f;
export const FLAG_TOKEN_CLASS_SHIFT = 6;

/** ERC-20 `transfer(address,uint256)`. */
export const SELECTOR_TRANSFER = "a9059cbb";
/** ERC-20 `approve(address,uint256)`. */
export const SELECTOR_APPROVE = "095ea7b3";
/** ERC-20 `transferFrom(address,address,uint256)`. */
export const SELECTOR_TRANSFER_FROM = "23b872dd";
/** `withdraw(address,address,uint256)` on the withdrawal predeploy. */
export const SELECTOR_WITHDRAW = "d9caed12";
/** topic0 of ERC-20 `Transfer(address,address,uint256)`. */
export const TOPIC_TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
/** topic0 of ERC-20 `Approval(address,address,uint256)`. */
export const TOPIC_APPROVAL = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";
/** topic0 of `WithdrawalInitiated(uint64 indexed id, address indexed l2Sender, address indexed l1Recipient, address l1Token, uint256 amount)`. */
export const TOPIC_WITHDRAWAL = "0x48b14e77a6a428d932fd98cd0d0473b7a37b2dd32ce3a3dde399fec5b7923831";

/**
 * The gas limit every L2 block advertises (as Ethereum's blocks do): a transaction asking for
 * more is refused at intake, as geth's pool refuses one ("exceeds block gas limit").
 */
export const BLOCK_GAS_LIMIT = 30_000_000n;
