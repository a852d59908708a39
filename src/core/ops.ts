/**
 * Packed operations: the body of a commitment, field-packed so that every byte posted to L1
 * pays for itself. An operation's first byte is `kind << 5 | feeIndex`; what follows depends on
 * the kind (see docs/architecture.md for the table). Account indices are varints: accounts
 * that appeared early — typically the busiest — take one byte.
 */
import { ByteReader, ByteWriter, addressBytes, bytesToAddress } from "./bytes";
import { readAmount, writeAmount } from "./amount";
import { MAX_FEE_ENTRIES, OpKind } from "./constants";
import { compactSignature, expandSignature, type FeeEntry, type TxSignature } from "./txSigning";

/**
 * Consumes the next L1 queue entry. `credit` says which account a deposit credits: none (a token
 * registration), a new account at the next index, or the existing account `index`.
 */
export type QueueOp =
  | { kind: typeof OpKind.QUEUE; credit: "none" }
  | { kind: typeof OpKind.QUEUE; credit: "new" }
  | { kind: typeof OpKind.QUEUE; credit: "existing"; index: number };

const QUEUE_CREDIT = { none: 0, new: 1, existing: 2 } as const;

interface SignedBase {
  /** Packed size as decoded; gasUsed charges the bytes actually posted. */
  size?: number;
  feeIndex: number;
  /** The sender's account index: its nonce builds the signing hash the signature must match. */
  from: number;
  amount: bigint;
  sig: TxSignature;
}

export interface EthTransferOp extends SignedBase {
  kind: typeof OpKind.ETH_TRANSFER;
  to: number;
}
export interface EthTransferNewOp extends SignedBase {
  kind: typeof OpKind.ETH_TRANSFER_NEW;
  to: string;
}
export interface TokenTransferOp extends SignedBase {
  kind: typeof OpKind.TOKEN_TRANSFER;
  tokenId: number;
  to: number;
}
export interface TokenTransferNewOp extends SignedBase {
  kind: typeof OpKind.TOKEN_TRANSFER_NEW;
  tokenId: number;
  to: string;
}
export interface WithdrawEthOp extends SignedBase {
  kind: typeof OpKind.WITHDRAW_ETH;
  l1Recipient: string;
}
export interface WithdrawTokenOp extends SignedBase {
  kind: typeof OpKind.WITHDRAW_TOKEN;
  tokenId: number;
  l1Recipient: string;
}

export type SignedOp = EthTransferOp | EthTransferNewOp | TokenTransferOp | TokenTransferNewOp | WithdrawEthOp | WithdrawTokenOp;
export type Op = QueueOp | SignedOp;

export function writeOp(w: ByteWriter, op: Op): void {
  if (op.kind === OpKind.QUEUE) {
    w.u8((OpKind.QUEUE << 5) | QUEUE_CREDIT[op.credit]);
    if (op.credit === "existing") w.varint(op.index);
    return;
  }
  w.u8((op.kind << 5) | op.feeIndex).varint(op.from);
  switch (op.kind) {
    case OpKind.ETH_TRANSFER:
      w.varint(op.to);
      break;
    case OpKind.ETH_TRANSFER_NEW:
      w.bytes(addressBytes(op.to));
      break;
    case OpKind.TOKEN_TRANSFER:
      w.u8(op.tokenId).varint(op.to);
      break;
    case OpKind.TOKEN_TRANSFER_NEW:
      w.u8(op.tokenId).bytes(addressBytes(op.to));
      break;
    case OpKind.WITHDRAW_ETH:
      w.bytes(addressBytes(op.l1Recipient));
      break;
    case OpKind.WITHDRAW_TOKEN:
      w.u8(op.tokenId).bytes(addressBytes(op.l1Recipient));
      break;
  }
  writeAmount(w, op.amount);
  w.bytes(compactSignature(op.sig));
}

export function readOp(r: ByteReader): Op {
  const start = r.offset;
  const op = readOpFields(r);
  if (op.kind !== OpKind.QUEUE) op.size = r.offset - start;
  return op;
}

function readOpFields(r: ByteReader): Op {
  const head = r.u8("operation");
  const kind = head >> 5;
  const feeIndex = head & 0x1f;
  if (kind === OpKind.QUEUE) {
    if (feeIndex === QUEUE_CREDIT.none) return { kind, credit: "none" };
    if (feeIndex === QUEUE_CREDIT.new) return { kind, credit: "new" };
    if (feeIndex === QUEUE_CREDIT.existing) return { kind, credit: "existing", index: r.varint("credited index") };
    return r.fail(`queue operation mode ${feeIndex}`);
  }
  const from = r.varint("sender index");
  const address = (what: string) => bytesToAddress(r.take(20, what));
  const tail = () => ({ feeIndex, from, amount: readAmount(r, "amount"), sig: expandSignature(r.take(64, "signature")) });
  switch (kind) {
    case OpKind.ETH_TRANSFER: {
      const to = r.varint("recipient index");
      return { kind, to, ...tail() };
    }
    case OpKind.ETH_TRANSFER_NEW: {
      const to = address("recipient");
      return { kind, to, ...tail() };
    }
    case OpKind.TOKEN_TRANSFER: {
      const tokenId = r.u8("token id");
      const to = r.varint("recipient index");
      return { kind, tokenId, to, ...tail() };
    }
    case OpKind.TOKEN_TRANSFER_NEW: {
      const tokenId = r.u8("token id");
      const to = address("recipient");
      return { kind, tokenId, to, ...tail() };
    }
    case OpKind.WITHDRAW_ETH: {
      const l1Recipient = address("L1 recipient");
      return { kind, l1Recipient, ...tail() };
    }
    case OpKind.WITHDRAW_TOKEN: {
      const tokenId = r.u8("token id");
      const l1Recipient = address("L1 recipient");
      return { kind, tokenId, l1Recipient, ...tail() };
    }
    default:
      return r.fail(`unknown operation kind ${kind}`);
  }
}

/** Packed size of `op` in bytes. */
export function opSize(op: Op): number {
  const w = new ByteWriter();
  writeOp(w, op);
  return w.length;
}

export function writeFeeEntry(w: ByteWriter, f: FeeEntry): void {
  w.u8(f.type);
  if (f.type === 2) {
    writeAmount(w, f.maxPriorityFeePerGas);
    writeAmount(w, f.maxFeePerGas);
  } else {
    writeAmount(w, f.gasPrice);
  }
  writeAmount(w, f.gasLimit);
}

export function readFeeEntry(r: ByteReader): FeeEntry {
  const type = r.u8("fee entry type");
  if (type === 2) {
    const maxPriorityFeePerGas = readAmount(r, "max priority fee");
    const maxFeePerGas = readAmount(r, "max fee");
    return { type, maxPriorityFeePerGas, maxFeePerGas, gasLimit: readAmount(r, "gas limit") };
  }
  if (type === 0) {
    const gasPrice = readAmount(r, "gas price");
    return { type, gasPrice, gasLimit: readAmount(r, "gas limit") };
  }
  return r.fail(`unknown fee entry type ${type}`);
}

/** Whether two fee entries are the same tuple. */
export function sameFeeEntry(a: FeeEntry, b: FeeEntry): boolean {
  if (a.type !== b.type || a.gasLimit !== b.gasLimit) return false;
  if (a.type === 2 && b.type === 2) return a.maxFeePerGas === b.maxFeePerGas && a.maxPriorityFeePerGas === b.maxPriorityFeePerGas;
  return a.type === 0 && b.type === 0 && a.gasPrice === b.gasPrice;
}

export { MAX_FEE_ENTRIES };
