/** What a sequencer node is configured with, and the defaults the devnet, scripts and tests share. */
import type { L1NodeConfig } from "./l1/contracts";
import type { L1TxManagerOptions } from "./l1/txManager";
import type { WrapBatchPort } from "./sequencer/batchPort";
import type { BatchDataMode } from "./sequencer/batchData";
import type { Serve } from "../chain/backend";
import type { Logger } from "../shared/logger";

export interface SequencerNodeConfig extends L1NodeConfig {
  /** The lowest base fee (wei per gas): what L2 execution costs whatever L1 does. */
  baseFee: bigint;
  /**
   * L1 gas charged per byte a block posts, at L1's base fee, through the L2 base fee (see
   * sequencer/baseFee.ts): 40, EIP-7623's floor for a non-zero byte. 0 keeps the base fee at
   * `baseFee`, for tests that sign with a fixed price.
   */
  l1GasPerByte: bigint;
  feeRecipient: string;
  blockTimeMs: number;
  /** Seal an empty block after this long without one (0: never); see Sequencer. */
  emptyBlockMs: number;
  /** Post blocks that are all empty once the oldest is this old (default: 30 s, or half the backlog age limit if less). */
  maxIdleBatchAgeMs?: number;
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
  /**
   * How batches travel (`--batch-data`): calldata (the default), blobs, or per batch whichever
   * costs less at L1's base fee and blob base fee (sequencer/batchData.ts). Blobs need a signer
   * with a key (L1 nodes' own accounts cannot sign blob transactions).
   */
  batchData?: BatchDataMode;
  /**
   * `--experimental-evm`: contract creation and calls run in the engine, each in a block of its
   * own (docs/design/evm.md, *Tracer bullet*); refused unless L1 is local, and with a `dataDir`
   * (contract state is not stored yet: nothing is kept across a restart in this mode).
   */
  experimentalEvm?: boolean;
}


/** The base fee's floor (0.01 gwei): L2 execution's price; L1 data comes on top (l1GasPerByte). */
export const DEFAULT_BASE_FEE = 10_000_000n;
/** EIP-7623's calldata floor for a non-zero byte: what a posted byte costs at most in L1 gas. */
export const L1_GAS_PER_POSTED_BYTE = 40n;

export const SEQUENCER_DEFAULTS = {
  confirmations: 0,
  baseFee: DEFAULT_BASE_FEE,
  l1GasPerByte: L1_GAS_PER_POSTED_BYTE,
  blockTimeMs: 100,
  // An idle chain moves once a second: block listeners and receipt polling see what they expect,
  // for nine bytes of L1 calldata per L1 block (a run per L2 timestamp, which is L1's).
  emptyBlockMs: 1_000,
  l1PollMs: 250,
  // ~100 kB of calldata is ~4M gas at the Osaka floor: far under the 16,777,216 per-tx cap.
  maxBatchBytes: 100_000,
  maxBatchAgeMs: 2_000,
  autoBond: true,
} satisfies Partial<SequencerNodeConfig>;
