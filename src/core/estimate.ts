/**
 * Gas estimates: the gas an operation will use, worked out before it is signed by the function
 * execution charges with ({@link gasUsedOf}), so that an estimate and a receipt cannot disagree
 * on the formula — only on the state, which may change before the operation is included.
 */
import { GAS, OpKind, ZERO_ADDRESS } from "./constants";
import { executionGas, gasUsedOf } from "./gas";
import type { SignedOp } from "./ops";
import type { TxSignature } from "./txSigning";

/** What an estimate reads of the state: who has an account index, and the next one to be given. */
export interface AccountIndex {
  indexOf(address: string): number | undefined;
  readonly accountCount: number;
}

/**
 * What a wallet asks to do, before it is signed: the fields an operation's gas depends on. A
 * sender left out is quoted as a new account would be; a withdrawal's token is null for ETH.
 */
export type IntendedOp =
  | { kind: "eth-transfer"; from?: string; to: string; amount: bigint }
  | { kind: "token-transfer"; from?: string; tokenId: number; to: string; amount: bigint }
  | { kind: "withdrawal"; from?: string; tokenId: number | null; amount: bigint };

/** The gas `intent` uses if it executes against `accounts` as they are now. */
export function intendedGas(accounts: AccountIndex, intent: IntendedOp): bigint {
  return gasUsedOf(intendedOp(accounts, intent));
}

/** A read has no operation to charge: it is quoted as a plain transfer's execution. */
export const VIEW_GAS = executionGas(OpKind.ETH_TRANSFER);

/** What an estimate leaves for the sender's and the recipient's index each growing a byte before inclusion. */
const INDEX_GROWTH = 2n * GAS.DATA_PER_BYTE;

/**
 * What eth_estimateGas answers for `gas`: rounded up to a multiple of 1,000 after the headroom
 * for growing indices, so that the gas limit compresses well in a fee entry and still covers
 * the gas the operation will use.
 */
export function quoteGas(gas: bigint): bigint {
  return ((gas + INDEX_GROWTH + 999n) / 1000n) * 1000n;
}

/** A signature is charged by its fixed size only: this stands for the one the wallet will make. */
const UNSIGNED: TxSignature = { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 };

function intendedOp(accounts: AccountIndex, intent: IntendedOp): SignedOp {
  const base = { feeIndex: 0, from: senderIndex(accounts, intent.from), amount: intent.amount, sig: UNSIGNED };
  switch (intent.kind) {
    case "eth-transfer": {
      const to = accounts.indexOf(intent.to);
      return to === undefined ? { ...base, kind: OpKind.ETH_TRANSFER_NEW, to: intent.to } : { ...base, kind: OpKind.ETH_TRANSFER, to };
    }
    case "token-transfer": {
      const to = accounts.indexOf(intent.to);
      const tokenId = intent.tokenId;
      return to === undefined ? { ...base, kind: OpKind.TOKEN_TRANSFER_NEW, tokenId, to: intent.to } : { ...base, kind: OpKind.TOKEN_TRANSFER, tokenId, to };
    }
    case "withdrawal":
      // The L1 recipient is written in full whoever it is: its value does not change the gas.
      return intent.tokenId === null
        ? { ...base, kind: OpKind.WITHDRAW_ETH, l1Recipient: ZERO_ADDRESS }
        : { ...base, kind: OpKind.WITHDRAW_TOKEN, tokenId: intent.tokenId, l1Recipient: ZERO_ADDRESS };
  }
}

/** A sender without an account (or not named) is quoted at the index the next new account gets. */
function senderIndex(accounts: AccountIndex, from: string | undefined): number {
  return (from === undefined ? undefined : accounts.indexOf(from)) ?? accounts.accountCount;
}
