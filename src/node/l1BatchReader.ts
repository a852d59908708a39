/**
 * Reads posted batches back from L1: the BatchSubmitted events and the commitments bytes from
 * each submission's calldata. This is all a replica or the challenger needs besides the queue.
 */
import { inSlices, type L1Contracts } from "./l1Contracts";
import { splitBatch } from "../core/commitment";

export interface PostedBatch {
  index: number;
  preStateRoot: string;
  postStateRoot: string;
  queueCount: bigint;
  firstBlock: number;
  commitmentsRoot: string;
  /** Commitment bodies, in order. */
  bodies: Buffer[];
  l1Block: number;
  l1TxHash: string;
}

/** The commitment bodies a `submitBatch` transaction carried in its calldata. */
export async function readBatchBodies(l1: L1Contracts, txHash: string): Promise<Buffer[]> {
  const tx = await l1.provider.getTransaction(txHash);
  if (!tx) throw new Error(`L1 transaction ${txHash} not found`);
  const call = l1.rollup.interface.parseTransaction({ data: tx.data, value: tx.value });
  // Only direct calls to submitBatch carry the bytes in calldata; a batch posted through a
  // contract would need a trace, which Cairn's proposers never use.
  if (!call || call.name !== "submitBatch") throw new Error(`L1 transaction ${txHash} is not a direct submitBatch call`);
  return splitBatch(Buffer.from((call.args.commitments as string).slice(2), "hex"));
}

/** Batches submitted in L1 blocks [from, to], decoded from their transactions' calldata. */
export async function readPostedBatches(l1: L1Contracts, fromBlock: number, toBlock: number): Promise<PostedBatch[]> {
  const events = await inSlices(fromBlock, toBlock, (from, to) => l1.rollup.queryFilter(l1.rollup.filters.BatchSubmitted(), from, to));
  const out: PostedBatch[] = [];
  for (const e of events) {
    const bodies = await readBatchBodies(l1, e.transactionHash);
    out.push({
      index: Number(e.args.index),
      preStateRoot: e.args.preStateRoot,
      postStateRoot: e.args.postStateRoot,
      queueCount: e.args.queueCount,
      firstBlock: Number(e.args.firstBlock),
      commitmentsRoot: e.args.commitmentsRoot,
      bodies,
      l1Block: e.blockNumber,
      l1TxHash: e.transactionHash,
    });
  }
  return out;
}

/**
 * The batches L1 holds now, in order, from index `fromIndex`: of every batch ever posted at an
 * index, the one whose commitments root the Rollup still records (earlier ones were reverted by
 * fraud proofs). All of them must have been posted in L1 blocks [fromBlock, toBlock].
 */
export async function readCurrentBatches(l1: L1Contracts, fromBlock: number, toBlock: number, fromIndex = 0): Promise<PostedBatch[]> {
  const posted = await readPostedBatches(l1, fromBlock, toBlock);
  const count = Number(await l1.rollup.batchCount());
  const out: PostedBatch[] = [];
  for (let i = fromIndex; i < count; i++) {
    const root = (await l1.rollup.getBatch(i)).commitmentsRoot;
    const batch = posted.filter((b) => b.index === i && b.commitmentsRoot === root).pop();
    if (!batch) throw new Error(`batch ${i} on L1 was posted outside blocks ${fromBlock}..${toBlock}`);
    out.push(batch);
  }
  return out;
}
