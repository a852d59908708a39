/**
 * The L1 blob base fee, as `eth_blobBaseFee` answers it. Asked of the node rather than derived
 * from a block's `excessBlobGas`: the update fraction behind that formula changes with every
 * blob-parameter fork, and the node knows which one it is on.
 */
import type { Provider } from "ethers";
import { CairnError } from "../../core/errors";

/** The L1 provider cannot be asked a raw JSON-RPC method. */
export class BlobFeeUnavailableError extends CairnError {
  override readonly name = "BlobFeeUnavailableError";
  readonly code = "BLOB_FEE_UNAVAILABLE";
  constructor(details: string, options: { cause?: unknown } = {}) {
    super("cannot read the L1 blob base fee", { details, cause: options.cause });
  }
}

type RawProvider = Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };

/** The blob base fee of L1's next block, in wei. */
export async function l1BlobBaseFee(provider: Provider): Promise<bigint> {
  const raw = provider as RawProvider;
  if (typeof raw.send !== "function") throw new BlobFeeUnavailableError("the provider has no send()");
  const answer = await raw.send("eth_blobBaseFee", []);
  if (typeof answer !== "string" || !/^0x[0-9a-fA-F]+$/.test(answer)) throw new BlobFeeUnavailableError(`eth_blobBaseFee answered ${JSON.stringify(answer)}`);
  return BigInt(answer);
}
