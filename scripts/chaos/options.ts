/**
 * How big a chaos run is. Everything scales from two numbers — its length in seconds and a seed —
 * so `npm run chaos` (minutes) and the slice in `npm test` (seconds) run the same attacks, only
 * shorter and with a smaller queue flood.
 */
import { FALLBACK_QUEUE_PER_BATCH } from "../../src/node/challenger/fallbackProposer";

export interface ChaosOptions {
  /** Wall-clock seconds of honest traffic under attack (setup and the final checks come on top). */
  seconds: number;
  seed: number;
  /** Honest L2 senders, each sending its next transaction as soon as the last was acknowledged. */
  senders: number;
  /** Forced withdrawals the QueueFlooder queues while the sequencer is silent. */
  floodEntries: number;
  /** Milliseconds the submitter's batch transactions are dropped from the L1 mempool. */
  dropMs: number;
  /** Milliseconds the sequencer's L1 provider fails every request. */
  outageMs: number;
  /**
   * The sequencer's backpressure age limit. The run compresses L1 time (an inclusion window
   * passes in one evm_increaseTime), so the wall-clock default — a quarter of the sequencer
   * timeout, 450 s on the devnet — is scaled down with it, or it could never engage.
   */
  maxBacklogAgeMs: number;
  /**
   * Whether the Sybil filter clients also fill the node's global budget of filter criteria (1,000-
   * address filters: ~46 MB of requests, ~10 s here) or only its global count of filters.
   */
  sybilCriteria: boolean;
  /** Seconds the run may wait for the sequencer to post what it holds before calling posting stopped. */
  drainSeconds: number;
  /** Progress lines on stderr. */
  log: (line: string) => void;
}

export const DEFAULT_SECONDS = 150;
export const DEFAULT_SEED = 1;

/** A run of `seconds` with seed `seed`; every other figure follows from them. */
export function sizedOptions(seconds: number, seed: number, log: (line: string) => void = () => {}): ChaosOptions {
  if (!Number.isFinite(seconds) || seconds < 10) throw new Error(`a chaos run needs at least 10 seconds, not ${seconds}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`the seed must be an integer, not ${seed}`);
  return {
    seconds,
    seed,
    senders: seconds >= 60 ? 6 : 4,
    // Long runs flood past one fallback batch (8,192 entries), so it takes batch after batch.
    floodEntries: seconds >= 60 ? Number(FALLBACK_QUEUE_PER_BATCH) + 1_200 : 800,
    dropMs: Math.round(seconds * 1000 * 0.15),
    outageMs: Math.round(seconds * 1000 * 0.2),
    maxBacklogAgeMs: Math.max(2_000, Math.round(seconds * 1000 * 0.05)),
    sybilCriteria: seconds >= 60,
    drainSeconds: Math.max(15, Math.round(seconds / 2)),
    log,
  };
}

/**
 * Options from the command line (`--seconds 150 --seed 7`) or the environment (`CHAOS_SECONDS`,
 * `CHAOS_SEED`): `hardhat run` passes no arguments, so both are honoured; flags win.
 */
export function optionsFrom(argv: readonly string[], env: NodeJS.ProcessEnv, log: (line: string) => void): ChaosOptions {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const seconds = Number(flag("seconds") ?? env.CHAOS_SECONDS ?? DEFAULT_SECONDS);
  const seed = Number(flag("seed") ?? env.CHAOS_SEED ?? DEFAULT_SEED);
  return sizedOptions(seconds, seed, log);
}
