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
 *
 * A body of exactly EMPTY_RUN_BYTES is an *empty run* instead: `[blocks u16][timestamp 5]`, that
 * many L2 blocks (at least one) with no operations, all at `timestamp`. No commitment is that
 * short (38 bytes at least), so the length says which one a body is. A node keeps each empty
 * block with a run of one as its body; the batch submitter merges neighbours into one run.
 */
import { bitLength, ByteReader, ByteWriter } from "./bytes";
import { readAmount, writeAmount } from "./amount";
import {
  ACCOUNT_TREE_DEPTH,
  EMPTY_RUN_BYTES,
  MAX_BLOCKS_PER_BATCH,
  MAX_RUN_BLOCKS,
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
import { opIndices, opSlots, opTokenId, readFeeEntry, readOp, sameFeeEntry, tokenClass, writeFeeEntry, writeOp, type Op, type OpLayout } from "./ops";
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
  const slots = ops.reduce((n, op) => n + opSlots(op), 0);
  if (slots > MAX_OPS_PER_COMMITMENT) r.fail(`operations taking ${slots} slots`);
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

/** An empty run's fields. */
export interface EmptyRun {
  blocks: number;
  timestamp: number;
}

/** The body of a run of `blocks` empty blocks at `timestamp`. */
export function encodeEmptyRun(run: EmptyRun): Buffer {
  if (run.blocks < 1 || run.blocks > MAX_RUN_BLOCKS) throw new OutOfRangeError(`an empty run holds 1 to ${MAX_RUN_BLOCKS} blocks, not ${run.blocks}`);
  return new ByteWriter().uint(run.blocks, 2).uint(run.timestamp, 5).toBuffer();
}

/** The run `body` is, or null when it is a commitment; throws DecodeError for a run of no blocks. */
export function emptyRunOf(body: Buffer): EmptyRun | null {
  if (body.length !== EMPTY_RUN_BYTES) return null;
  const blocks = body.readUInt16BE(0);
  if (blocks === 0) throw new DecodeError("an empty run of no blocks", 0);
  return { blocks, timestamp: body.readUIntBE(2, 5) };
}

/** A batch's bodies with each run of n empty blocks written as n runs of one: one body per L2 block. */
export function blockBodies(bodies: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const body of bodies) {
    const run = emptyRunOf(body);
    if (!run) out.push(body);
    else for (let i = 0; i < run.blocks; i++) out.push(encodeEmptyRun({ blocks: 1, timestamp: run.timestamp }));
  }
  return out;
}

/** One body per L2 block (a run of one for an empty block) merged into a batch's bodies: neighbouring empty blocks at one timestamp become one run. */
export function mergeEmptyRuns(blockBodies: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let run: EmptyRun | null = null;
  const flush = () => {
    if (run) out.push(encodeEmptyRun(run));
    run = null;
  };
  for (const body of blockBodies) {
    const one = emptyRunOf(body);
    if (!one) {
      flush();
      out.push(body);
    } else if (run && run.timestamp === one.timestamp && run.blocks + one.blocks <= MAX_RUN_BLOCKS) {
      run.blocks += one.blocks;
    } else {
      flush();
      run = { ...one };
    }
  }
  flush();
  return out;
}

/** Joins commitment bodies into a batch's `commitments` argument. */
export function encodeBatch(bodies: Buffer[]): Buffer {
  if (bodies.length === 0 || bodies.length > MAX_COMMITMENTS_PER_BATCH) {
    throw new OutOfRangeError(`a batch holds 1 to ${MAX_COMMITMENTS_PER_BATCH} commitments, not ${bodies.length}`);
  }
  // A run's count, unchecked here (the Rollup refuses a run of none); a commitment is one block.
  const blocks = bodies.reduce((n, b) => n + (b.length === EMPTY_RUN_BYTES ? b.readUInt16BE(0) : 1), 0);
  if (blocks > MAX_BLOCKS_PER_BATCH) throw new OutOfRangeError(`a batch holds at most ${MAX_BLOCKS_PER_BATCH} L2 blocks, not ${blocks}`);
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
