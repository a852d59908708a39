/**
 * Replays posted bodies in experimental EVM mode, as a replica, the challenger or a restarting
 * sequencer does from L1 data alone: an EVM block (evmBlock.ts) runs its one contract
 * transaction in the engine; anything else is a commitment or an empty run, replayed by
 * core/replay as in the default mode. Verdicts are core/replay's.
 */
import { replayCommitment, type BatchPosition, type ReplayResult, type Verdict } from "../replay";
import { DecodeError, InvalidOperationError } from "../errors";
import type { QueueEntry } from "../queueOps";
import type { L2State } from "../state";
import { evmBlockOf, type EvmBlock } from "./evmBlock";
import { parseEvmTransaction } from "./evmTransaction";
import { executeEvmTransaction, type Pause } from "./engine";

export interface EvmReplayParams {
  chainId: bigint;
  position?: BatchPosition;
  /** The L2 block number this block must carry, when the replaying node counts blocks (a replica does). */
  expectedNumber?: number;
  /** Lets other work in while the engine runs (engine.ts); the verdict is the same. */
  pause?: Pause;
}

const refused = (verdict: Verdict, block?: EvmBlock): ReplayResult => ({ verdict, ...(block ? { commitment: headerOf(block) } : {}), results: [], withdrawals: [] });

function headerOf(b: EvmBlock): NonNullable<ReplayResult["commitment"]> {
  return { postStateRoot: b.postStateRoot, withdrawalRoot: null, timestamp: b.timestamp, baseFee: b.baseFee, feeRecipient: b.feeRecipient, fees: [], ops: [] };
}

/**
 * Applies EVM block `block` to `state`. When the verdict is not ok the state is left part-way (the
 * caller rolls back to a checkpoint), as replayCommitment leaves it.
 */
export async function replayEvmBlock(state: L2State, block: EvmBlock, params: EvmReplayParams): Promise<ReplayResult> {
  if (block.feeRecipient >= state.accountCount) return refused({ ok: false, kind: "malformed", details: `fee recipient ${block.feeRecipient} is not an account (${state.accountCount} exist)` }, block);
  if (params.expectedNumber !== undefined && block.number !== params.expectedNumber) return refused({ ok: false, kind: "malformed", details: `EVM block numbered ${block.number} at height ${params.expectedNumber}` }, block);
  let result;
  try {
    const tx = parseEvmTransaction(block.rawTx, params.chainId);
    result = await executeEvmTransaction(state, tx, { chainId: params.chainId, number: block.number, timestamp: block.timestamp, baseFee: block.baseFee, feeRecipient: block.feeRecipient }, { pause: params.pause });
  } catch (e) {
    if (!(e instanceof InvalidOperationError)) throw e;
    return refused({ ok: false, kind: "invalid-operation", opIndex: 0, reason: e.reason, details: e.message }, block);
  }
  const post = state.root();
  if (!post.equals(block.postStateRoot)) return { verdict: { ok: false, kind: "wrong-post-state", expected: post, claimed: block.postStateRoot }, commitment: headerOf(block), results: [result], withdrawals: [] };
  const position = params.position;
  if (position?.lastInBatch && state.queueIndex !== position.queueLimit) {
    return { verdict: { ok: false, kind: "queue-count-mismatch", consumed: state.queueIndex, claimed: position.queueLimit }, commitment: headerOf(block), results: [result], withdrawals: [] };
  }
  return { verdict: { ok: true }, commitment: headerOf(block), results: [result], withdrawals: [] };
}

/** Replays `body` if it is an EVM block (a malformed one included); null when it is a commitment or an empty run. */
export async function replayIfEvmBlock(state: L2State, body: Buffer, params: EvmReplayParams): Promise<ReplayResult | null> {
  let block: EvmBlock | null;
  try {
    block = evmBlockOf(body);
  } catch (e) {
    if (e instanceof DecodeError) return refused({ ok: false, kind: "malformed", details: e.message });
    throw e;
  }
  return block ? replayEvmBlock(state, block, params) : null;
}

/** Replays one posted body of any kind: an EVM block in the engine, a commitment or empty run as core/replay does. */
export async function replayBody(
  state: L2State,
  body: Buffer,
  params: EvmReplayParams & { queueEntry(index: bigint): QueueEntry | undefined },
): Promise<ReplayResult> {
  return (await replayIfEvmBlock(state, body, params)) ?? replayCommitment(state, body, { chainId: params.chainId, queueEntry: params.queueEntry, position: params.position });
}
