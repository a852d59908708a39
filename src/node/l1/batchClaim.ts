/**
 * What a follower knows of a posted batch before and after reading it back, and the error of a
 * batch it must not follow past: shared by the calldata reader (batchReader.ts) and the blob
 * reader (blobBatchReader.ts).
 */
import { CairnError } from "../../core/errors";
import type { EnvelopeSummary } from "../../core/batchEnvelope";

/** What a BatchSubmitted event says about a batch: what the Rollup stored, and where on L1. */
export interface BatchClaim {
  index: number;
  preStateRoot: string;
  postStateRoot: string;
  queueCount: bigint;
  firstBlock: number;
  commitmentsRoot: string;
  l1Block: number;
  l1TxHash: string;
}

/**
 * What a blob batch was posted with, from its BlobBatchPosted event: each blob's versioned hash
 * and claim (IRollup.BlobBatch), and the L2 time the first blob starts after. Every fraud proof
 * of the batch passes the hashes and claims back to the Rollup.
 */
export interface BlobBatchPosting {
  versionedHashes: string[];
  claims: EnvelopeSummary[];
  previousL2Timestamp: bigint;
}

/** A batch whose bodies were authenticated against its event. */
export interface PostedBatch extends BatchClaim {
  /** Commitment bodies, in order (a blob batch's: blob 0's, then blob 1's, …). */
  bodies: Buffer[];
  /** A blob batch: what it was posted with; blob k holds the next `claims[k].count` bodies. */
  blobs?: BlobBatchPosting;
}

/** A batch over several blobs: each blob's L2 blocks (what a withdrawal proof needs, BatchRecord.blobBlocks). */
export function blobBlocksOf(batch: PostedBatch): number[] | undefined {
  return batch.blobs && batch.blobs.claims.length > 1 ? batch.blobs.claims.map((c) => c.blocks) : undefined;
}

/**
 * A batch on L1 that a node must not follow past. Its poll fails and is retried, but nothing
 * after the batch is applied until the batch reads back right.
 */
export class UnfollowableBatchError extends CairnError {
  readonly code: string = "UNFOLLOWABLE_BATCH";
  override readonly name: string = "UnfollowableBatchError";

  constructor(
    readonly batchIndex: number,
    /** What is wrong with the batch, as the end of "stopped following L1 at batch N: …". */
    readonly problem: string,
    message: string,
    options: { details?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
