/**
 * Lining a sequencer's chain up with the batches L1 holds — at start (batches it posted before
 * a restart, or a fallback proposer's) and when another proposer took the index its next
 * batch was for. L1's batches are the chain: the node records, checks or adopts each.
 */
import { CairnError } from "../../core/errors";
import { yieldingPause } from "../../shared/eventLoop";
import { blockBodies } from "../../core/commitment";
import type { ChainStore } from "../../chain/chainStore";
import type { PostedBatch } from "../l1/batchReader";
import { blobBlocksOf } from "../l1/batchClaim";
import type { L1Contracts } from "../l1/contracts";
import type { Sequencer } from "./sequencer";

/** L1's batch is not the chain this node holds: the node must start over from genesis on L1. */
export class ChainDivergesFromL1Error extends CairnError {
  override readonly name = "ChainDivergesFromL1Error";
  readonly code = "CHAIN_DIVERGES_FROM_L1";
  constructor(
    readonly batchIndex: number,
    details: string,
  ) {
    super(`L1 batch ${batchIndex} is not the chain this node holds`, { details });
  }
}

/**
 * How many of the stored batch records L1 still holds as they are: all of them when L1 still
 * has the last one's post-state root at its index (a revert or reorg of an earlier one would
 * have taken it too), else none (the chain is then checked against L1 from the start).
 */
export async function storedBatchesStanding(l1: L1Contracts, chain: ChainStore): Promise<number> {
  const last = chain.batches[chain.batches.length - 1];
  if (!last || last.l1Block === 0) return 0;
  if ((await l1.rollup.batchCount()) <= BigInt(last.index)) return 0;
  const header = await l1.rollup.getBatch(last.index);
  return header.postStateRoot === chain.block(last.lastBlock)!.stateRoot ? chain.batches.length : 0;
}

/**
 * Records, checks or adopts each of L1's batches (`batches`, L1's current ones from index
 * `from` on) against the sequencer's chain; returns how many blocks it replayed. Throws
 * ChainDivergesFromL1Error where they disagree, PostedBlockRefusedError at a commitment that
 * does not replay.
 */
export async function lineUpWithL1(sequencer: Sequencer, batches: readonly PostedBatch[], from: number, options: { experimentalEvm?: boolean } = {}): Promise<number> {
  const chain = sequencer.chain;
  // Records past what L1 holds were reverted or reorganised away while the node was down.
  if (chain.batches.length > from + batches.length) chain.dropBatchesFrom(from + batches.length);
  let replayed = 0;
  for (const batch of batches) {
    // One body per L2 block: an empty run of n is n empty blocks, each held as a run of one.
    const bodies = blockBodies(batch.bodies);
    const last = batch.firstBlock + bodies.length - 1;
    const record = { index: batch.index, firstBlock: batch.firstBlock, lastBlock: last, l1TxHash: batch.l1TxHash, l1Block: batch.l1Block, blobBlocks: blobBlocksOf(batch) };
    if (chain.latest.number >= last) {
      // Blocks this node holds (posted before a restart, maybe with the record lost): the same ones?
      const same = chain.block(batch.firstBlock - 1)?.stateRoot === batch.preStateRoot && bodies.every((b, i) => chain.block(batch.firstBlock + i)!.body.equals(b));
      if (!same) throw new ChainDivergesFromL1Error(batch.index, `its blocks ${batch.firstBlock}-${last} differ from this node's`);
      if (!chain.batches[batch.index]) chain.recordBatch(record);
      continue;
    }
    if (chain.latest.number + 1 !== batch.firstBlock || chain.latest.stateRoot !== batch.preStateRoot) {
      throw new ChainDivergesFromL1Error(batch.index, `it starts at block ${batch.firstBlock}; this node's chain ends at ${chain.latest.number}`);
    }
    // Replayed where it sits in its batch, so a batch wrong only about the queue (consuming past
    // its queue count, or stopping short of it) is refused like any other fraud.
    for (const [c, body] of bodies.entries()) {
      const position = { queueLimit: batch.queueCount, lastInBatch: c === bodies.length - 1 };
      if (options.experimentalEvm) await sequencer.adoptPostedBody(body, position, yieldingPause());
      else sequencer.adoptPostedBlock(body, position);
    }
    replayed += bodies.length;
    chain.recordBatch(record);
  }
  return replayed;
}
