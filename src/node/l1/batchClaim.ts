/**
 * What a follower knows of a posted batch before and after reading it back, and the error of a
 * batch it must not follow past: shared by the calldata reader (batchReader.ts) and the blob
 * reader (blobBatchReader.ts).
 */
import { CairnError } from "../../core/errors";

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

/** A batch whose bodies were authenticated against its event. */
export interface PostedBatch extends BatchClaim {
  /** Commitment bodies, in order. */
  bodies: Buffer[];
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
