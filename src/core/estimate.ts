/**
 * Gas estimates: the gas an operation will use, worked out before it is signed by the function
 * execution charges with ({@link gasUsedOf}), so that an estimate and a receipt cannot disagree
 * on the formula — only on the state, which may change before the operation is included.
 */
import { OpKind } from "./constants";
import { gasUsedOf } from "./gas";

/** What an estimate reads of the state: who has an account index, and what token balances they hold. */
export interface AccountIndex {
  indexOf(address: string): number | undefined;
  tokenBalance(index: number, tokenId: number): bigint;
}

/**
 * What a wallet asks to do, before it is signed: the fields an operation's gas depends on. A
 * withdrawal's token is null for ETH.
 */
export type IntendedOp =
  | { kind: "eth-transfer"; to: string }
  | { kind: "token-transfer"; tokenId: number; to: string }
  | { kind: "withdrawal"; tokenId: number | null };

/** The gas `intent` uses if it executes against `accounts` as they are now. */
export function intendedGas(accounts: AccountIndex, intent: IntendedOp): bigint {
  switch (intent.kind) {
    case "eth-transfer":
      return gasUsedOf(OpKind.ETH_TRANSFER, false);
    case "token-transfer": {
      const to = accounts.indexOf(intent.to);
      const holds = to !== undefined && accounts.tokenBalance(to, intent.tokenId) > 0n;
      return gasUsedOf(OpKind.TOKEN_TRANSFER, holds);
    }
    case "withdrawal":
      return gasUsedOf(OpKind.WITHDRAW_ETH, false);
  }
}

/** A read has no operation to charge: it is quoted as a plain transfer's gas. */
export const VIEW_GAS = gasUsedOf(OpKind.ETH_TRANSFER, false);
