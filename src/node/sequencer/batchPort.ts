/**
 * Where the batch submitter's batches go. In production, the Rollup on L1 through the node's
 * L1 transaction manager; anything else (the devnet's faulty mode) wraps that port from
 * outside, so the submitter itself only ever posts its chain as it is.
 */
import { encodeBatch } from "../../core/commitment";
import type { L2Block } from "../../chain/chainStore";
import { submitBatchCalldata, type L1Contracts } from "../l1/contracts";
import type { L1TxManager } from "../l1/txManager";
import type { QueueEntry } from "../../core/queueOps";
import type { Logger } from "../../shared/logger";

/** A batch as the submitter is about to post it. */
export interface OutgoingBatch {
  index: number;
  preStateRoot: string;
  bodies: Buffer[];
  queueCount: bigint;
  /** The chain's blocks the bodies are of. */
  blocks: readonly L2Block[];
}

export interface PostedBatchReceipt {
  hash: string;
  blockNumber: number;
  gasUsed: bigint;
  /**
   * False when the port posted something other than the batch it was given: the submitter then
   * builds nothing on that batch until a fraud proof reverts it.
   */
  asGiven: boolean;
  /** Posted over several blobs: each blob's L2 blocks (BatchRecord.blobBlocks). */
  blobBlocks?: number[];
}

export interface BatchPort {
  post(batch: OutgoingBatch): Promise<PostedBatchReceipt>;
  /**
   * How `batch` goes over blobs when this port posts it in several: each blob's L2 blocks (what
   * `post` returns as blobBlocks). The submitter asks when it adopts a batch whose receipt it lost.
   */
  blobBlocks?(batch: OutgoingBatch): number[] | undefined;
}

/** Wraps the production port (the devnet's faulty mode); `blocks`/`queue` let it rebuild states of the chain. */
export type WrapBatchPort = (port: BatchPort, context: BatchPortContext) => Promise<BatchPort>;

export interface BatchPortContext {
  l1: L1Contracts;
  chainId: bigint;
  blocks: readonly L2Block[];
  queue(index: bigint): QueueEntry | undefined;
  logger: Logger;
}

/** Posts batches to the Rollup, one L1 transaction each, re-sent until mined (see L1TxManager). */
export function rollupBatchPort(l1: L1Contracts, txs: L1TxManager): BatchPort {
  return {
    async post(batch) {
      const data = submitBatchCalldata(batch.index, batch.preStateRoot, batch.queueCount, encodeBatch(batch.bodies));
      const receipt = await txs.send({ to: l1.addresses.rollup, data }, `batch ${batch.index}`);
      return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, asGiven: true };
    },
  };
}
