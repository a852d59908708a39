/**
 * Replays posted batches as a replica does, with the signatures recovered on a worker thread
 * ahead of the replay: while the worker recovers commitment k + 1, this thread applies
 * commitment k — across batch boundaries too. Batches L1 has made final are checked at their
 * last commitment only (see `checkStateRoot` in core/replay).
 */
import { decodeCommitment, type Commitment } from "../../core/commitment";
import type { QueueEntry } from "../../core/queueOps";
import type { SignedOp } from "../../core/ops";
import { replayCommitment, signaturesAhead, type ReplayResult } from "../../core/replay";
import { replayIfEvmBlock } from "../../core/evm/replayEvm";
import type { Pause } from "../../core/evm/engine";
import type { L2State } from "../../core/state";
import type { RecoveryWorker } from "../recoveryWorker";

export interface PostedBatch {
  bodies: Buffer[];
  /** The batch's queue count: its last commitment must end there. */
  queueLimit?: bigint;
  /** Final on L1: check only the last commitment's state root. */
  final: boolean;
}

export interface ReplayParams {
  chainId: bigint;
  queueEntry(index: bigint): QueueEntry | undefined;
  /**
   * Called after each commitment that replays, the state at its post-state (a replica's history
   * keeps each block's changes), saying whether the replay computed its root.
   */
  afterCommitment?(rootComputed: boolean): void;
  /**
   * Experimental EVM mode: EVM blocks run in the engine, numbered from `firstBlock` (the next
   * L2 block's number), which each must carry (core/evm/replayEvm.ts).
   */
  evm?: { firstBlock: number; pause?: Pause };
}

type Ahead = Map<SignedOp, { nonce: bigint; signer: string }>;

export class BatchReplayer {
  constructor(private readonly recovery: RecoveryWorker | null) {}

  /** Replays one batch's `bodies` in order on `state`, stopping at the first whose verdict is not ok. */
  async replay(state: L2State, bodies: Buffer[], params: ReplayParams & Omit<PostedBatch, "bodies">): Promise<ReplayResult[]> {
    return (await this.replayBatches(state, [{ bodies, queueLimit: params.queueLimit, final: params.final }], params))[0];
  }

  /** Replays `batches` in order; stops at the first commitment whose verdict is not ok (its batch's results end there, later batches get none). */
  async replayBatches(state: L2State, batches: PostedBatch[], params: ReplayParams): Promise<ReplayResult[][]> {
    const decoded = batches.map((b) => b.bodies.map(decodeOrNull));
    const ahead = this.recovery ? this.recoverAhead(state, decoded.flat(), params.chainId) : null;
    const out: ReplayResult[][] = [];
    let k = 0;
    let height = params.evm?.firstBlock ?? 0;
    for (let bi = 0; bi < batches.length; bi++) {
      const batch = batches[bi];
      const results: ReplayResult[] = [];
      out.push(results);
      for (let i = 0; i < batch.bodies.length; i++, k++) {
        const last = i === batch.bodies.length - 1;
        const checkStateRoot = !batch.final || last;
        const position = batch.queueLimit === undefined ? undefined : { queueLimit: batch.queueLimit, lastInBatch: last };
        const evm = params.evm ? await replayIfEvmBlock(state, batch.bodies[i], { chainId: params.chainId, position, expectedNumber: height, pause: params.evm.pause }) : null;
        const r = evm ?? replayCommitment(state, batch.bodies[i], {
          chainId: params.chainId,
          queueEntry: params.queueEntry,
          position: batch.queueLimit === undefined ? undefined : { queueLimit: batch.queueLimit, lastInBatch: last },
          decoded: decoded[bi][i] ?? undefined,
          ahead: ahead ? await ahead[k] : undefined,
          checkStateRoot,
        });
        results.push(r);
        if (!r.verdict.ok) return out;
        // An empty run is as many blocks as it counts, each with the state as it stands.
        for (let b = 0; b < (r.emptyRun?.blocks ?? 1); b++) params.afterCommitment?.(checkStateRoot || evm !== null);
        height += r.emptyRun?.blocks ?? 1;
      }
    }
    return out;
  }

  /**
   * One recovery message per commitment, each sent as soon as its signatures are predicted, so
   * the worker starts on the first while this thread predicts the rest.
   */
  private recoverAhead(state: L2State, commitments: Array<Commitment | null>, chainId: bigint): Array<Promise<Ahead>> {
    const nonces = new Map<number, bigint>(); // nonces run on across commitments and batches
    return commitments.map((c) => {
      const items = c ? signaturesAhead(state, c, chainId, nonces) : [];
      return this.recovery!.recoverAll(items).then((answers) => {
        const map: Ahead = new Map();
        items.forEach((it, n) => {
          const signer = answers[n].from;
          if (signer) map.set(it.op, { nonce: it.nonce, signer });
        });
        return map;
      });
    });
  }
}

function decodeOrNull(body: Buffer): Commitment | null {
  try {
    return decodeCommitment(body);
  } catch {
    return null; // replayCommitment reports it as malformed
  }
}
