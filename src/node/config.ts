/** What a sequencer node is configured with, and the defaults the devnet, scripts and tests share. */
import type { L1NodeConfig } from "./l1/contracts";
import type { L1TxManagerOptions } from "./l1/txManager";
import type { WrapBatchPort } from "./sequencer/batchPort";
import type { Serve } from "../chain/backend";
import type { Logger } from "../shared/logger";

export interface SequencerNodeConfig extends L1NodeConfig {
  baseFee: bigint;
  feeRecipient: string;
  blockTimeMs: number;
  l1PollMs: number;
  maxBatchBytes: number;
  maxBatchAgeMs: number;
  /** Post the rollup's bond from the L1 signer at start if it is short. */
  autoBond: boolean;
  /** How the node is served to clients once in sync (the JSON-RPC: see app/jsonRpc); none: not served. */
  serve?: Serve;
  logger: Logger;
  /** Wraps the port batches are posted through (the devnet's faulty mode: see faults.ts); none: post as they are. */
  wrapBatchPort?: WrapBatchPort;
  /** Where the node keeps its journal of accepted transactions; none: nothing survives a restart. */
  dataDir?: string;
  /** Recover signatures on a worker thread (default: yes, where native secp256k1 loads). */
  recoveryWorker?: boolean;
  /**
   * Backpressure: refuse new L2 transactions while this many bytes of sealed blocks wait to be
   * posted (default: 32 batches' worth), or while the oldest has waited this long (default: a
   * quarter of the Rollup's sequencer timeout, read from L1 at start). Past the timeout other
   * proposers may post and the rule on overdue queue entries counts from L1's time, so unposted
   * blocks must never get that old; L1 queue entries are still applied meanwhile.
   */
  maxBacklogBytes?: number;
  maxBacklogAgeMs?: number;
  /** How the node's L1 transactions are re-sent and timed out (see L1TxManager). */
  l1Tx?: Omit<L1TxManagerOptions, "logger">;
}


/** One quantized base fee (0.01 gwei): every block quotes it, so fee tuples repeat and compress. */
export const DEFAULT_BASE_FEE = 10_000_000n;

export const SEQUENCER_DEFAULTS = {
  confirmations: 0,
  baseFee: DEFAULT_BASE_FEE,
  blockTimeMs: 100,
  l1PollMs: 250,
  // ~100 kB of calldata is ~4M gas at the Osaka floor: far under the 16,777,216 per-tx cap.
  maxBatchBytes: 100_000,
  maxBatchAgeMs: 2_000,
  autoBond: true,
} satisfies Partial<SequencerNodeConfig>;
