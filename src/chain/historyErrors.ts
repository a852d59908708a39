/** What a state history (history.ts) throws: one place, so its readers need not import the history. */
import { CairnError } from "../core/errors";

/**
 * A proof asked at a block whose tree the history did not keep: one inside a settled batch that
 * a replica replayed at once, computing the tree at the batch's last block only.
 */
export class ProofNotKeptError extends CairnError {
  override readonly name = "ProofNotKeptError";
  readonly code = "PROOF_NOT_KEPT";
  constructor(readonly block: number) {
    super(`no proof is kept at block ${block}: it was replayed inside a settled batch, whose last block has one`);
  }
}

/** The history does not hold what its caller assumes: a bug, reported rather than served. */
export class HistoryInconsistentError extends CairnError {
  override readonly name = "HistoryInconsistentError";
  readonly code = "HISTORY_INCONSISTENT";
  constructor(
    readonly block: number,
    details: string,
  ) {
    super(`the state history is inconsistent at block ${block}`, { details });
  }
}
