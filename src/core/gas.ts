/**
 * Gas and fee arithmetic of a signed operation: the gas it uses (execution plus the L1 data it
 * occupies) and the price per gas its fee entry pays under a commitment's base fee. The
 * transition charges with these, and estimates quote with them, so the two cannot disagree.
 */
import { GAS, OpKind } from "./constants";
import { invalid } from "./errors";
import { chargedSize, type SignedOp } from "./ops";
import type { FeeEntry } from "./txSigning";

/** Execution gas of an operation kind, before the per-byte data charge. */
export function executionGas(kind: SignedOp["kind"]): bigint {
  switch (kind) {
    case OpKind.ETH_TRANSFER:
    case OpKind.ETH_TRANSFER_NEW:
      return GAS.ETH_TRANSFER;
    case OpKind.TOKEN_TRANSFER:
    case OpKind.TOKEN_TRANSFER_NEW:
      return GAS.TOKEN_TRANSFER;
    default:
      return GAS.WITHDRAWAL;
  }
}

/** gasUsed of a signed operation: execution plus the L1 data it occupies. */
export function gasUsedOf(op: SignedOp): bigint {
  return executionGas(op.kind) + GAS.DATA_PER_BYTE * BigInt(op.size ?? chargedSize(op));
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
