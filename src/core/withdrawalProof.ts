/**
 * The proof that one withdrawal is in a posted batch, assembled from the batch's blocks as a
 * node keeps them: what Bridge.finalizeWithdrawal checks against the batch's withdrawal root.
 */
import { MerkleTree } from "merkletreejs";
import { commitmentWithdrawalRoot, withdrawalProof } from "./batch";
import { splitByCounts } from "./blobBatch";
import { keccak256 } from "./hash";
import { CairnError } from "./errors";
import type { Withdrawal } from "./hashing";

/** A block of a batch, as far as a withdrawal proof reads it. */
export interface CommittedBlock {
  number: number;
  /** The packed commitment: its header carries the block's withdrawal root, as L1 reads it. */
  body: Buffer;
  withdrawals: Withdrawal[];
}

/** The withdrawal asked for is not in the batch's blocks: the caller named the wrong batch or block. */
export class WithdrawalNotInBatchError extends CairnError {
  override readonly name = "WithdrawalNotInBatchError";
  readonly code = "WITHDRAWAL_NOT_IN_BATCH";
}

/**
 * The proof of withdrawal `id`, made in block `blockNumber`, against the batch of `batchBlocks`
 * (all its blocks, in order): the withdrawal's path in its block's tree, then that block's root
 * in the tree of the roots its blob's blocks carry, then (a batch over several blobs, whose L2
 * blocks are `blobBlocks`, one count a blob) that blob's root in the tree of the blobs' roots —
 * the shape BlobData.combine gives the batch's withdrawal root. All sorted-pair, so one path.
 */
export function proveWithdrawal(batchBlocks: readonly CommittedBlock[], blockNumber: number, id: bigint, blobBlocks?: readonly number[]): Buffer[] {
  const groups = blobBlocks && blobBlocks.length > 1 ? splitByCounts(batchBlocks, blobBlocks) : [batchBlocks];
  const g = groups.findIndex((group) => group.some((b) => b.number === blockNumber));
  const inner = proveInGroup(g < 0 ? [] : groups[g], blockNumber, id);
  if (groups.length === 1) return inner;
  const roots = groups.map((group) => groupRoot(group));
  const nonZero = roots.filter((r): r is Buffer => r !== null);
  const outer = new MerkleTree(nonZero, keccak256, { sortPairs: true });
  const position = roots.slice(0, g).filter((r) => r !== null).length;
  return [...inner, ...outer.getProof(roots[g]!, position).map((p) => p.data)];
}

/** The blocks' commitment withdrawal roots that are there, in order. */
function withdrawalRootsOf(blocks: readonly CommittedBlock[]): Array<{ block: CommittedBlock; root: Buffer }> {
  return blocks.flatMap((block) => {
    const root = commitmentWithdrawalRoot(block.body);
    return root ? [{ block, root }] : [];
  });
}

/** The sorted-pair root of a blob's blocks' withdrawal roots, null when it has none (summarizeBatch's). */
function groupRoot(blocks: readonly CommittedBlock[]): Buffer | null {
  const roots = withdrawalRootsOf(blocks).map((r) => Buffer.from(r.root));
  return roots.length === 0 ? null : new MerkleTree(roots, keccak256, { sortPairs: true }).getRoot();
}

function proveInGroup(blocks: readonly CommittedBlock[], blockNumber: number, id: bigint): Buffer[] {
  const withRoots = withdrawalRootsOf(blocks);
  const position = withRoots.findIndex((r) => r.block.number === blockNumber);
  const withdrawals = position < 0 ? [] : withRoots[position].block.withdrawals;
  const index = withdrawals.findIndex((w) => w.id === id);
  if (index < 0) throw new WithdrawalNotInBatchError("withdrawal not in the batch", { details: `withdrawal ${id} of block ${blockNumber}` });
  return withdrawalProof(withdrawals, index, withRoots.map((r) => r.root), position);
}
