import { CairnError } from "../../core/errors";

/** L1's batches skip an index: an event the replica should have read is missing. */
export class MissingBatchError extends CairnError {
  override readonly name = "MissingBatchError";
  readonly code = "MISSING_BATCH";
  constructor(
    readonly expected: number,
    readonly next: number,
  ) {
    super(`replica missing batch ${expected}`, { details: `the next batch read from L1 is ${next}` });
  }
}
