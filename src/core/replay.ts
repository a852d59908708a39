/**
 * Replays a posted commitment on a state, as a replica or the challenger does from L1 data
 * alone, and says whether the commitment is honest.
 */
import { decodeCommitment, emptyRunOf, type Commitment, type EmptyRun } from "./commitment";
import { DecodeError, InvalidOperationError } from "./errors";
import { applyOp, signingHashAt, type BlockEnv, type OpResult } from "./execute";
import { type QueueEntry } from "./queueOps";
import type { SignedOp } from "./ops";
import { OpKind } from "./constants";
import { overweight, proofWeight } from "./proofWeight";
import type { TxSignature } from "./txSigning";
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
  /** Set when the body is an empty run (then there is no commitment). */
  emptyRun?: EmptyRun;
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
  params: {
    chainId: bigint;
    queueEntry(index: bigint): QueueEntry | undefined;
    position?: BatchPosition;
    /** `body` already decoded (it must be its decoding). */
    decoded?: Commitment;
    /** Signers recovered ahead (see {@link signaturesAhead}). */
    ahead?: BlockEnv["ahead"];
    /**
     * Whether to compute and check the state root after this commitment (default yes). A
     * replica rebuilding batches that are already final checks only each batch's last one:
     * L1 has settled them, and the root is the costliest step of a replay.
     */
    checkStateRoot?: boolean;
  },
): ReplayResult {
  const position = params.position;
  const queueEntry = position ? (i: bigint) => (i < position.queueLimit ? params.queueEntry(i) : undefined) : params.queueEntry;
  let commitment: Commitment;
  try {
    const emptyRun = emptyRunOf(body);
    if (emptyRun) return replayEmptyRun(state, emptyRun, position);
    commitment = params.decoded ?? decodeCommitment(body);
  } catch (e) {
    if (e instanceof DecodeError) return { verdict: { ok: false, kind: "malformed", details: e.message }, results: [], withdrawals: [] };
    throw e;
  }
  const tooHeavy = overweight(proofWeight(commitment.ops, commitment.feeRecipient, state.accountCount, state.tokenCount));
  if (tooHeavy) return { verdict: { ok: false, kind: "malformed", details: tooHeavy }, commitment, results: [], withdrawals: [] };
  const env = { chainId: params.chainId, baseFee: commitment.baseFee, feeRecipient: commitment.feeRecipient, fees: commitment.fees, queueEntry, ahead: params.ahead };
  const results: OpResult[] = [];
  for (let i = 0; i < commitment.ops.length; i++) {
    try {
      results.push(applyOp(state, commitment.ops[i], env));
    } catch (e) {
      if (!(e instanceof InvalidOperationError)) throw e;
      return { verdict: { ok: false, kind: "invalid-operation", opIndex: i, reason: e.reason, details: e.message }, commitment, results, withdrawals: [] };
    }
  }
  // Signed operations check the fee recipient as they are applied; a block with none must still
  // name an account, or no node could say which account its blocks credit.
  if (commitment.feeRecipient >= state.accountCount) {
    return { verdict: { ok: false, kind: "malformed", details: `fee recipient ${commitment.feeRecipient} is not an account (${state.accountCount} exist)` }, commitment, results, withdrawals: [] };
  }
  const withdrawals = withdrawalsOf(results);
  const tree = withdrawalTree(withdrawals);
  const expectedW = tree ? tree.getRoot() : null;
  const claimedW = commitment.withdrawalRoot;
  if ((expectedW === null) !== (claimedW === null) || (expectedW && claimedW && !expectedW.equals(claimedW))) {
    return { verdict: { ok: false, kind: "wrong-withdrawal-root", expected: expectedW, claimed: claimedW }, commitment, results, withdrawals };
  }
  const post = params.checkStateRoot === false ? commitment.postStateRoot : state.root();
  if (!post.equals(commitment.postStateRoot)) {
    return { verdict: { ok: false, kind: "wrong-post-state", expected: post, claimed: commitment.postStateRoot }, commitment, results, withdrawals };
  }
  if (position?.lastInBatch && state.queueIndex !== position.queueLimit) {
    return { verdict: { ok: false, kind: "queue-count-mismatch", consumed: state.queueIndex, claimed: position.queueLimit }, commitment, results, withdrawals };
  }
  return { verdict: { ok: true }, commitment, results, withdrawals };
}

/**
 * An empty run changes nothing (L1 checked its count and timestamp): as a batch's last body it
 * must still end at the queue count the batch claims.
 */
function replayEmptyRun(state: L2State, emptyRun: EmptyRun, position: BatchPosition | undefined): ReplayResult {
  const verdict: Verdict =
    position?.lastInBatch && state.queueIndex !== position.queueLimit ? { ok: false, kind: "queue-count-mismatch", consumed: state.queueIndex, claimed: position.queueLimit } : { ok: true };
  return { verdict, emptyRun, results: [], withdrawals: [] };
}

/** A signature to recover ahead: the operation, the sender nonce it was predicted at, and the hash it signs there. */
export interface SignatureAhead {
  op: SignedOp;
  nonce: bigint;
  hash: Buffer;
  sig: TxSignature;
}

/**
 * The signatures of commitment `c` (about to be replayed on `state` after the commitments whose
 * senders' nonces `nonces` has counted so far; updated here), with the hash each signs — so they
 * can be recovered elsewhere before the replay reaches them. A prediction that turns out wrong
 * (a fraudulent batch, an account the batch itself creates) only means that signature is
 * recovered again during the replay.
 */
export function signaturesAhead(state: L2State, c: Commitment, chainId: bigint, nonces: Map<number, bigint>): SignatureAhead[] {
  const out: SignatureAhead[] = [];
  const env = { chainId, baseFee: c.baseFee, feeRecipient: c.feeRecipient, fees: c.fees, queueEntry: () => undefined };
  for (const op of c.ops) {
    if (op.kind === OpKind.QUEUE || op.from >= state.accountCount) continue;
    const nonce = nonces.get(op.from) ?? state.account(op.from).nonce;
    nonces.set(op.from, nonce + 1n);
    const hash = signingHashAt(state, op, env, nonce);
    if (hash) out.push({ op, nonce, hash, sig: op.sig });
  }
  return out;
}
