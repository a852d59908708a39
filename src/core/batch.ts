/**
 * What a batch commits to, computed exactly as Rollup.submitBatch does (BatchCodec.summarize),
 * and the withdrawal proofs that Bridge.finalizeWithdrawal checks against it.
 */
import { MerkleTree } from "merkletreejs";
import { FLAG_WITHDRAWALS } from "./constants";
import { keccak256 } from "./hash";
import { commitmentLeaf, withdrawalLeaf, type Withdrawal } from "./hashing";
import { positionalRoot } from "./merkle";
import { emptyRunOf } from "./commitment";
import { withdrawalTree } from "./blockBuilder";
import { OutOfRangeError } from "./errors";

export interface BatchSummary {
  commitmentsRoot: Buffer;
  postStateRoot: Buffer;
  withdrawalRoot: Buffer;
  /** Commitment leaves in order (a commitment's is also its L2 block hash; an empty run's is not). */
  leaves: Buffer[];
  /** L2 blocks the batch holds: one per commitment, and each empty run's count. */
  blocks: number;
  /** Non-zero commitment withdrawal roots, in order: the leaves of the batch withdrawal tree. */
  withdrawalRoots: Buffer[];
}

/** The commitment's withdrawal root as written in its header, or null. */
export function commitmentWithdrawalRoot(body: Buffer): Buffer | null {
  return body[32] & FLAG_WITHDRAWALS ? body.subarray(33, 65) : null;
}

export function summarizeBatch(preStateRoot: Buffer, bodies: Buffer[]): BatchSummary {
  let root = preStateRoot;
  const leaves: Buffer[] = [];
  const withdrawalRoots: Buffer[] = [];
  let blocks = 0;
  for (const body of bodies) {
    leaves.push(commitmentLeaf(root, body));
    const run = emptyRunOf(body);
    if (run) {
      // Nothing changes: the next body starts from the same root.
      blocks += run.blocks;
      continue;
    }
    const w = commitmentWithdrawalRoot(body);
    if (w) withdrawalRoots.push(Buffer.from(w));
    root = body.subarray(0, 32);
    blocks++;
  }
  return {
    commitmentsRoot: positionalRoot(leaves),
    postStateRoot: Buffer.from(root),
    withdrawalRoot: batchWithdrawalTree(withdrawalRoots)?.getRoot() ?? Buffer.alloc(32),
    leaves,
    blocks,
    withdrawalRoots,
  };
}

function batchWithdrawalTree(roots: Buffer[]): MerkleTree | null {
  return roots.length === 0 ? null : new MerkleTree(roots, keccak256, { sortPairs: true });
}

/**
 * The proof that withdrawal `index` of a commitment is in its batch: its path in the
 * commitment's withdrawal tree, then that root's path in the batch's tree of withdrawal roots.
 * With sorted pairs one concatenated path is what OpenZeppelin's MerkleProof verifies.
 */
export function withdrawalProof(
  commitmentWithdrawals: Withdrawal[],
  index: number,
  batchWithdrawalRoots: Buffer[],
  commitmentPosition: number,
): Buffer[] {
  const inner = withdrawalTree(commitmentWithdrawals);
  const outer = batchWithdrawalTree(batchWithdrawalRoots);
  if (!inner || !outer) throw new OutOfRangeError("no withdrawals to prove");
  const leaf = withdrawalLeaf(commitmentWithdrawals[index]);
  const innerPath = inner.getProof(leaf, index).map((p) => p.data);
  const outerPath = outer.getProof(batchWithdrawalRoots[commitmentPosition], commitmentPosition).map((p) => p.data);
  return [...innerPath, ...outerPath];
}

export { keccak256 };
