/** The SDK's typed error, in a file of its own so that the viem actions throw it without loading ethers. */
import { CairnError } from "../core/errors";

/** A wait gave up, or the node does not know what was asked, or a proof is not ready for L1. */
export class CairnClientError extends CairnError {
  readonly code: string = "CLIENT";
  override readonly name = "CairnClientError";
}

/** A withdrawal asked to be finalized before its L2 block is in a batch posted on L1. */
export function notPostedYet(id: bigint): CairnClientError {
  return new CairnClientError(`withdrawal ${id} is not in a posted batch yet`);
}
