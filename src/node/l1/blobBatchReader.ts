/**
 * Reads a blob batch back from L1. The Rollup cannot see a blob: it records the versioned hash
 * and the summary the proposer claims. So a follower does here what `submitBatch` does for a
 * calldata batch: it fetches the blob (BlobSource, checked against the versioned hash), decodes
 * the payload (src/core/blobLayout.ts), applies every rule of `BatchCodec.summarize`
 * (src/core/batchEnvelope.ts) and compares the summary with the claim. A blob that fails any of
 * those is a fraudulent batch: the node stops there, as at any batch it cannot follow, until a
 * fraud proof reverts it.
 */
import type { TransactionReceipt } from "ethers";
import { envelopeBodies, type EnvelopeSummary } from "../../core/batchEnvelope";
import { judgeBlobBatch, type BlobBatchFault } from "../../core/blobBatchFault";
import type { L1Contracts } from "./contracts";
import { UnfollowableBatchError, type BatchClaim, type PostedBatch } from "./batchClaim";

/** What the Rollup's two events of a blob submission say beyond a BatchClaim. */
export interface BlobBatchClaim {
  versionedHash: string;
  previousL2Timestamp: bigint;
  summary: EnvelopeSummary;
}

export type { BlobBatchFault };

/** The blob is authentic, and its bytes are not the batch the Rollup recorded: fraud. */
export class BlobBatchFraudError extends UnfollowableBatchError {
  override readonly code = "BLOB_BATCH_FRAUD";
  override readonly name = "BlobBatchFraudError";
  constructor(
    batchIndex: number,
    readonly fault: BlobBatchFault,
    /** The blob, checked against `versionedHash`: what a proof opens. */
    readonly blob: Buffer,
    readonly versionedHash: string,
    details: string,
    options: { cause?: unknown } = {},
  ) {
    super(batchIndex, `its blob does not give the batch its proposer claimed (${fault})`, `blob batch ${batchIndex} is fraudulent`, { details, cause: options.cause });
  }
}

/** The batch is in a blob, and the node has no way to fetch blobs. */
export class NoBlobSourceError extends UnfollowableBatchError {
  override readonly code = "NO_BLOB_SOURCE";
  override readonly name = "NoBlobSourceError";
  constructor(batchIndex: number) {
    super(batchIndex, "it is posted in a blob and the node has no --l1-beacon", `batch ${batchIndex} is in a blob; start the node with --l1-beacon URL`);
  }
}

/** A blob the beacon node would not give, or gave wrong: read again at the next poll. */
export class BlobFetchError extends UnfollowableBatchError {
  override readonly code = "BLOB_FETCH";
  override readonly name = "BlobFetchError";
  constructor(batchIndex: number, reason: string, cause?: unknown) {
    super(batchIndex, `its blob could not be fetched and checked (${reason})`, `batch ${batchIndex}: blob not fetched`, { cause });
  }
}

/**
 * The blob claim of batch `index` in the receipt of the transaction that posted it, read from
 * the Rollup's own BatchBlobPosted and BatchSubmitted logs; null when the Rollup logged no
 * blob for it (a calldata batch, whatever the transaction's type).
 */
export function blobClaimIn(l1: L1Contracts, receipt: TransactionReceipt, index: number): BlobBatchClaim | null {
  const rollup = l1.addresses.rollup.toLowerCase();
  let posted: { versionedHash: string; previousL2Timestamp: bigint; l2Timestamp: bigint } | null = null;
  let submitted: { commitmentsRoot: string; postStateRoot: string; withdrawalRoot: string; count: number; blocks: number } | null = null;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== rollup) continue;
    const parsed = l1.rollup.interface.parseLog(log);
    if (!parsed || Number(parsed.args.index) !== index) continue;
    if (parsed.name === "BatchBlobPosted") {
      posted = { versionedHash: parsed.args.versionedHash, previousL2Timestamp: parsed.args.previousL2Timestamp, l2Timestamp: parsed.args.l2Timestamp };
    } else if (parsed.name === "BatchSubmitted" && posted) {
      const a = parsed.args;
      submitted = { commitmentsRoot: a.commitmentsRoot, postStateRoot: a.postStateRoot, withdrawalRoot: a.withdrawalRoot, count: Number(a.commitmentCount), blocks: Number(a.blockCount) };
    }
  }
  if (!posted || !submitted) return null;
  return {
    versionedHash: posted.versionedHash,
    previousL2Timestamp: posted.previousL2Timestamp,
    summary: { ...submitted, lastTimestamp: posted.l2Timestamp },
  };
}

/**
 * The batch `claim` describes, its bodies from the blob `blob` names.
 * @throws NoBlobSourceError, BlobFetchError (retry), BlobBatchFraudError (a fraud proof must revert it).
 */
export async function readBlobBatch(l1: L1Contracts, claim: BatchClaim, blob: BlobBatchClaim): Promise<PostedBatch> {
  if (!l1.blobs) throw new NoBlobSourceError(claim.index);
  const block = await l1.provider.getBlock(claim.l1Block);
  if (!block) throw new BlobFetchError(claim.index, `L1 block ${claim.l1Block} not found`);
  let bytes: Buffer;
  try {
    bytes = await l1.blobs.blob(BigInt(block.timestamp), blob.versionedHash);
  } catch (e) {
    throw new BlobFetchError(claim.index, (e as Error).message, e);
  }
  const verdict = judgeBlobBatch(bytes, { preStateRoot: claim.preStateRoot, previousL2Timestamp: blob.previousL2Timestamp, l1Timestamp: BigInt(block.timestamp), claim: blob.summary });
  if (!verdict.ok) throw new BlobBatchFraudError(claim.index, verdict.fault, bytes, blob.versionedHash, verdict.details);
  return { ...claim, bodies: envelopeBodies(verdict.envelope) };
}
