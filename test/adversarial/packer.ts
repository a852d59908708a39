/**
 * A malicious proposer's commitment encoder. It writes the packed format of
 * src/core/commitment.ts and ops.ts, but lets the caller choose the encodings src/core never
 * writes: a fee recipient varint with redundant groups, amounts with leading zero mantissa bytes,
 * unnormalised exponents or a needless length escape, index widths wider than needed, counts that
 * do not match what follows. With no knobs it writes exactly what `encodeCommitment` writes
 * (fraudProperty.test.ts holds the two together).
 */
import { BitWriter, ByteWriter, addressBytes, bigintToBytes, bitLength } from "../../src/core/bytes";
import { amountParts } from "../../src/core/amount";
import { FLAG_WITHDRAWALS, OpKind } from "../../src/core/constants";
import { opIndices, type Op, type SignedOp } from "../../src/core/ops";
import { feeWidth, type Commitment } from "../../src/core/commitment";
import { compactSignature, type FeeEntry } from "../../src/core/txSigning";

/** How to write one amount. Forms that cannot apply to a value fall back to the canonical one. */
export type AmountForm = "canonical" | "leading-zero" | "unnormalized" | "short-escape" | "scaled-zero";
export const NON_CANONICAL_AMOUNT_FORMS: readonly AmountForm[] = ["leading-zero", "unnormalized", "short-escape", "scaled-zero"];

export interface PackKnobs {
  /** The index width the flags byte declares (default: the fewest bits holding every index). */
  indexBits?: number;
  /** The bytes written for the fee recipient (default: its canonical LEB128). */
  feeRecipientBytes?: Buffer;
  /** The form of each amount, by where it is: "base-fee", "fee<i>.<field>", "op<i>". */
  amountForm?: (site: string, value: bigint) => AmountForm;
  /** The fee count written (default: the entries' number; the fee index width follows it). */
  feeCount?: number;
  /** The operation count written (default: the operations' number). */
  opCount?: number;
}

interface AmountBytes {
  head: number;
  rest: Buffer;
}

const ESCAPE = 7;

/** An amount as mantissa × 10^exp, the mantissa written in at least `minLength` bytes. */
function amountAs(mantissa: bigint, exp: number, minLength: number, escape: boolean): AmountBytes {
  let bytes = bigintToBytes(mantissa);
  if (bytes.length < minLength) bytes = Buffer.concat([Buffer.alloc(minLength - bytes.length), bytes]);
  if (bytes.length < ESCAPE && !escape) return { head: (bytes.length << 5) | exp, rest: bytes };
  return { head: (ESCAPE << 5) | exp, rest: Buffer.concat([Buffer.of(bytes.length), bytes]) };
}

/** The bytes of `value` in `form`; the canonical bytes when the form has no other way to say it. */
export function amountBytes(value: bigint, form: AmountForm): AmountBytes {
  const canonical = amountParts(value);
  const exp = canonical.head & 31;
  const mantissa = value / 10n ** BigInt(exp);
  const length = bigintToBytes(mantissa).length;
  switch (form) {
    case "leading-zero":
      return length < 32 ? amountAs(mantissa, exp, length + 1, false) : canonical;
    case "unnormalized":
      // One factor of ten left in the mantissa: the same value, a different encoding.
      return exp > 0 && bigintToBytes(mantissa * 10n).length <= 32 ? amountAs(mantissa * 10n, exp - 1, 0, false) : canonical;
    case "short-escape":
      return length > 0 && length < ESCAPE ? amountAs(mantissa, exp, 0, true) : canonical;
    case "scaled-zero":
      // Zero as 0 × 10^5: canonically it has exponent 0.
      return value === 0n ? { head: 5, rest: Buffer.alloc(0) } : canonical;
    default:
      return canonical;
  }
}

