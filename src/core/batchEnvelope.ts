/**
 * The TypeScript twin of `BatchCodec.summarize`: every rule the Rollup applies to a calldata
 * batch's envelope at submission, and the summary it records. A calldata batch that breaks one
 * never lands; a blob batch is recorded on its proposer's claim, so a follower applies the same
 * rules to the blob's envelope itself, and a blob that breaks one, or whose summary is not the
 * claim, is fraud (docs/architecture.md, *Blob batches*). Same rules, same order, same offsets
 * as BatchCodec, so both sides name the same first problem.
 */
import { ACCOUNT_TREE_DEPTH, EMPTY_RUN_BYTES, FLAG_INDEX_MASK, FLAG_INDEX_SHIFT, FLAG_TOKEN_CLASS_SHIFT, FLAG_WITHDRAWALS, MAX_BLOCKS_PER_BATCH, MAX_COMMITMENTS_PER_BATCH } from "./constants";
import { summarizeBatch } from "./batch";
import { CairnError } from "./errors";

/** BatchCodec.MIN_BODY: root, flags, timestamp. */
const MIN_BODY = 38;
/** Constants.MAX_TOKEN_CLASS. */
const MAX_TOKEN_CLASS = 2;

/** What the Rollup records of a batch: BatchCodec.Summary, field for field. */
export interface EnvelopeSummary {
  commitmentsRoot: string;
  postStateRoot: string;
  withdrawalRoot: string;
  count: number;
  blocks: number;
  lastTimestamp: bigint;
}

/** The BatchCodec error a calldata batch with this envelope would be refused with. */
export type EnvelopeRule =
  | "BatchEmpty"
  | "BatchTruncated"
  | "CommitmentTooShort"
  | "BatchTooManyCommitments"
  | "EmptyRunOfNoBlocks"
  | "CommitmentBadFlags"
  | "CommitmentZeroWithdrawalRoot"
  | "CommitmentTimestampInFuture"
  | "CommitmentTimestampDecreasing"
  | "BatchTooManyBlocks";

/** An envelope the Rollup would refuse as calldata. */
export class EnvelopeRefusedError extends CairnError {
  override readonly name = "EnvelopeRefusedError";
  readonly code = "ENVELOPE_REFUSED";
  constructor(
    readonly rule: EnvelopeRule,
    readonly offset: number,
  ) {
    super(`batch envelope refused (${rule})`, { details: `at byte ${offset}` });
  }
}

/** The bodies of `envelope` in order, split as BatchCodec._count walks it. */
export function envelopeBodies(envelope: Buffer): Buffer[] {
  if (envelope.length === 0) throw new EnvelopeRefusedError("BatchEmpty", 0);
  const bodies: Buffer[] = [];
  let offset = 0;
  while (offset < envelope.length) {
    if (offset + 2 > envelope.length) throw new EnvelopeRefusedError("BatchTruncated", offset);
    const length = envelope.readUInt16BE(offset);
    if (length < MIN_BODY && length !== EMPTY_RUN_BYTES) throw new EnvelopeRefusedError("CommitmentTooShort", offset);
    if (offset + 2 + length > envelope.length) throw new EnvelopeRefusedError("BatchTruncated", offset);
    bodies.push(envelope.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  if (bodies.length > MAX_COMMITMENTS_PER_BATCH) throw new EnvelopeRefusedError("BatchTooManyCommitments", offset);
  return bodies;
}

/**
 * The summary the Rollup would record for `envelope` posted as calldata on `preStateRoot`
 * after an L2 block at `previousTimestamp`, in an L1 block at `l1Timestamp`.
 * @throws EnvelopeRefusedError naming the rule BatchCodec would revert with.
 */
export function summarizeEnvelope(envelope: Buffer, preStateRoot: string, previousTimestamp: bigint, l1Timestamp: bigint): EnvelopeSummary {
  if (previousTimestamp > l1Timestamp) throw new EnvelopeRefusedError("CommitmentTimestampInFuture", 0);
  const bodies = envelopeBodies(envelope);
  let last = previousTimestamp;
  let offset = 0;
  const stamp = (timestamp: bigint) => {
    if (timestamp > l1Timestamp) throw new EnvelopeRefusedError("CommitmentTimestampInFuture", offset);
    if (timestamp < last) throw new EnvelopeRefusedError("CommitmentTimestampDecreasing", offset);
    last = timestamp;
  };
  for (const body of bodies) {
    if (body.length === EMPTY_RUN_BYTES) {
      if (body.readUInt16BE(0) === 0) throw new EnvelopeRefusedError("EmptyRunOfNoBlocks", offset);
      stamp(BigInt(body.readUIntBE(2, 5)));
    } else {
      const flags = body[32];
      const indexBits = (flags >> FLAG_INDEX_SHIFT) & FLAG_INDEX_MASK;
      if (indexBits > ACCOUNT_TREE_DEPTH || flags >> FLAG_TOKEN_CLASS_SHIFT > MAX_TOKEN_CLASS) throw new EnvelopeRefusedError("CommitmentBadFlags", offset);
      let timestampAt = 33;
      if (flags & FLAG_WITHDRAWALS) {
        if (body.length < MIN_BODY + 32) throw new EnvelopeRefusedError("CommitmentTooShort", offset);
        if (body.subarray(33, 65).every((b) => b === 0)) throw new EnvelopeRefusedError("CommitmentZeroWithdrawalRoot", offset);
        timestampAt = 65;
      }
      stamp(BigInt(body.readUIntBE(timestampAt, 5)));
    }
    offset += 2 + body.length;
  }
  const s = summarizeBatch(Buffer.from(preStateRoot.replace(/^0x/, ""), "hex"), bodies);
  if (s.blocks > MAX_BLOCKS_PER_BATCH) throw new EnvelopeRefusedError("BatchTooManyBlocks", offset);
  const hex = (b: Buffer) => "0x" + b.toString("hex");
  return {
    commitmentsRoot: hex(s.commitmentsRoot),
    postStateRoot: hex(s.postStateRoot),
    withdrawalRoot: hex(s.withdrawalRoot),
    count: bodies.length,
    blocks: s.blocks,
    lastTimestamp: last,
  };
}
