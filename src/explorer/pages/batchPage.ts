/**
 * A batch posting's page: where it is on L1, the state root it claimed, the L2 blocks it holds
 * (paged), its state, and — once reverted — the fraud proof that reverted it and the postings of
 * the same index before and after.
 */
import type { BatchPage } from "../api";
import type { ExplorerData } from "../data";
import { findPosting, fraudProofView } from "../postings";

export const BLOCKS_PER_PAGE = 25;

/** Posting `posting` of batch `index` (default: the one that stands, else the last); null when there is none. */
export async function batchPage(data: ExplorerData, index: number, posting: number | undefined, page: number): Promise<BatchPage | null> {
  const view = await data.fresh();
  const p = findPosting(view.postings, index, posting);
  if (!p) return null;
  const b = p.record;
  const lastBlock = b.firstBlock + b.blocks - 1;
  const l2Last = (await data.l2.send("eth_getBlockByNumber", ["0x" + lastBlock.toString(16), false])) as { stateRoot: string } | null;
  const from = b.firstBlock + (page - 1) * BLOCKS_PER_PAGE;
  const blocks = data.index.blocks.slice(from, Math.min(lastBlock + 1, from + BLOCKS_PER_PAGE));
  const proof = b.revertedBy ? data.history.challenges.find((c) => c.l1Tx === b.revertedBy!.l1Tx) : undefined;
  return {
    ...p.ref,
    proposer: b.proposer,
    l1Tx: b.l1Tx,
    l1Block: b.l1Block,
    submittedAt: b.submittedAt,
    postedStateRoot: b.postStateRoot,
    l2StateRoot: l2Last?.stateRoot ?? null,
    firstBlock: b.firstBlock,
    lastBlock,
    queueCount: b.queueCount,
    blocks: { page, pageSize: BLOCKS_PER_PAGE, total: b.blocks, items: blocks.map((x) => ({ number: x.number, hash: x.hash, time: x.time, txCount: x.txs.length })) },
    fraudProof: proof ? fraudProofView(proof) : null,
    postings: view.postings.filter((x) => x.record.index === index).map((x) => x.ref),
  };
}
