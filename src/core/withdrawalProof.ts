/**
 * The proof that one withdrawal is in a posted batch, assembled from the batch's blocks as a
 * node keeps them: what Bridge.finalizeWithdrawal checks against the batch's withdrawal root.
 */
import { commitmentWithdrawalRoot, withdrawalProof } from "./batch";
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
 * in the batch's tree of the roots its blocks' headers carry.
 */
export function proveWithdrawal(batchBlocks: readonly CommittedBlock[], blockNumber: number, id: bigint): Buffer[] {
  const withRoots = batchBlocks.flatMap((block) => {
    const root = commitmentWithdrawalRoot(block.body);
    return root ? [{ block, root }] : [];
  });
  const position = withRoots.findIndex((r) => r.block.number === blockNumber);
  const withdrawals = position < 0 ? [] : withRoots[position].block.withdrawals;
  const index = withdrawals.findIndex((w) => w.id === id);
  if (index < 0) throw new WithdrawalNotInBatchError("withdrawal not in the batch", { details: `withdrawal ${id} of block ${blockNumber}` });
  return withdrawalProof(withdrawals, index, withRoots.map((r) => r.root), position);
}
