/**
 * Deployment parameters. Production defaults follow the design brief (7-day challenge window);
 * the devnet uses short ones so a whole deposit → withdrawal round trip takes seconds.
 */
import { parseEther } from "ethers";

export interface RollupParams {
  /** Wei a proposer must post as bond. */
  bondSize: bigint;
  /** Seconds a batch stays challengeable. */
  challengeWindow: number;
  /** Seconds an L1 queue entry may wait before a batch must consume it. */
  inclusionWindow: number;
  /** Seconds of sequencer silence after which any bonded proposer may post. */
  sequencerTimeout: number;
  /** Seconds between a proposer asking for its bond back and getting it. */
  bondWithdrawalDelay: number;
  /** Chain id of the L2. */
  l2ChainId: bigint;
}

export const PRODUCTION_PARAMS: RollupParams = {
  bondSize: parseEther("10"),
  challengeWindow: 7 * 24 * 3600,
  inclusionWindow: 24 * 3600,
  sequencerTimeout: 3 * 24 * 3600,
  bondWithdrawalDelay: 8 * 24 * 3600,
  l2ChainId: 51730n,
};

export const DEVNET_PARAMS: RollupParams = {
  bondSize: parseEther("1"),
  challengeWindow: 60,
  inclusionWindow: 600,
  sequencerTimeout: 1800,
  bondWithdrawalDelay: 120,
  l2ChainId: 51730n,
};

export const PARAM_SETS = { production: PRODUCTION_PARAMS, devnet: DEVNET_PARAMS } as const;

/** The parameter set called `name` ("production" or "devnet"). */
export function paramsNamed(name: string): RollupParams {
  if (name !== "production" && name !== "devnet") throw new Error(`the parameter set must be "production" or "devnet", not "${name}"`);
  return PARAM_SETS[name];
}