/** Canonical unsigned LEB128 of `v`. */
export function varint(v: number): Buffer {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** LEB128 of `v` padded with `extra` redundant zero groups (what a lenient decoder also reads as `v`). */
export function paddedVarint(v: number, extra: number): Buffer {
  const canonical = [...varint(v)];
  if (extra <= 0) return Buffer.from(canonical);
  canonical[canonical.length - 1] |= 0x80;
  for (let i = 1; i < extra; i++) canonical.push(0x80);
  canonical.push(0x00);
  return Buffer.from(canonical);
}

const hasToken = (k: number) => k === OpKind.TOKEN_TRANSFER || k === OpKind.TOKEN_TRANSFER_NEW || k === OpKind.WITHDRAW_TOKEN || k >= OpKind.APPROVE;

/** The fewest bits that hold every account index the operations write: the canonical index width. */
export function neededIndexBits(ops: readonly Op[]): number {
  let max = 0;
  for (const op of ops) for (const i of opIndices(op)) max = Math.max(max, i);
  return bitLength(max);
}

/** The address an operation writes in full, if any. */
function fullAddress(op: SignedOp): string | undefined {
  if (op.kind === OpKind.WITHDRAW_ETH || op.kind === OpKind.WITHDRAW_TOKEN) return op.l1Recipient;
  if (op.kind === OpKind.ETH_TRANSFER_NEW || op.kind === OpKind.TOKEN_TRANSFER_NEW || op.kind === OpKind.TRANSFER_FROM_NEW) return op.to;
  if (op.kind === OpKind.APPROVE_NEW) return op.spender;
  return undefined;
}

function writeOp(w: ByteWriter, op: Op, indexBits: number, feeBits: number, amount: (value: bigint) => AmountBytes): void {
  // The allowance kinds (7–10) are head 7 and two more bits.
  const head = op.kind >= OpKind.APPROVE ? new BitWriter().bits(7, 3).bits(op.kind - 7, 2) : new BitWriter().bits(op.kind, 3);
  if (op.kind === OpKind.QUEUE) {
    head.bits({ none: 0, new: 1, existing: 2 }[op.credit], 2);
    if (op.credit === "existing") head.bits(op.index, indexBits);
    w.bytes(head.toBuffer());
    return;
  }
  head.bits(op.feeIndex, feeBits).bits(op.from, indexBits);
  if (hasToken(op.kind) && "tokenId" in op) head.bits(op.tokenId, 8);
  if (op.kind === OpKind.TRANSFER_FROM || op.kind === OpKind.TRANSFER_FROM_NEW) head.bits(op.owner, indexBits);
  if (op.kind === OpKind.ETH_TRANSFER || op.kind === OpKind.TOKEN_TRANSFER || op.kind === OpKind.TRANSFER_FROM) head.bits(op.to, indexBits);
  if (op.kind === OpKind.APPROVE) head.bits(op.spender, indexBits);
  const a = amount(op.amount);
  w.bytes(head.bits(a.head, 8).toBuffer());
  const address = fullAddress(op);
  if (address !== undefined) w.bytes(addressBytes(address));
  w.bytes(a.rest).bytes(compactSignature(op.sig));
}

function writeFee(w: ByteWriter, f: FeeEntry, amount: (field: string, value: bigint) => void): void {
  w.u8(f.type);
  if (f.type === 2) {
    amount("priority", f.maxPriorityFeePerGas);
    amount("maxFee", f.maxFeePerGas);
  } else {
    amount("gasPrice", f.gasPrice);
  }
  amount("gasLimit", f.gasLimit);
}

/** Writes commitment `c` with the encodings `knobs` choose. Throws RangeError when a field does not fit its width. */
export function packCommitment(c: Commitment, knobs: PackKnobs = {}): Buffer {
  const form = knobs.amountForm ?? (() => "canonical");
  const indexBits = knobs.indexBits ?? neededIndexBits(c.ops);
  const feeCount = knobs.feeCount ?? c.fees.length;
  const feeBits = feeWidth(feeCount);
  const w = new ByteWriter();
  const writeAmount = (site: string, value: bigint) => {
    const a = amountBytes(value, form(site, value));
    w.u8(a.head).bytes(a.rest);
  };
  w.bytes(c.postStateRoot);
  w.u8(((indexBits << 1) | (c.withdrawalRoot ? FLAG_WITHDRAWALS : 0)) & 0xff);
  if (c.withdrawalRoot) w.bytes(c.withdrawalRoot);
  w.uint(c.timestamp, 5);
  writeAmount("base-fee", c.baseFee);
  w.bytes(knobs.feeRecipientBytes ?? varint(c.feeRecipient));
  w.u8(feeCount & 0xff);
  c.fees.forEach((f, i) => writeFee(w, f, (field, value) => writeAmount(`fee${i}.${field}`, value)));
  w.u8((knobs.opCount ?? c.ops.length) & 0xff);
  c.ops.forEach((op, i) => writeOp(w, op, indexBits, feeBits, (value) => amountBytes(value, form(`op${i}`, value))));
  return w.toBuffer();
}
