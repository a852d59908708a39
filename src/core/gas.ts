/**
 * Gas and fee arithmetic of a signed operation: the gas it uses (Ethereum's figure for the same
 * call) and the price per gas its fee entry pays under a commitment's base fee. The
 * transition charges with these, and estimates quote with them, so the two cannot disagree.
 */
import { GAS, OpKind } from "./constants";
import { invalid } from "./errors";
import type { SignedOp } from "./ops";
import type { L2State } from "./state";
import type { FeeEntry } from "./txSigning";

/**
 * gasUsed of a signed operation of `kind`: Ethereum's figure for the same call. A token transfer
 * costs more when the recipient holds none of the token, as an ERC-20's SSTORE from zero does;
 * `recipientHoldsToken` is read from the pre-state (false for a new account and for the kinds
 * that are not token transfers).
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

/**
 * gasUsed of `op` on `state` as it stands: the recipient's holding of the token is read from it
 * (through the state, so a fraud witness includes it). A recipient index that does not exist is
 * quoted as holding none (execution refuses the operation before it asks).
 */
export function gasUsedOn(state: L2State, op: SignedOp): bigint {
  const holds = op.kind === OpKind.TOKEN_TRANSFER && op.to < state.accountCount && state.tokenBalance(op.to, op.tokenId) > 0n;
  return gasUsedOf(op.kind, holds);
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
