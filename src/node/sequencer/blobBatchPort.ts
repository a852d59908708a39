/**
 * Posts batches in blobs (`submitBlobBatch`, the bodies spread over up to six blobs, each with
 * its summary as its claim), or, with `--batch-data auto`, in whichever of blob and calldata
 * costs less for each batch (batchData.ts).
 */
import { encodeBatch } from "../../core/commitment";
import { BLOB_ENVELOPE_CAPACITY, MAX_BLOB_COMMITMENTS, encodeBlob } from "../../core/blobLayout";
import { summarizeEnvelope, type EnvelopeSummary } from "../../core/batchEnvelope";
import { MAX_BLOBS_PER_BATCH, packBlobs, splitByCounts } from "../../core/blobBatch";
import { MAX_BLOCKS_PER_BATCH } from "../../core/constants";
import { CairnError } from "../../core/errors";
import type { L1Contracts } from "../l1/contracts";
import type { L1TxManager } from "../l1/txManager";
import { l1BlobBaseFee } from "../l1/blobFees";
import type { Logger } from "../../shared/logger";
import { rollupBatchPort, type BatchPort, type OutgoingBatch } from "./batchPort";

export type { BatchPort };
import { BLOB_BATCH_GAS_LIMIT, batchDataCosts, chooseBatchData, type BatchDataMode, type L1Prices } from "./batchData";

/** The submitter handed the port a batch no six blobs hold: its limits (batchLimitsFor) were not applied. */
export class BlobPackingError extends CairnError {
  override readonly name = "BlobPackingError";
  readonly code = "BLOB_PACKING";
  constructor(readonly batchIndex: number) {
    super(`batch ${batchIndex} does not fit ${MAX_BLOBS_PER_BATCH} blobs`);
  }
}

/** A batch laid out in blobs: each blob's envelope and claim, chained (blob k starts at blob k − 1's post-state root). */
export interface BlobBatchLayout {
  envelopes: Buffer[];
  claims: EnvelopeSummary[];
}

/** `batch`'s bodies in as few blobs as they fill, each with its summary as its claim (timestamps unchecked here; the Rollup checks them). */
export function layOutBlobBatch(batch: Pick<OutgoingBatch, "index" | "preStateRoot" | "bodies">): BlobBatchLayout {
  const counts = packBlobs(batch.bodies);
  if (!counts) throw new BlobPackingError(batch.index);
  const envelopes = splitByCounts(batch.bodies, counts).map(encodeBatch);
  const claims: EnvelopeSummary[] = [];
  let pre = batch.preStateRoot;
  for (const envelope of envelopes) {
    const s = summarizeEnvelope(envelope, pre, 0n, 2n ** 64n - 1n);
    claims.push(s);
    pre = s.postStateRoot;
  }
  return { envelopes, claims };
}

/** The calldata of `submitBlobBatch` for `batch` laid out as `layout`. */
export function submitBlobBatchCalldata(l1: L1Contracts, batch: OutgoingBatch, layout: BlobBatchLayout): string {
  return l1.rollup.interface.encodeFunctionData("submitBlobBatch", [batch.index, batch.preStateRoot, batch.queueCount, layout.claims]);
}

/** Posts every batch in blobs, as many as its bodies fill. */
export function rollupBlobBatchPort(l1: L1Contracts, txs: L1TxManager): BatchPort {
  return {
    async post(batch) {
      const layout = layOutBlobBatch(batch);
      const data = submitBlobBatchCalldata(l1, batch, layout);
      const blobs = layout.envelopes.map(encodeBlob);
      const receipt = await txs.send({ to: l1.addresses.rollup, data, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs }, `blob batch ${batch.index}`);
      return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, asGiven: true, blobBlocks: blobBlocksOfLayout(layout) };
    },
    blobBlocks: (batch) => blobBlocksOfLayout(layOutBlobBatch(batch)),
  };
}

function blobBlocksOfLayout(layout: BlobBatchLayout): number[] | undefined {
  return layout.claims.length > 1 ? layout.claims.map((c) => c.blocks) : undefined;
}

/** L1's base fee (latest block) and blob base fee now. */
async function l1Prices(l1: L1Contracts): Promise<L1Prices> {
  const [block, blobBaseFee] = await Promise.all([l1.provider.getBlock("latest"), l1BlobBaseFee(l1.provider)]);
  return { baseFee: block?.baseFeePerGas ?? 0n, blobBaseFee };
}

/** What the submitter may put in one batch (BatchSubmitterOptions' limits). */
export interface BatchLimits {
  maxBatchBytes: number;
  maxBatchBlocks?: number;
  fits?: (bodies: Buffer[]) => boolean;
}

/**
 * The largest batch the submitter may take. In blobs, up to six blobs of bodies (packBlobs),
 * posted once that much is waiting (or the age limit passes): a batch's execution gas is shared
 * by all its blobs, so `maxBatchBytes`, sized for calldata, applies only when it is under one
 * blob. With `auto` a batch may still go as calldata, so it stays one blob's worth, as before.
 */
export function batchLimitsFor(mode: BatchDataMode | undefined, maxBatchBytes: number): BatchLimits {
  if ((mode ?? "calldata") === "calldata") return { maxBatchBytes };
  if (mode === "blobs") {
    const bytes = maxBatchBytes < BLOB_ENVELOPE_CAPACITY ? maxBatchBytes : MAX_BLOBS_PER_BATCH * BLOB_ENVELOPE_CAPACITY;
    return { maxBatchBytes: bytes, maxBatchBlocks: MAX_BLOCKS_PER_BATCH, fits: (bodies) => packBlobs(bodies) !== null };
  }
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
