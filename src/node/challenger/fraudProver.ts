/**
 * Proving one fraudulent commitment on L1: builds the witness and the commitment's path in its
 * batch with src/core, and sends Rollup.proveFraud — unless the batch is no longer there to
 * revert (reverted already, or final).
 */
import { buildFraudWitness } from "../../core/fraudProof";
import { summarizeBatch } from "../../core/batch";
import { blobStart } from "../../core/blobBatch";
import { positionalProof } from "../../core/merkle";
import type { L2State } from "../../core/state";
import type { PostedBatch } from "../l1/batchReader";
import type { L1Contracts } from "../l1/contracts";
import type { L1TxManager } from "../l1/txManager";
import type { Logger } from "../../shared/logger";
import { Rollup__factory } from "../../../typechain-types";

const hex = (b: Buffer) => "0x" + b.toString("hex");
const rollupInterface = Rollup__factory.createInterface();

export interface FraudCase {
  batch: PostedBatch;
  /** The fraudulent commitment's index in the batch. */
  commitment: number;
  /** The state before that commitment (the challenger's, rolled back to it). */
  state: L2State;
  /** The state root the batch builds on. */
  batchPreStateRoot: Buffer;
  params: Parameters<typeof buildFraudWitness>[2];
}

export type ProofOutcome = "proven" | "nothing-to-prove" | "failed";

function calldataBatchProof(fraud: FraudCase, witness: string): string {
  const { batch, commitment: c, state } = fraud;
  const path = positionalProof(summarizeBatch(fraud.batchPreStateRoot, batch.bodies).leaves, c).map(hex);
  return rollupInterface.encodeFunctionData("proveFraud", [batch.index, c, hex(state.root()), hex(batch.bodies[c]), path, witness]);
}

/**
 * Rollup.proveBlobCommitmentFraud: the commitment found by its blob and its place there, its path
 * to that blob's claimed root (built from the blob's bodies, from where the blob before ends).
 */
function blobCommitmentCalldata(fraud: FraudCase, witness: string): string {
  const { batch, commitment: c, state } = fraud;
  const posting = batch.blobs!;
  let blob = 0;
  let first = 0;
  while (c >= first + posting.claims[blob].count) first += posting.claims[blob++].count;
  const bodies = batch.bodies.slice(first, first + posting.claims[blob].count);
  const start = blobStart(posting.claims, blob, { preStateRoot: hex(fraud.batchPreStateRoot), previousL2Timestamp: posting.previousL2Timestamp });
  const path = positionalProof(summarizeBatch(Buffer.from(start.preStateRoot.slice(2), "hex"), bodies).leaves, c - first).map(hex);
  const commitment = { blobIndex: blob, commitmentIndex: c - first, preStateRoot: hex(state.root()), body: hex(batch.bodies[c]), path };
  return rollupInterface.encodeFunctionData("proveBlobCommitmentFraud", [batch.index, { versionedHashes: posting.versionedHashes, claims: posting.claims }, commitment, witness]);
}

/** Proves `fraud` on L1. "failed": the proof did not land (logged); the caller tries again later. */
export async function proveFraud(l1: L1Contracts, txs: L1TxManager, fraud: FraudCase, logger: Logger): Promise<ProofOutcome> {
  const rollup = l1.rollup;
  const { batch, commitment: c, state } = fraud;
  // Replaying history after a restart meets batches that were reverted long ago: L1 now holds
  // a different batch at that index, or none.
  const stillThere = (await rollup.batchCount()) > BigInt(batch.index) && (await rollup.getBatch(batch.index)).commitmentsRoot === batch.commitmentsRoot;
  if (!stillThere) {
    logger.info({ batch: batch.index }, "batch already reverted; nothing to prove");
    return "nothing-to-prove";
  }
  if (await rollup.isFinal(batch.index)) {
    logger.error({ batch: batch.index }, "fraudulent batch is already final: it can no longer be challenged");
    return "nothing-to-prove";
  }
  const { packed } = buildFraudWitness(state, batch.bodies[c], fraud.params);
  const data = batch.blobs ? blobCommitmentCalldata(fraud, packed) : calldataBatchProof(fraud, packed);
  try {
    const receipt = await txs.send({ to: l1.addresses.rollup, data }, `fraud proof of batch ${batch.index}`);
    logger.warn({ batch: batch.index, commitment: c, l1Tx: receipt.hash, gasUsed: receipt.gasUsed.toString() }, "fraud proven; batch reverted");
    return "proven";
  } catch (e) {
    // Whatever kept the proof off L1 (a revert, a timeout, L1 unreachable), the batch is looked at again next poll.
    logger.error({ batch: batch.index, err: (e as Error).message.slice(0, 300) }, "fraud proof failed; will try again");
    return "failed";
  }
}
