/**
 * A commitment writer for the attack review that can spell every field the way the test
 * chooses: canonical (what encodeCommitment writes) or not (wider index widths, padded
 * varints, non-canonical amounts, non-zero padding bits, another fee-index width). Both
 * decoders must then agree on whatever bytes come out.
 */
import { amountParts, type AmountParts } from "../../../src/core/amount";
import { bigintToBytes } from "../../../src/core/bytes";
import { feeWidth, type Commitment } from "../../../src/core/commitment";
import { OpKind } from "../../../src/core/constants";
import { opIndices, type Op } from "../../../src/core/ops";
import { compactSignature, type FeeEntry } from "../../../src/core/txSigning";
import { varint } from "../packer";

/** A value's spelling: canonical, or one of the ways a proposer might write it otherwise. */
export type AmountForm =
  | "canonical"
  | "trailing-zero"
  | "leading-zero"
  | "escape"
  | "zero-exp"
  | "zero-byte"
  | "exp-up";

/** `value` written as `form` (falls back to canonical when the form does not apply to it). */
export function spellAmount(value: bigint, form: AmountForm): AmountParts {
  const c = amountParts(value);
  let mantissa = value;
  let exp = 0;
  while (mantissa !== 0n && mantissa % 10n === 0n && exp < 31) {
    mantissa /= 10n;
    exp++;
  }
  const make = (m: Buffer, e: number): AmountParts =>
    m.length < 7
      ? { head: (m.length << 5) | e, rest: m }
      : { head: (7 << 5) | e, rest: Buffer.concat([Buffer.of(m.length), m]) };
  switch (form) {
    case "trailing-zero":
      // One decimal zero kept in the mantissa: the same value, one exponent lower.
      if (exp > 0 && bigintToBytes(mantissa * 10n).length <= 32)
        return make(bigintToBytes(mantissa * 10n), exp - 1);
      return c;
    case "leading-zero":
      if (value !== 0n && bigintToBytes(mantissa).length < 32)
        return make(
          Buffer.concat([Buffer.of(0), bigintToBytes(mantissa)]),
          exp
        );
      return c;
    case "escape": {
      const m = bigintToBytes(mantissa);
      return m.length < 7
        ? {
            head: (7 << 5) | exp,
            rest: Buffer.concat([Buffer.of(m.length), m]),
          }
        : c;
    }
    case "zero-exp":
      return value === 0n ? { head: 3, rest: Buffer.alloc(0) } : c;
    case "zero-byte":
      return value === 0n ? { head: 1 << 5, rest: Buffer.of(0) } : c;
    case "exp-up":
      // A mantissa of 10 × 10^30 at the top exponent is canonical only at exponent 31.
      return c;
    default:
      return c;
  }
}

export interface Spelling {
  /** The index width written in the flags byte and used in every head (default: what the ops need). */
  indexBits?: number;
  /** Fee-index width used in the heads (default: what the fee count needs). */
  feeBits?: number;
  /** Bytes of the fee recipient (default: its LEB128). */
  feeRecipient?: Buffer;
  /** How each amount is spelled, by where it is (default: canonical). */
  amount?: (value: bigint, where: string) => AmountParts;
  /** Sets the last padding bit of operation `padOp`'s head, if it has padding. */
  padOp?: number;
  /** Raw amount parts for the base fee (a head and bytes the test chose). */
  rawBaseFee?: AmountParts;
  /** The fee-entry type byte written for entry i (default: its type). */
  feeType?: (i: number, type: number) => number;
  /** Count bytes written for the fee entries and operations (default: the true counts). */
  feeCount?: number;
  opCount?: number;
}

class Bits {
  private readonly out: number[] = [];
  private acc = 0;
  used = 0;
  bits(v: number, width: number): this {
    for (let i = width - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | (Math.floor(v / 2 ** i) & 1);
      if (++this.used % 8 === 0) {
        this.out.push(this.acc);
        this.acc = 0;
      }
    }
    return this;
  }
  toBuffer(setPadding: boolean): Buffer {
    const rem = this.used % 8;
    if (rem === 0) return Buffer.from(this.out);
    const last = (this.acc << (8 - rem)) | (setPadding ? 1 : 0);
    return Buffer.from([...this.out, last]);
  }
}


function bitLength(v: number): number {
  let n = 0;
  while (v >= 2 ** n) n++;
  return n;
}

/** The canonical index width of `ops`. */
export function neededIndexBits(ops: Op[]): number {
  let max = 0;
  for (const op of ops) for (const i of opIndices(op)) max = Math.max(max, i);
  return bitLength(max);
}

const u5 = (t: number) => Buffer.from(t.toString(16).padStart(10, "0"), "hex");

/** Writes `c` with the spelling `s`. With `{}` this is exactly encodeCommitment's output. */
export function spell(c: Commitment, s: Spelling = {}): Buffer {
  const indexBits = s.indexBits ?? neededIndexBits(c.ops);
  const feeBits = s.feeBits ?? feeWidth(c.fees.length);
  const amount = (v: bigint, where: string) =>
    s.amount ? s.amount(v, where) : amountParts(v);
  const parts: Buffer[] = [
    c.postStateRoot,
    Buffer.of((indexBits << 1) | (c.withdrawalRoot ? 1 : 0)),
  ];
  if (c.withdrawalRoot) parts.push(c.withdrawalRoot);
  parts.push(u5(c.timestamp));
  const base = s.rawBaseFee ?? amount(c.baseFee, "baseFee");
  parts.push(Buffer.of(base.head), base.rest);
  parts.push(s.feeRecipient ?? varint(c.feeRecipient));
  parts.push(Buffer.of(s.feeCount ?? c.fees.length));
  c.fees.forEach((f: FeeEntry, i) => {
    parts.push(Buffer.of(s.feeType ? s.feeType(i, f.type) : f.type));
    const values =
      f.type === 2
        ? [f.maxPriorityFeePerGas, f.maxFeePerGas, f.gasLimit]
        : [f.gasPrice, f.gasLimit];
    values.forEach((v, k) => {
      const a = amount(v, `fee${i}.${k}`);
      parts.push(Buffer.of(a.head), a.rest);
    });
  });
  parts.push(Buffer.of(s.opCount ?? c.ops.length));
  c.ops.forEach((op, i) => {
    const head = new Bits().bits(op.kind, 3);
    if (op.kind === OpKind.QUEUE) {
      head.bits({ none: 0, new: 1, existing: 2 }[op.credit], 2);
      if (op.credit === "existing") head.bits(op.index, indexBits);
      parts.push(head.toBuffer(s.padOp === i));
      return;
    }
    head.bits(op.feeIndex, feeBits).bits(op.from, indexBits);
    if ("tokenId" in op) head.bits(op.tokenId, 8);
    if (op.kind === OpKind.ETH_TRANSFER || op.kind === OpKind.TOKEN_TRANSFER)
      head.bits(op.to, indexBits);
    const a = amount(op.amount, `op${i}`);
    head.bits(a.head, 8);
    parts.push(head.toBuffer(s.padOp === i));
    if (op.kind === OpKind.WITHDRAW_ETH || op.kind === OpKind.WITHDRAW_TOKEN)
      parts.push(Buffer.from(op.l1Recipient.slice(2), "hex"));
    if (
      op.kind === OpKind.ETH_TRANSFER_NEW ||
      op.kind === OpKind.TOKEN_TRANSFER_NEW
    )
      parts.push(Buffer.from(op.to.slice(2), "hex"));
    parts.push(a.rest, compactSignature(op.sig));
  });
  return Buffer.concat(parts);
}
