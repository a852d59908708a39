/**
 * Whether a blob is the batch its proposer claimed, and if not, why: the TypeScript twin of
 * `Rollup.proveBlobFraud`'s verdict (`_blobFault` over BlobData and BatchCodec). The follower
 * reads blob batches through it, and a proof succeeds on L1 exactly when it names a fault.
 */
import { BlobLayoutError, decodeBlob, tooManyBlobCommitments } from "./blobLayout";
import { EnvelopeRefusedError, summarizeEnvelope, type EnvelopeSummary } from "./batchEnvelope";

/** Why a blob is not the batch claimed: BlobBatchFraudProven's fault 1, 2 and 3. */
export type BlobBatchFault = "layout" | "envelope" | "claim";

/** What a blob batch's verdict depends on besides the blob: the Rollup's record of it. */
export interface BlobBatchContext {
  preStateRoot: string;
  /** The L2 timestamp of the block before the batch. */
  previousL2Timestamp: bigint;
  /** The L1 time the batch was posted at. */
  l1Timestamp: bigint;
  claim: EnvelopeSummary;
}

export type BlobBatchVerdict = { ok: true; envelope: Buffer } | { ok: false; fault: BlobBatchFault; details: string };

/** The blob's envelope when it is the batch claimed; otherwise the fault, as L1 would find it. */
export function judgeBlobBatch(blob: Uint8Array, context: BlobBatchContext): BlobBatchVerdict {
  let envelope: Buffer;
  try {
    envelope = decodeBlob(blob);
  } catch (e) {
    if (e instanceof BlobLayoutError) return { ok: false, fault: "layout", details: e.message };
    throw e;
  }
  if (tooManyBlobCommitments(envelope)) return { ok: false, fault: "envelope", details: "more commitments than a blob batch may hold" };
  let found: EnvelopeSummary;
  try {
    found = summarizeEnvelope(envelope, context.preStateRoot, context.previousL2Timestamp, context.l1Timestamp);
  } catch (e) {
    if (e instanceof EnvelopeRefusedError) return { ok: false, fault: "envelope", details: e.message };
    throw e;
  }
  for (const field of ["commitmentsRoot", "postStateRoot", "withdrawalRoot", "count", "blocks", "lastTimestamp"] as const) {
    const a = String(found[field]).toLowerCase();
    const b = String(context.claim[field]).toLowerCase();
    if (a !== b) return { ok: false, fault: "claim", details: `the blob gives ${field} ${a}, the proposer claimed ${b}` };
  }
  return { ok: true, envelope };
}
