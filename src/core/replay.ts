/**
 * Replays a posted commitment on a state, as a replica or the challenger does from L1 data
 * alone, and says whether the commitment is honest.
 */
import { decodeCommitment, type Commitment } from "./commitment";
import { DecodeError, InvalidOperationError } from "./errors";
import { applyOp, type OpResult, type QueueEntry } from "./execute";
import type { L2State } from "./state";
import { withdrawalTree, withdrawalsOf } from "./blockBuilder";
import type { Withdrawal } from "./hashing";

export type Verdict =
  | { ok: true }
  | { ok: false; kind: "malformed"; details: string }
  | { ok: false; kind: "invalid-operation"; opIndex: number; reason: InvalidOperationError["reason"]; details: string }
  | { ok: false; kind: "wrong-post-state"; expected: Buffer; claimed: Buffer }
  | { ok: false; kind: "wrong-withdrawal-root"; expected: Buffer | null; claimed: Buffer | null }
  | { ok: false; kind: "queue-count-mismatch"; consumed: bigint; claimed: bigint };

/** Where a commitment sits in its batch: what the batch claims about the L1 queue. */
export interface BatchPosition {
  /** The batch's queue count: no operation may consume an entry at or past it. */
  queueLimit: bigint;
  /** The batch's last commitment must end exactly at the queue count. */
  lastInBatch: boolean;
}

export interface ReplayResult {
  verdict: Verdict;
  commitment?: Commitment;
  results: OpResult[];
  withdrawals: Withdrawal[];
}

/**
 * Applies commitment `body` to `state`. When the verdict is not ok the state is left part-way
 * and must be discarded: the commitment is fraudulent from that operation on.
 */
export function replayCommitment(
  state: L2State,
  body: Buffer,
  params: { chainId: bigint; queueEntry(index: bigint): QueueEntry | undefined; position?: BatchPosition },
): ReplayResult {
  const position = params.position;
  const queueEntry = position ? (i: bigint) => (i < position.queueLimit ? params.queueEntry(i) : undefined) : params.queueEntry;
  let commitment: Commitment;
  try {
    commitment = decodeCommitment(body);
  } catch (e) {
    if (e instanceof DecodeError) return { verdict: { ok: false, kind: "malformed", details: e.message }, results: [], withdrawals: [] };
    throw e;
  }
  const env = { chainId: params.chainId, baseFee: commitment.baseFee, feeRecipient: commitment.feeRecipient, fees: commitment.fees, queueEntry };
  const results: OpResult[] = [];
  for (let i = 0; i < commitment.ops.length; i++) {
    try {
      results.push(applyOp(state, commitment.ops[i], env));
    } catch (e) {
      if (!(e instanceof InvalidOperationError)) throw e;
      return { verdict: { ok: false, kind: "invalid-operation", opIndex: i, reason: e.reason, details: e.message }, commitment, results, withdrawals: [] };
    }
  }
  const withdrawals = withdrawalsOf(results);
  const tree = withdrawalTree(withdrawals);
  const expectedW = tree ? tree.getRoot() : null;
  const claimedW = commitment.withdrawalRoot;
  if ((expectedW === null) !== (claimedW === null) || (expectedW && claimedW && !expectedW.equals(claimedW))) {
    return { verdict: { ok: false, kind: "wrong-withdrawal-root", expected: expectedW, claimed: claimedW }, commitment, results, withdrawals };
  }
  const post = state.root();
  if (!post.equals(commitment.postStateRoot)) {
    return { verdict: { ok: false, kind: "wrong-post-state", expected: post, claimed: commitment.postStateRoot }, commitment, results, withdrawals };
  }
  if (position?.lastInBatch && state.queueIndex !== position.queueLimit) {
    return { verdict: { ok: false, kind: "queue-count-mismatch", consumed: state.queueIndex, claimed: position.queueLimit }, commitment, results, withdrawals };
  }
  return { verdict: { ok: true }, commitment, results, withdrawals };
}
