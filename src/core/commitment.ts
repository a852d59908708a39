/**
 * A commitment: one L2 block's operations with the state root after them. Body layout:
 *
 *   postStateRoot 32 | flags 1 | withdrawalRoot 32 (if flags & 1) | timestamp 5 | baseFee amount
 *   | feeRecipient varint | feeCount 1 | fee entries | opCount 1 | operations
 *
 * flags: bit 0 says a withdrawal root follows; bits 1–5 are the index width, the bits every
 * account index in the operations' heads takes (the fewest that hold the largest one written);
 * bits 6–7 the token width class, the bits every token id takes (0: 8, 1: 16, 2: 24; the
 * smallest that holds the largest one written, 0 when none is; 3 is undefined).
 * Fee indices take the fewest bits that hold feeCount − 1.
 *
 * A batch is `[u16 length][body]` repeated (contracts/libraries/BatchCodec.sol reads the envelope).
 */
import { bitLength, ByteReader, ByteWriter } from "./bytes";
import { readAmount, writeAmount } from "./amount";
import {
  ACCOUNT_TREE_DEPTH,
  FLAG_INDEX_MASK,
  FLAG_INDEX_SHIFT,
  FLAG_TOKEN_CLASS_SHIFT,
  FLAG_WITHDRAWALS,
  MAX_COMMITMENTS_PER_BATCH,
  MAX_FEE_ENTRIES,
  MAX_OPS_PER_COMMITMENT,
  OpKind,
  TOKEN_ID_BITS,
} from "./constants";
import { DecodeError, OutOfRangeError } from "./errors";
import { opIndices, opTokenId, readFeeEntry, readOp, sameFeeEntry, tokenClass, writeFeeEntry, writeOp, type Op, type OpLayout } from "./ops";
import type { FeeEntry } from "./txSigning";

export interface Commitment {
  postStateRoot: Buffer;
  /** Sorted-pair Merkle root of this block's withdrawals; null when it has none. */
  withdrawalRoot: Buffer | null;
  /** L2 block timestamp, seconds. */
  timestamp: number;
  baseFee: bigint;
  feeRecipient: number;
  fees: FeeEntry[];
  ops: Op[];
}

export function encodeCommitment(c: Commitment): Buffer {
  const tokens = tokenWidthClass(c.ops);
  const layout: OpLayout = { indexBits: indexWidth(c.ops), feeBits: feeWidth(c.fees.length), tokenBits: TOKEN_ID_BITS[tokens] };
  const w = new ByteWriter();
  w.bytes(c.postStateRoot);
  w.u8((tokens << FLAG_TOKEN_CLASS_SHIFT) | (layout.indexBits << FLAG_INDEX_SHIFT) | (c.withdrawalRoot ? FLAG_WITHDRAWALS : 0));
  if (c.withdrawalRoot) w.bytes(c.withdrawalRoot);
  w.uint(c.timestamp, 5);
  writeAmount(w, c.baseFee);
  w.varint(c.feeRecipient);
  w.u8(c.fees.length);
  for (const f of c.fees) writeFeeEntry(w, f);
  w.u8(c.ops.length);
  for (const op of c.ops) writeOp(w, op, layout);
  return w.toBuffer();
}

