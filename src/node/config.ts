/** Defaults of a sequencer node, shared by the devnet, scripts and tests. */
import type { SequencerNodeConfig } from "./sequencer/sequencerNode";

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
