/**
 * Proving that a blob of a blob batch is not what its proposer claimed (Rollup.proveBlobFraud):
 * what the batch was posted with (its versioned hashes and claims), the blob's payload elements, the commitment to the quotient that ties them to the blob
 * (src/core/blobOpening.ts), and the two openings at the challenge point: four commitments on
 * the KZG workers (two of them to the openings' quotients, src/core/kzgOpening.ts), ~0.7 s.
 */
import { blobChallenge, payloadPrefix, quotientBlob } from "../../core/blobOpening";
import type { L1Contracts } from "../l1/contracts";
import type { L1TxManager } from "../l1/txManager";
import { blobCommitment, openBlobAt } from "../l1/kzg";
import type { Logger } from "../../shared/logger";
import type { ProofOutcome } from "./fraudProver";
import { readBatch, type BatchClaim, type PostedBatch } from "../l1/batchReader";
import { BlobBatchFraudError } from "../l1/blobBatchReader";
import type { BlobBatchPosting } from "../l1/batchClaim";
import { hashBlobBatch } from "../../core/blobBatch";

/**
 * The batch `claim` describes, read and authenticated; or, when it is a blob batch whose blob is
 * not the batch claimed, the outcome of proving so (nothing of it is applied). Counts into `stats`.
 */
export async function readOrProveBlobFraud(
  l1: L1Contracts,
  txs: L1TxManager,
  claim: BatchClaim,
  stats: { fraudsFound: number; fraudsProven: number },
  logger: Logger,
): Promise<PostedBatch | ProofOutcome> {
  try {
    return await readBatch(l1, claim);
  } catch (e) {
    if (!(e instanceof BlobBatchFraudError)) throw e;
    stats.fraudsFound++;
    logger.warn({ batch: claim.index, blob: e.blobIndex, fault: e.fault, details: e.details }, "fraudulent blob batch found");
    const outcome = await proveBlobFraud(l1, txs, { batchIndex: claim.index, posting: e.posting, blobIndex: e.blobIndex, blob: e.blob }, logger);
    if (outcome === "proven") stats.fraudsProven++;
    return outcome;
  }
}

/** A blob that is not what was claimed for it: where it is, and its bytes. */
export interface BlobFraud {
  batchIndex: number;
  posting: BlobBatchPosting;
  blobIndex: number;
  blob: Buffer;
}

/** IRollup.BlobBatch for `posting`, as the contract takes it. */
export function blobBatchArgument(posting: BlobBatchPosting): { versionedHashes: string[]; claims: BlobBatchPosting["claims"] } {
  return { versionedHashes: posting.versionedHashes, claims: posting.claims };
}

/** The calldata of Rollup.proveBlobFraud for `fraud` (its KZG computed on the worker thread). */
export async function blobFraudCalldata(l1: L1Contracts, fraud: BlobFraud): Promise<string> {
  const { blob } = fraud;
  const versionedHash = fraud.posting.versionedHashes[fraud.blobIndex];
  const prefix = payloadPrefix(blob);
  const quotient = quotientBlob(blob);
  const [commitment, quotientCommitment] = await Promise.all([blobCommitment(blob), blobCommitment(quotient)]);
  const z = blobChallenge(versionedHash, quotientCommitment, prefix);
  const [p, q] = await Promise.all([openBlobAt(blob, z), openBlobAt(quotient, z)]);
  const opening = "0x" + [commitment, quotientCommitment, p.proof, q.proof, p.y, q.y].map((h) => h.replace(/^0x/, "")).join("");
  return l1.rollup.interface.encodeFunctionData("proveBlobFraud", [fraud.batchIndex, blobBatchArgument(fraud.posting), fraud.blobIndex, prefix.topBytes, prefix.stream, opening]);
}

/** Proves `fraud`. "failed": the proof did not land (logged); the caller tries again later. */
export async function proveBlobFraud(l1: L1Contracts, txs: L1TxManager, fraud: BlobFraud, logger: Logger): Promise<ProofOutcome> {
  const rollup = l1.rollup;
  const { batchIndex } = fraud;
  const expected = hashBlobBatch(fraud.posting.versionedHashes, fraud.posting.claims).toLowerCase();
  const stillThere = (await rollup.batchCount()) > BigInt(batchIndex) && (await rollup.blobBatchHash(batchIndex)).toLowerCase() === expected;
  if (!stillThere) return "nothing-to-prove";
  if (await rollup.isFinal(batchIndex)) {
    logger.error({ batch: batchIndex }, "fraudulent blob batch is already final: it can no longer be challenged");
    return "nothing-to-prove";
  }
  try {
    const data = await blobFraudCalldata(l1, fraud);
    const receipt = await txs.send({ to: l1.addresses.rollup, data }, `blob fraud proof of batch ${batchIndex}`);
    logger.warn({ batch: batchIndex, blob: fraud.blobIndex, l1Tx: receipt.hash, gasUsed: receipt.gasUsed.toString() }, "blob batch fraud proven; batch reverted");
    return "proven";
  } catch (e) {
    // Whatever kept the proof off L1 (a revert, a timeout, L1 unreachable), the batch is looked at again next poll.
    logger.error({ batch: batchIndex, err: (e as Error).message.slice(0, 300) }, "blob fraud proof failed; will try again");
    return "failed";
  }
}
