/**
 * Gas and fee arithmetic of a signed operation: the gas it uses (Ethereum's figure for the same
 * call) and the price per gas its fee entry pays under a commitment's base fee. The
 * transition charges with these, and estimates quote with them, so the two cannot disagree.
 */
import { GAS, OpKind } from "./constants";
import { invalid } from "./errors";
import { MAX_UINT256 } from "./bytes";
import type { SignedOp } from "./ops";
import type { L2State } from "./state";
import type { FeeEntry } from "./txSigning";

/**
 * gasUsed of a transfer or withdrawal of `kind`: Ethereum's figure for the same call. A token
 * transfer costs more when the recipient holds none of the token, as an ERC-20's SSTORE from
 * zero does; `recipientHoldsToken` is read from the pre-state (false for a new account and for
 * the kinds that are not token transfers).
 */
export function gasUsedOf(kind: SignedOp["kind"], recipientHoldsToken: boolean): bigint {
  switch (kind) {
    case OpKind.ETH_TRANSFER:
    case OpKind.ETH_TRANSFER_NEW:
      return GAS.ETH_TRANSFER;
    case OpKind.TOKEN_TRANSFER:
    case OpKind.TOKEN_TRANSFER_NEW:
      return recipientHoldsToken ? GAS.TOKEN_TRANSFER : GAS.TOKEN_TRANSFER_TO_EMPTY;
    default:
      return GAS.WITHDRAWAL;
  }
}

/** gasUsed of `approve` that replaces allowance `prior` by `amount` (OpenZeppelin 5's SSTORE cases). */
export function approveGas(prior: bigint, amount: bigint): bigint {
  if (amount === prior) return GAS.APPROVE_UNCHANGED;
  if (prior === 0n) return GAS.APPROVE_FROM_ZERO;
  return amount === 0n ? GAS.APPROVE_CLEAR : GAS.APPROVE_CHANGE;
}

/**
 * gasUsed of `transferFrom` of `amount` under allowance `allowance`: an infinite allowance is not
 * written, one used up is cleared (refunded), any other is decreased; a recipient holding none of
 * the token adds the SSTORE from zero. An allowance below the amount (an operation refused after
 * this is read) is quoted as a decrease.
 */
export function transferFromGas(allowance: bigint, amount: bigint, recipientHoldsToken: boolean): bigint {
  const base = allowance === MAX_UINT256 ? GAS.TRANSFER_FROM_INFINITE : allowance === amount ? GAS.TRANSFER_FROM_CLEARING : GAS.TRANSFER_FROM;
  return recipientHoldsToken ? base : base + GAS.TO_EMPTY_EXTRA;
}

/**
 * gasUsed of `op` on `state` as it stands: the allowance and the recipient's holding of the
 * token are read from it (through the state, so a fraud witness includes them). An index that
 * names no account reads as zero (execution refuses the operation before it asks).
 */
export function gasUsedOn(state: L2State, op: SignedOp): bigint {
  const holds = (index: number, tokenId: number) => index < state.accountCount && state.tokenBalance(index, tokenId) > 0n;
  const allowance = (owner: number, tokenId: number, spender: number) => (owner < state.accountCount ? state.allowance(owner, tokenId, spender) : 0n);
  switch (op.kind) {
    case OpKind.TOKEN_TRANSFER:
      return gasUsedOf(op.kind, holds(op.to, op.tokenId));
    case OpKind.APPROVE:
      return approveGas(allowance(op.from, op.tokenId, op.spender), op.amount);
    case OpKind.APPROVE_NEW:
      return approveGas(0n, op.amount);
    case OpKind.TRANSFER_FROM:
      return transferFromGas(allowance(op.owner, op.tokenId, op.from), op.amount, holds(op.to, op.tokenId));
    case OpKind.TRANSFER_FROM_NEW:
      return transferFromGas(allowance(op.owner, op.tokenId, op.from), op.amount, false);
    default:
      return gasUsedOf(op.kind, false);
  }
}

/** The most a fee entry lets a transaction pay per gas. */
export function maxFeePerGas(f: FeeEntry): bigint {
  return f.type === 2 ? f.maxFeePerGas : f.gasPrice;
}

/** Price per gas actually paid under `baseFee`; throws InvalidOperationError when the caps are below it. */
export function effectiveGasPrice(f: FeeEntry, baseFee: bigint): bigint {
  if (f.type === 0) {
    if (f.gasPrice < baseFee) invalid("fee-too-low", `gas price ${f.gasPrice} below base fee ${baseFee}`);
    return f.gasPrice;
  }
  if (f.maxFeePerGas < baseFee) invalid("fee-too-low", `max fee per gas ${f.maxFeePerGas} below base fee ${baseFee}`);
  if (f.maxPriorityFeePerGas > f.maxFeePerGas) {
    invalid("fee-too-low", `max priority fee ${f.maxPriorityFeePerGas} above max fee ${f.maxFeePerGas}`);
  }
  const withTip = baseFee + f.maxPriorityFeePerGas;
  return withTip < f.maxFeePerGas ? withTip : f.maxFeePerGas;
}
