/**
 * Reads a blob batch back from L1. The Rollup cannot see a blob: it records one hash over the
 * blobs' versioned hashes and the summary the proposer claims for each blob, and logs both. So
 * a follower does here, blob by blob, what `submitBatch` does for a calldata batch: it fetches
 * each blob (BlobSource, checked against its versioned hash), decodes the payload
 * (src/core/blobLayout.ts), applies every rule of `BatchCodec.summarize`
 * (src/core/batchEnvelope.ts) from where the blob before was claimed to end, and compares the
 * summary with the blob's claim. A blob that fails any of those makes the batch fraudulent: the
 * node stops there, as at any batch it cannot follow, until a fraud proof reverts it.
 */
import type { TransactionReceipt } from "ethers";
import { envelopeBodies, type EnvelopeSummary } from "../../core/batchEnvelope";
import { judgeBlobBatch, type BlobBatchFault } from "../../core/blobBatchFault";
import { blobStart, combineBlobClaims } from "../../core/blobBatch";
import type { L1Contracts } from "./contracts";
import { UnfollowableBatchError, type BatchClaim, type BlobBatchPosting, type PostedBatch } from "./batchClaim";

export type { BlobBatchFault };

/** A blob is authentic, and its bytes are not what the Rollup recorded for it: fraud. */
export class BlobBatchFraudError extends UnfollowableBatchError {
  override readonly code = "BLOB_BATCH_FRAUD";
  override readonly name = "BlobBatchFraudError";
  constructor(
    batchIndex: number,
    /** The first blob of the batch that is not what was claimed for it. */
    readonly blobIndex: number,
    readonly fault: BlobBatchFault,
    /** That blob, checked against its versioned hash: what a proof opens. */
    readonly blob: Buffer,
    /** What the batch was posted with: a proof passes it back. */
    readonly posting: BlobBatchPosting,
    details: string,
    options: { cause?: unknown } = {},
  ) {
    super(batchIndex, `blob ${blobIndex} does not give what its proposer claimed (${fault})`, `blob batch ${batchIndex} is fraudulent`, { details, cause: options.cause });
  }
}

/** The Rollup's BlobBatchPosted and BatchSubmitted of one batch disagree: a follower bug or a broken L1 answer, never followed past. */
export class BlobClaimsMismatchError extends UnfollowableBatchError {
  override readonly code = "BLOB_CLAIMS_MISMATCH";
  override readonly name = "BlobClaimsMismatchError";
  constructor(batchIndex: number, details: string) {
    super(batchIndex, "its blob claims do not combine to the batch the Rollup recorded", `batch ${batchIndex}: blob claims do not match its BatchSubmitted`, { details });
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
 * What blob batch `index` was posted with, read from the Rollup's own BlobBatchPosted log in the
 * receipt of the transaction that posted it; null when the Rollup logged no blobs for it (a
 * calldata batch, whatever the transaction's type). The claims must combine (as
 * BlobData.combine) to what the BatchSubmitted log of the same batch records.
 * @throws BlobClaimsMismatchError when they do not.
 */
export function blobClaimIn(l1: L1Contracts, receipt: TransactionReceipt, index: number): BlobBatchPosting | null {
  const rollup = l1.addresses.rollup.toLowerCase();
  let posting: BlobBatchPosting | null = null;
  let submitted: Omit<EnvelopeSummary, "lastTimestamp"> | null = null;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== rollup) continue;
    const parsed = l1.rollup.interface.parseLog(log);
    if (!parsed || Number(parsed.args.index) !== index) continue;
    if (parsed.name === "BlobBatchPosted") {
      const claims = (parsed.args.claims as ReadonlyArray<{ commitmentsRoot: string; postStateRoot: string; withdrawalRoot: string; count: bigint; blocks: bigint; lastTimestamp: bigint }>).map(
        (c): EnvelopeSummary => ({ commitmentsRoot: c.commitmentsRoot, postStateRoot: c.postStateRoot, withdrawalRoot: c.withdrawalRoot, count: Number(c.count), blocks: Number(c.blocks), lastTimestamp: c.lastTimestamp }),
      );
      posting = { versionedHashes: [...(parsed.args.versionedHashes as string[])], claims, previousL2Timestamp: parsed.args.previousL2Timestamp };
    } else if (parsed.name === "BatchSubmitted" && posting) {
      const a = parsed.args;
      submitted = { commitmentsRoot: a.commitmentsRoot, postStateRoot: a.postStateRoot, withdrawalRoot: a.withdrawalRoot, count: Number(a.commitmentCount), blocks: Number(a.blockCount) };
    }
  }
  if (!posting || !submitted) return null;
  const combined = combineBlobClaims(posting.claims);
  for (const field of ["commitmentsRoot", "postStateRoot", "withdrawalRoot", "count", "blocks"] as const) {
    if (String(combined[field]).toLowerCase() !== String(submitted[field]).toLowerCase()) {
      throw new BlobClaimsMismatchError(index, `the claims combine to ${field} ${combined[field]}, BatchSubmitted records ${submitted[field]}`);
    }
  }
  return posting;
}

/**
 * The batch `claim` describes, its bodies from the blobs `posting` names, each fetched and
 * checked against its versioned hash and its claim.
 * @throws NoBlobSourceError, BlobFetchError (retry), BlobBatchFraudError (a fraud proof must revert it).
 */
export async function readBlobBatch(l1: L1Contracts, claim: BatchClaim, posting: BlobBatchPosting): Promise<PostedBatch> {
  if (!l1.blobs) throw new NoBlobSourceError(claim.index);
  const block = await l1.provider.getBlock(claim.l1Block);
  if (!block) throw new BlobFetchError(claim.index, `L1 block ${claim.l1Block} not found`);
  const l1Timestamp = BigInt(block.timestamp);
  // Every blob first: one that cannot be fetched is retried before any is judged.
  let blobs: Buffer[];
  try {
    blobs = await l1.blobs.blobs(l1Timestamp, posting.versionedHashes);
  } catch (e) {
    throw new BlobFetchError(claim.index, (e as Error).message, e);
  }
  const bodies: Buffer[] = [];
  const batchStart = { preStateRoot: claim.preStateRoot, previousL2Timestamp: posting.previousL2Timestamp };
  for (let k = 0; k < blobs.length; k++) {
    const context = { ...blobStart(posting.claims, k, batchStart), l1Timestamp, claim: posting.claims[k] };
    const verdict = judgeBlobBatch(blobs[k], context);
    if (!verdict.ok) throw new BlobBatchFraudError(claim.index, k, verdict.fault, blobs[k], posting, verdict.details);
    bodies.push(...envelopeBodies(verdict.envelope));
  }
  return { ...claim, bodies, blobs: posting };
}
