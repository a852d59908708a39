/**
 * Queue operations: the L1 queue's entries applied to the L2 state in order — deposits of ETH
 * and tokens, token registrations and forced withdrawals. The entry is L1's; the packed
 * operation only says which account it credits (or that it has none), and that claim is checked
 * against the state like any other.
 */
import { ACCOUNT_TREE_DEPTH, QueueKind, ZERO_ADDRESS } from "./constants";
import { invalid } from "./errors";
import { MAX_UINT256, MAX_UINT64 } from "./bytes";
import type { Withdrawal } from "./hashing";
import type { QueueOp } from "./ops";
import type { L2State } from "./state";

/** An entry of the L1 queue, as the Bridge recorded it. */
export interface QueueEntry {
  index: bigint;
  kind: QueueKind;
  /** The L2 recipient, or the L1 token for a registration. */
  account: string;
  tokenId: number;
  amount: bigint;
}

export interface QueueResult {
  type: "queue";
  entry: QueueEntry;
  /**
   * Whether the entry took effect: false when a credit would overflow a balance (only a rogue
   * token can do that), or a forced withdrawal finds too little (or no account) to withdraw.
   */
  credited: boolean;
  /** The withdrawal a forced withdrawal made. */
  withdrawal?: Withdrawal;
}

export function isForcedWithdrawal(kind: QueueKind): boolean {
  return kind === QueueKind.FORCED_WITHDRAWAL_ETH || kind === QueueKind.FORCED_WITHDRAWAL_TOKEN;
}

/**
 * Applies `op`, which consumes the state's next queue entry: `entry`, or undefined when L1 has
 * none. Throws InvalidOperationError, with the state untouched, if it is invalid.
 */
export function applyQueueOp(state: L2State, op: QueueOp, entry: QueueEntry | undefined): QueueResult {
  if (!entry) return invalid("queue-empty", `no L1 queue entry ${state.queueIndex}`);
  if (entry.kind === QueueKind.TOKEN_REGISTRATION) {
    if (op.credit !== "none") invalid("malformed", `a token registration credits no account`);
    if (entry.tokenId !== state.tokenCount) invalid("malformed", `registration of token ${entry.tokenId}, expected ${state.tokenCount}`);
    state.registerToken(entry.account.toLowerCase());
    state.consumeQueueEntry();
    return { type: "queue", entry, credited: true };
  }
  if ((entry.kind === QueueKind.TOKEN_DEPOSIT || entry.kind === QueueKind.FORCED_WITHDRAWAL_TOKEN) && entry.tokenId >= state.tokenCount) {
    invalid("unknown-token", `queue entry for unregistered token ${entry.tokenId}`);
  }
  if (isForcedWithdrawal(entry.kind)) return applyForcedWithdrawal(state, op, entry);
  const recipient = entry.account.toLowerCase();
  // Each branch reads exactly the accounts a fraud proof needs to witness its verdict.
  let index: number;
  if (op.credit === "existing") {
    if (op.index >= state.accountCount) invalid("unknown-account", `no account ${op.index}`);
    if (state.account(op.index).address !== recipient) invalid("malformed", `account ${op.index} is not deposit recipient ${recipient}`);
    index = op.index;
  } else if (op.credit === "new") {
    const existing = state.indexOf(recipient);
    if (existing !== undefined) {
      state.account(existing);
      invalid("account-exists", `deposit recipient ${recipient} is account ${existing}`);
    }
    if (state.accountCount >= 2 ** ACCOUNT_TREE_DEPTH) invalid("overflow", "account tree full");
    index = -1;
  } else {
    return invalid("malformed", "a deposit must credit an account");
  }
  // Effects: the entry is consumed whatever happens to the credit.
  if (index < 0) index = state.createAccount(recipient);
  state.consumeQueueEntry();
  const current = entry.kind === QueueKind.ETH_DEPOSIT ? state.account(index).balance : state.tokenBalance(index, entry.tokenId);
  const credited = current + entry.amount <= MAX_UINT256;
  if (credited && entry.kind === QueueKind.ETH_DEPOSIT) state.setBalance(index, current + entry.amount);
  if (credited && entry.kind === QueueKind.TOKEN_DEPOSIT) state.setTokenBalance(index, entry.tokenId, current + entry.amount);
  return { type: "queue", entry, credited };
}

/**
 * A forced withdrawal takes the L1 caller's own L2 funds out, all or nothing: it applies when
 * the account exists and holds `amount`, and is otherwise consumed without effect. Either way
 * the commitment must say which: the account's index, or "none" when it has no account.
 */
function applyForcedWithdrawal(state: L2State, op: QueueOp, entry: QueueEntry): QueueResult {
  const owner = entry.account.toLowerCase();
  let index: number | null = null;
  if (op.credit === "existing") {
    if (op.index >= state.accountCount) invalid("unknown-account", `no account ${op.index}`);
    if (state.account(op.index).address !== owner) invalid("malformed", `account ${op.index} is not ${owner}`);
    index = op.index;
  } else if (op.credit === "none") {
    const existing = state.indexOf(owner);
    if (existing !== undefined) {
      state.account(existing);
      invalid("account-exists", `forced withdrawal of ${owner}, which is account ${existing}`);
    }
  } else {
    invalid("malformed", "a forced withdrawal names the account it takes from, or none");
  }
  state.consumeQueueEntry();
  if (index === null) return { type: "queue", entry, credited: false };
  const isEth = entry.kind === QueueKind.FORCED_WITHDRAWAL_ETH;
  const held = isEth ? state.account(index).balance : state.tokenBalance(index, entry.tokenId);
  // Unreachable in practice (2^64 − 1 withdrawals), but defined: the entry is consumed, as when too little is held.
  if (held < entry.amount || state.withdrawalCount >= MAX_UINT64) return { type: "queue", entry, credited: false };
  if (isEth) state.setBalance(index, held - entry.amount);
  else state.setTokenBalance(index, entry.tokenId, held - entry.amount);
  const l1Token = isEth ? ZERO_ADDRESS : state.token(entry.tokenId)!.l1Address;
  const withdrawal = { id: state.takeWithdrawalId(), l2Sender: owner, l1Recipient: owner, l1Token, amount: entry.amount };
  return { type: "queue", entry, credited: true, withdrawal };
}