/** Decodes a commitment body; throws DecodeError on any malformation, including trailing bytes. */
export function decodeCommitment(body: Buffer): Commitment {
  const r = new ByteReader(body);
  const postStateRoot = Buffer.from(r.take(32, "post-state root"));
  const flags = r.u8("flags");
  const indexBits = (flags >> FLAG_INDEX_SHIFT) & FLAG_INDEX_MASK;
  if (indexBits > ACCOUNT_TREE_DEPTH) r.fail(`flags ${flags}: index width ${indexBits} bits`);
  const tokens = flags >> FLAG_TOKEN_CLASS_SHIFT;
  if (tokens >= TOKEN_ID_BITS.length) r.fail(`flags ${flags}: token width class ${tokens}`);
  const withdrawalRoot = flags & FLAG_WITHDRAWALS ? Buffer.from(r.take(32, "withdrawal root")) : null;
  const timestamp = r.uint(5, "timestamp");
  const baseFee = readAmount(r, "base fee");
  const feeRecipient = r.varint("fee recipient");
  const feeCount = r.u8("fee count");
  if (feeCount > MAX_FEE_ENTRIES) r.fail(`${feeCount} fee entries`);
  const fees: FeeEntry[] = [];
  for (let i = 0; i < feeCount; i++) fees.push(readFeeEntry(r));
  const opCount = r.u8("operation count");
  if (opCount > MAX_OPS_PER_COMMITMENT) r.fail(`${opCount} operations`);
  const layout: OpLayout = { indexBits, feeBits: feeWidth(feeCount), tokenBits: TOKEN_ID_BITS[tokens] };
  const ops: Op[] = [];
  for (let i = 0; i < opCount; i++) ops.push(readOp(r, layout));
  if (r.remaining !== 0) r.fail(`${r.remaining} trailing bytes`);
  // A wider index than the operations need would be a second encoding of the same commitment.
  if (indexWidth(ops) !== indexBits) r.fail(`index width ${indexBits} bits where the operations need ${indexWidth(ops)}`);
  // Likewise a wider token class: each commitment has one encoding.
  if (tokenWidthClass(ops) !== tokens) r.fail(`token width class ${tokens} where the operations need ${tokenWidthClass(ops)}`);
  checkFeeList(r, fees, ops);
  return { postStateRoot, withdrawalRoot, timestamp, baseFee, feeRecipient, fees, ops };
}

/**
 * The fee list has one spelling: distinct tuples, listed in the order operations first use them,
 * every one used (what BlockBuilder writes). Otherwise a tuple listed twice, listed unused, or
 * listed in another order would give the same block other bytes, and another block hash.
 */
function checkFeeList(r: ByteReader, fees: FeeEntry[], ops: Op[]): void {
  let listed = 0;
  for (const op of ops) {
    if (op.kind === OpKind.QUEUE) continue;
    if (op.feeIndex > listed) r.fail(`fee entry ${op.feeIndex} used before entry ${listed}`);
    if (op.feeIndex === listed) listed++;
  }
  if (listed !== fees.length) r.fail(`${fees.length - listed} fee entries no operation uses`);
  for (let i = 0; i < fees.length; i++) {
    for (let j = i + 1; j < fees.length; j++) if (sameFeeEntry(fees[i], fees[j])) r.fail(`fee entries ${i} and ${j} are the same tuple`);
  }
}

/** Bits of the largest account index the operations write. */
function indexWidth(ops: Op[]): number {
  let max = 0;
  for (const op of ops) for (const i of opIndices(op)) max = Math.max(max, i);
  return bitLength(max);
}

/** The smallest token width class that holds every token id the operations write (0 for none). */
function tokenWidthClass(ops: Op[]): number {
  let max = 0;
  for (const op of ops) max = Math.max(max, opTokenId(op) ?? 0);
  return tokenClass(max);
}

/** Bits of a fee index among `count` entries (none for one entry or none). */
export function feeWidth(count: number): number {
  return bitLength(Math.max(count - 1, 0));
}

/** Joins commitment bodies into a batch's `commitments` argument. */
export function encodeBatch(bodies: Buffer[]): Buffer {
  if (bodies.length === 0 || bodies.length > MAX_COMMITMENTS_PER_BATCH) {
    throw new OutOfRangeError(`a batch holds 1 to ${MAX_COMMITMENTS_PER_BATCH} commitments, not ${bodies.length}`);
  }
  const w = new ByteWriter();
  for (const b of bodies) {
    if (b.length > 0xffff) throw new OutOfRangeError(`commitment of ${b.length} bytes`);
    w.uint(b.length, 2).bytes(b);
  }
  return w.toBuffer();
}

/** Splits a batch's `commitments` argument into bodies (the envelope only). */
export function splitBatch(data: Buffer): Buffer[] {
  const bodies: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 2 > data.length) throw new DecodeError("truncated commitment length", offset);
    const length = data.readUInt16BE(offset);
    if (offset + 2 + length > data.length) throw new DecodeError("truncated commitment", offset);
    bodies.push(data.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  if (bodies.length === 0) throw new DecodeError("empty batch", 0);
  return bodies;
}
