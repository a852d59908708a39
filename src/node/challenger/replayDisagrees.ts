import { UnfollowableBatchError } from "../l1/batchReader";

/**
 * The challenger's replay of an authenticated batch disagrees with what L1 recorded of it in a
 * way no fraud proof settles: the batch does not build on the state the challenger holds, or
 * every commitment replays right yet the state does not end where the Rollup says. Judging
 * later batches on that state would be judging them on the wrong thing, so following stops.
 */
export class ReplayDisagreesWithL1Error extends UnfollowableBatchError {
  override readonly code: string = "REPLAY_DISAGREES_WITH_L1";
  override readonly name = "ReplayDisagreesWithL1Error";

  constructor(batchIndex: number, details: string) {
    super(batchIndex, "the challenger's replay of it disagrees with L1", `the replay of batch ${batchIndex} disagrees with L1`, { details });
  }
}
