/**
 * Packed operations: the body of a commitment, field-packed so that every bit posted to L1 pays
 * for itself. An operation starts with a bit head — kind, fee index, account indices, token id
 * and the amount's head byte, each in exactly the bits the commitment says it needs — padded to
 * a whole byte; its byte fields follow (address, amount mantissa, signature). The allowance
 * kinds (approve, transferFrom) spend two more head bits on their kind. See
 * docs/architecture.md for the table.
 */
import { BitReader, BitWriter, ByteReader, ByteWriter, addressBytes, bytesToAddress } from "./bytes";
import { amountParts, readAmount, readAmountRest, writeAmount } from "./amount";
import { MAX_FEE_ENTRIES, OP_EXTENDED, OpKind } from "./constants";
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

/** `approve(spender, amount)` on token `tokenId`, signed by the owner (`from`). */
export interface ApproveOp extends SignedBase {
  kind: typeof OpKind.APPROVE;
  tokenId: number;
  spender: number;
}
export interface ApproveNewOp extends SignedBase {
  kind: typeof OpKind.APPROVE_NEW;
  tokenId: number;
  spender: string;
}
/** `transferFrom(owner, to, amount)` on token `tokenId`, signed by the spender (`from`). */
export interface TransferFromOp extends SignedBase {
  kind: typeof OpKind.TRANSFER_FROM;
  tokenId: number;
  owner: number;
  to: number;
}
export interface TransferFromNewOp extends SignedBase {
  kind: typeof OpKind.TRANSFER_FROM_NEW;
  tokenId: number;
  owner: number;
  to: string;
}

export type AllowanceOp = ApproveOp | ApproveNewOp | TransferFromOp | TransferFromNewOp;
export type SignedOp = EthTransferOp | EthTransferNewOp | TokenTransferOp | TokenTransferNewOp | WithdrawEthOp | WithdrawTokenOp | AllowanceOp;
export type Op = QueueOp | SignedOp;

/** Field widths a commitment declares for its operations' heads. */
export interface OpLayout {
  /** Bits of every account index (0..24). */
  indexBits: number;
  /** Bits of every fee index: enough for the commitment's fee entries. */
  feeBits: number;
  /** Bits of every token id: 8, 16 or 24, by the commitment's token width class. */
  tokenBits: number;
}

/**
 * The token width class of a token id: 0 (8 bits) below 2^8, 1 (16 bits) below 2^16, else 2
 * (24 bits). A commitment's class is its largest written id's, so ETH transfers and the first
 * 256 tokens keep one-byte ids.
 */
export function tokenClass(tokenId: number): number {
  return tokenId < 2 ** 8 ? 0 : tokenId < 2 ** 16 ? 1 : 2;
}

/** The token id an operation's head writes, if any. */
export function opTokenId(op: Op): number | undefined {
  return op.kind !== OpKind.QUEUE && "tokenId" in op ? op.tokenId : undefined;
}

/** Whether `kind` is one of the allowance kinds, whose head starts with {@link OP_EXTENDED}. */
export const isAllowanceKind = (kind: number): boolean => kind >= OpKind.APPROVE && kind <= OpKind.TRANSFER_FROM_NEW;
const hasToken = (kind: number): boolean =>
  kind === OpKind.TOKEN_TRANSFER || kind === OpKind.TOKEN_TRANSFER_NEW || kind === OpKind.WITHDRAW_TOKEN || isAllowanceKind(kind);
/** Whether the head names an account by index after the token id: the recipient, spender or owner. */
const namesIndex = (kind: number): boolean => kind === OpKind.ETH_TRANSFER || kind === OpKind.TOKEN_TRANSFER || kind === OpKind.APPROVE || kind >= OpKind.TRANSFER_FROM;
/** Whether the kind writes a 20-byte address after its head. */
const writesAddress = (kind: number): boolean =>
  kind === OpKind.ETH_TRANSFER_NEW || kind === OpKind.TOKEN_TRANSFER_NEW || kind === OpKind.WITHDRAW_ETH || kind === OpKind.WITHDRAW_TOKEN || kind === OpKind.APPROVE_NEW || kind === OpKind.TRANSFER_FROM_NEW;

/** The account indices a signed operation's head writes after its token id, in order. */
function headIndices(op: SignedOp): number[] {
  switch (op.kind) {
    case OpKind.ETH_TRANSFER:
    case OpKind.TOKEN_TRANSFER:
      return [op.to];
    case OpKind.APPROVE:
      return [op.spender];
    case OpKind.TRANSFER_FROM:
      return [op.owner, op.to];
    case OpKind.TRANSFER_FROM_NEW:
      return [op.owner];
    default:
      return [];
  }
}

