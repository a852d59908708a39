/**
 * Gas estimates: the gas an operation will use, worked out before it is signed by the functions
 * execution charges with ({@link gasUsedOf}, {@link approveGas}, {@link transferFromGas}), so
 * that an estimate and a receipt cannot disagree on the formula — only on the state, which may
 * change before the operation is included.
 */
import { OpKind } from "./constants";
import { approveGas, gasUsedOf, transferFromGas } from "./gas";

/** What an estimate reads of the state: who has an account index, what token balances they hold and what allowances they gave. */
export interface AccountIndex {
  indexOf(address: string): number | undefined;
  tokenBalance(index: number, tokenId: number): bigint;
  /** What account `owner` allows account `spender` to take of token `tokenId`. */
  allowance(owner: number, tokenId: number, spender: number): bigint;
}

/**
 * What a wallet asks to do, before it is signed: the fields an operation's gas depends on. A
 * withdrawal's token is null for ETH.
 */
export type IntendedOp =
  | { kind: "eth-transfer"; to: string }
  | { kind: "token-transfer"; tokenId: number; to: string }
  | { kind: "withdrawal"; tokenId: number | null }
  /** ERC-20 `approve(spender, amount)` signed by `owner`. */
  | { kind: "approve"; tokenId: number; owner: string; spender: string; amount: bigint }
  /** ERC-20 `transferFrom(owner, to, amount)` signed by `spender`. */
  | { kind: "transfer-from"; tokenId: number; owner: string; spender: string; to: string; amount: bigint };

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
    case "approve":
      return approveGas(allowanceOf(accounts, intent.tokenId, intent.owner, intent.spender), intent.amount);
    case "transfer-from": {
      const to = accounts.indexOf(intent.to);
      const holds = to !== undefined && accounts.tokenBalance(to, intent.tokenId) > 0n;
      return transferFromGas(allowanceOf(accounts, intent.tokenId, intent.owner, intent.spender), intent.amount, holds);
    }
  }
}

/** `owner`'s allowance to `spender` of token `tokenId`: zero when either has no account (none was given). */
export function allowanceOf(accounts: AccountIndex, tokenId: number, owner: string, spender: string): bigint {
  const o = accounts.indexOf(owner);
  const s = accounts.indexOf(spender);
  return o === undefined || s === undefined ? 0n : accounts.allowance(o, tokenId, s);
}

/** A read has no operation to charge: it is quoted as a plain transfer's gas. */
export const VIEW_GAS = gasUsedOf(OpKind.ETH_TRANSFER, false);
