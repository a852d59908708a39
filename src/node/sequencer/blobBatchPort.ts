/**
 * Posts batches in blobs (`submitBlobBatch` with the batch's summary as the claim, the
 * envelope in the transaction's one blob), or, with `--batch-data auto`, in whichever of blob
 * and calldata costs less for each batch (batchData.ts).
 */
import { encodeBatch } from "../../core/commitment";
import { BLOB_ENVELOPE_CAPACITY, MAX_BLOB_COMMITMENTS, encodeBlob } from "../../core/blobLayout";
import { summarizeEnvelope } from "../../core/batchEnvelope";
import type { L1Contracts } from "../l1/contracts";
import type { L1TxManager } from "../l1/txManager";
import { l1BlobBaseFee } from "../l1/blobFees";
import type { Logger } from "../../shared/logger";
import { rollupBatchPort, type BatchPort, type OutgoingBatch } from "./batchPort";

export type { BatchPort };
import { BLOB_BATCH_GAS_LIMIT, batchDataCosts, chooseBatchData, type BatchDataMode, type L1Prices } from "./batchData";

/** The calldata of `submitBlobBatch` for `batch`: its summary is the claim (timestamps unchecked here; the Rollup checks them). */
export function submitBlobBatchCalldata(l1: L1Contracts, batch: OutgoingBatch, envelope: Buffer): string {
  const s = summarizeEnvelope(envelope, batch.preStateRoot, 0n, 2n ** 64n - 1n);
  const claim = { commitmentsRoot: s.commitmentsRoot, postStateRoot: s.postStateRoot, withdrawalRoot: s.withdrawalRoot, count: s.count, blocks: s.blocks, lastTimestamp: s.lastTimestamp };
  return l1.rollup.interface.encodeFunctionData("submitBlobBatch", [batch.index, batch.preStateRoot, batch.queueCount, claim]);
}

/** Posts every batch in a blob. */
export function rollupBlobBatchPort(l1: L1Contracts, txs: L1TxManager): BatchPort {
  return {
    async post(batch) {
      const envelope = encodeBatch(batch.bodies);
      const data = submitBlobBatchCalldata(l1, batch, envelope);
      const receipt = await txs.send({ to: l1.addresses.rollup, data, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [encodeBlob(envelope)] }, `blob batch ${batch.index}`);
      return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, asGiven: true };
    },
  };
}

/** L1's base fee (latest block) and blob base fee now. */
async function l1Prices(l1: L1Contracts): Promise<L1Prices> {
  const [block, blobBaseFee] = await Promise.all([l1.provider.getBlock("latest"), l1BlobBaseFee(l1.provider)]);
  return { baseFee: block?.baseFeePerGas ?? 0n, blobBaseFee };
}

/** The largest batch the submitter may take: one that may go in a blob must fit one, in bytes and in commitments. */
export function batchLimitsFor(mode: BatchDataMode | undefined, maxBatchBytes: number): { maxBatchBytes: number; maxBatchBlocks?: number } {
  if ((mode ?? "calldata") === "calldata") return { maxBatchBytes };
  // Blocks, not bodies: merging empty runs only makes fewer bodies.
  return { maxBatchBytes: Math.min(maxBatchBytes, BLOB_ENVELOPE_CAPACITY), maxBatchBlocks: MAX_BLOB_COMMITMENTS };
}

/** Posts each batch as `mode` says (calldata when unset): always calldata, always a blob, or (auto) the cheaper at L1's prices. */
export function batchDataPort(mode: BatchDataMode | undefined, l1: L1Contracts, txs: L1TxManager, logger: Logger): BatchPort {
  const calldata = rollupBatchPort(l1, txs);
  if (mode === undefined || mode === "calldata") return calldata;
  const blobs = rollupBlobBatchPort(l1, txs);
  if (mode === "blobs") return blobs;
  return {
    async post(batch) {
      const envelope = encodeBatch(batch.bodies);
      const prices = await l1Prices(l1);
      const choice = chooseBatchData(mode, envelope, () => prices);
      const cost = batchDataCosts(envelope, prices);
      logger.debug({ batch: batch.index, choice, calldataWei: cost.calldata.toString(), blobWei: cost.blobs.toString() }, "batch data chosen");
      return (choice === "blobs" ? blobs : calldata).post(batch);
    },
  };
}
