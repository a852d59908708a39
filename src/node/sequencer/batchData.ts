/**
 * Calldata or a blob, batch by batch: whichever costs less at L1's current base fee and blob
 * base fee, as other rollups' batchers choose (`--batch-data auto`), or always one of them.
 * The figures are L1 gas measured on the embedded Hardhat L1 (test/node/blobBatches.test.ts
 * prints them): a calldata batch pays EIP-7623's floor, 40 gas a non-zero byte and 10 a zero,
 * once its bytes outweigh its execution, which they do at any useful size; a blob batch pays a
 * fixed execution (the claim in calldata, the header, the versioned hash) and one blob of blob
 * gas whatever its fill.
 */
import { BLOB_ENVELOPE_CAPACITY, BYTES_PER_BLOB } from "../../core/blobLayout";

export type BatchDataMode = "auto" | "blobs" | "calldata";
export const BATCH_DATA_MODES: readonly BatchDataMode[] = ["auto", "blobs", "calldata"];

/** L1 prices in wei: per gas, and per blob gas. */
export interface L1Prices {
  baseFee: bigint;
  blobBaseFee: bigint;
}

/** The transaction and the Rollup's work around a calldata batch's bytes, in L1 gas (~21k + ~60k). */
export const CALLDATA_BATCH_EXECUTION_GAS = 81_000n;
/** A blob batch's whole L1 execution: transaction, claim, header, versioned hash, events (228,127 measured). */
export const BLOB_BATCH_EXECUTION_GAS = 230_000n;
/** The gas limit blob batches are sent with (L1 estimates gas without the blob, so it cannot be asked). */
export const BLOB_BATCH_GAS_LIMIT = 400_000n;

/** L1 gas of posting `envelope` as calldata (at least the floor; the ABI head adds ~200 bytes of mostly zeros). */
export function calldataBatchGas(envelope: Buffer): bigint {
  let nonZero = 0n;
  for (const b of envelope) if (b !== 0) nonZero++;
  const zero = BigInt(envelope.length) - nonZero;
  const floor = 21_000n + 40n * nonZero + 10n * zero;
  const standard = CALLDATA_BATCH_EXECUTION_GAS + 16n * nonZero + 4n * zero;
  return floor > standard ? floor : standard;
}

/** What posting `envelope` costs in wei each way. */
export function batchDataCosts(envelope: Buffer, prices: L1Prices): { calldata: bigint; blobs: bigint } {
  return {
    calldata: calldataBatchGas(envelope) * prices.baseFee,
    // One blob of 131,072 blob gas, however full.
    blobs: BLOB_BATCH_EXECUTION_GAS * prices.baseFee + BigInt(BYTES_PER_BLOB) * prices.blobBaseFee,
  };
}

/** How this batch goes: the mode's, or under `auto` the cheaper (calldata on a tie, and for a batch no blob holds). */
export function chooseBatchData(mode: BatchDataMode, envelope: Buffer, prices: () => L1Prices): "blobs" | "calldata" {
  if (mode !== "auto") return mode;
  if (envelope.length > BLOB_ENVELOPE_CAPACITY) return "calldata";
  const cost = batchDataCosts(envelope, prices());
  return cost.blobs < cost.calldata ? "blobs" : "calldata";
}
