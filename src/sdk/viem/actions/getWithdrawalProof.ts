/** getWithdrawalProof (viem): what `Bridge.finalizeWithdrawal` needs, from the L2 node. */
import { RpcError, type BaseError, type Chain, type Client, type Hash, type Transport } from "viem";
import type { WithdrawalProofResponse } from "../../../chain/api";
import { UnknownWithdrawalError } from "../../errors";
import { describeRef, toWithdrawalProof, withdrawalProofParam } from "../../internal/l2Rpc";
import type { WithdrawalProof } from "../../types";
import { cairnRequest } from "../internal";

/** The withdrawal by id, or by the L2 transaction that made it (forced withdrawals have none). */
export type GetWithdrawalProofParameters = { id: bigint } | { hash: Hash };
export type GetWithdrawalProofReturnType = WithdrawalProof;
export type GetWithdrawalProofErrorType = UnknownWithdrawalError | BaseError;

/**
 * Asks the L2 node (`rollup_getWithdrawalProof`) for a withdrawal as L1 takes it, and — once its
 * block is in a posted batch — the batch index and the Merkle proof against the batch's
 * withdrawal root (null before). Pass the result to `finalizeWithdrawal` once the batch is final.
 *
 * @param client - a client connected to a Cairn node
 * @param parameters - `{ id }` or `{ hash }` ({@link GetWithdrawalProofParameters})
 * @returns {@link GetWithdrawalProofReturnType}
 * @throws {@link UnknownWithdrawalError} when the node answers that no L2 block made it.
 *
 * @example
 * import { createPublicClient, http } from "viem";
 * import { readDevnetInfo } from "cairn";
 * import { getWithdrawalProof } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = createPublicClient({ transport: http(devnet.l2.rpcUrl) });
 *
 * const proof = await getWithdrawalProof(l2, { id: 0n });
 * console.log(proof.batchIndex === null ? "not posted yet" : `in batch ${proof.batchIndex}`);
 */
export async function getWithdrawalProof<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  parameters: GetWithdrawalProofParameters,
): Promise<GetWithdrawalProofReturnType> {
  try {
    return toWithdrawalProof(await cairnRequest<WithdrawalProofResponse>(client, "rollup_getWithdrawalProof", [withdrawalProofParam(parameters)]));
  } catch (e) {
    // The node's error answer, as against a failure to reach it (viem's HttpRequestError, TimeoutError).
    if (!(e instanceof RpcError)) throw e;
    throw new UnknownWithdrawalError(describeRef(parameters), { cause: e });
  }
}