/** The address an operation writes in full: a new recipient or spender, or an L1 recipient. */
function fullAddress(op: SignedOp): string | undefined {
  if (op.kind === OpKind.WITHDRAW_ETH || op.kind === OpKind.WITHDRAW_TOKEN) return op.l1Recipient;
  if (op.kind === OpKind.ETH_TRANSFER_NEW || op.kind === OpKind.TOKEN_TRANSFER_NEW || op.kind === OpKind.TRANSFER_FROM_NEW) return op.to;
  if (op.kind === OpKind.APPROVE_NEW) return op.spender;
  return undefined;
}

export function writeOp(w: ByteWriter, op: Op, layout: OpLayout): void {
  const head = new BitWriter();
  if (isAllowanceKind(op.kind)) head.bits(OP_EXTENDED, 3).bits(op.kind - OpKind.APPROVE, 2);
  else head.bits(op.kind, 3);
  if (op.kind === OpKind.QUEUE) {
    head.bits(QUEUE_CREDIT[op.credit], 2);
    if (op.credit === "existing") head.bits(op.index, layout.indexBits);
    w.bytes(head.toBuffer());
    return;
  }
  head.bits(op.feeIndex, layout.feeBits).bits(op.from, layout.indexBits);
  if ("tokenId" in op) head.bits(op.tokenId, layout.tokenBits);
  for (const index of headIndices(op)) head.bits(index, layout.indexBits);
  const amount = amountParts(op.amount);
  w.bytes(head.bits(amount.head, 8).toBuffer());
  const address = fullAddress(op);
  if (address !== undefined) w.bytes(addressBytes(address));
  w.bytes(amount.rest).bytes(compactSignature(op.sig));
}

export function readOp(r: ByteReader, layout: OpLayout): Op {
  const head = new BitReader(r);
  let kind = head.bits(3, "operation kind");
  if (kind === OP_EXTENDED) kind = OpKind.APPROVE + head.bits(2, "allowance operation kind");
  if (kind === OpKind.QUEUE) {
    const credit = head.bits(2, "queue credit mode");
    const index = credit === QUEUE_CREDIT.existing ? head.bits(layout.indexBits, "credited index") : 0;
    head.end("queue operation");
    if (credit === QUEUE_CREDIT.none) return { kind, credit: "none" };
    if (credit === QUEUE_CREDIT.new) return { kind, credit: "new" };
    if (credit === QUEUE_CREDIT.existing) return { kind, credit: "existing", index };
    return r.fail(`queue operation mode ${credit}`);
  }
  const feeIndex = head.bits(layout.feeBits, "fee index");
  const from = head.bits(layout.indexBits, "sender index");
  const tokenId = hasToken(kind) ? head.bits(layout.tokenBits, "token id") : 0;
  const firstIndex = namesIndex(kind) ? head.bits(layout.indexBits, "account index") : 0;
  const toIndex = kind === OpKind.TRANSFER_FROM ? head.bits(layout.indexBits, "recipient index") : 0;
  const amountHead = head.bits(8, "amount");
  head.end("operation head");
  const address = writesAddress(kind) ? bytesToAddress(r.take(20, "address")) : "";
  const amount = readAmountRest(r, amountHead, "amount");
  const sig = expandSignature(r.take(64, "signature"));
  const base = { feeIndex, from, amount: amount.value, sig };
  switch (kind) {
    case OpKind.ETH_TRANSFER:
      return { kind, to: firstIndex, ...base };
    case OpKind.ETH_TRANSFER_NEW:
      return { kind, to: address, ...base };
    case OpKind.TOKEN_TRANSFER:
      return { kind, tokenId, to: firstIndex, ...base };
    case OpKind.TOKEN_TRANSFER_NEW:
      return { kind, tokenId, to: address, ...base };
    case OpKind.WITHDRAW_ETH:
      return { kind, l1Recipient: address, ...base };
    case OpKind.WITHDRAW_TOKEN:
      return { kind, tokenId, l1Recipient: address, ...base };
    case OpKind.APPROVE:
      return { kind, tokenId, spender: firstIndex, ...base };
    case OpKind.APPROVE_NEW:
      return { kind, tokenId, spender: address, ...base };
    case OpKind.TRANSFER_FROM:
      return { kind, tokenId, owner: firstIndex, to: toIndex, ...base };
    default:
      return { kind: OpKind.TRANSFER_FROM_NEW, tokenId, owner: firstIndex, to: address, ...base };
  }
}

/**
 * The commitment slots `op` takes (see MAX_OPS_PER_COMMITMENT): two for the allowance kinds (an
 * approve's 48-level allowance path costs a proof what a second transfer's token paths do), else one.
 */
export function opSlots(op: Op): number {
  return isAllowanceKind(op.kind) ? 2 : 1;
}

/** Account indices an operation's head writes: what the commitment's index width must hold. */
export function opIndices(op: Op): number[] {
  if (op.kind === OpKind.QUEUE) return op.credit === "existing" ? [op.index] : [];
  return [op.from, ...headIndices(op)];
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
