/** getWithdrawalProof: what `Bridge.finalizeWithdrawal` needs, from the L2 node. */
import { isError, type EthersError } from "ethers";
import type { WithdrawalProofResponse } from "../../chain/api";
import { UnknownWithdrawalError } from "../errors";
import { describeRef, toWithdrawalProof, withdrawalProofParam } from "../internal/l2Rpc";
import type { CairnConnection, WithdrawalProof, WithdrawalRef } from "../types";

export type GetWithdrawalProofParameters = WithdrawalRef;
export type GetWithdrawalProofReturnType = WithdrawalProof;
export type GetWithdrawalProofErrorType = UnknownWithdrawalError | EthersError;

/**
 * Asks the L2 node (`rollup_getWithdrawalProof`) for a withdrawal — by id, or by the L2
 * transaction that made it — as L1 takes it, and, once its block is in a posted batch, that
 * batch's index and the Merkle proof against the batch's withdrawal root. Before then
 * `batchIndex` and `proof` are null. The proof holds whether or not the batch is final yet.
 *
 * @param cairn - the L2 ({@link CairnConnection})
 * @param parameters - `{ id }` or `{ hash }` ({@link GetWithdrawalProofParameters})
 * @returns {@link GetWithdrawalProofReturnType}
 * @throws {@link UnknownWithdrawalError} when no L2 block made that withdrawal.
 *
 * @example
 * import { JsonRpcProvider } from "ethers";
 * import { getWithdrawalProof, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = new JsonRpcProvider(devnet.l2.rpcUrl);
 *
 * const { withdrawal, batchIndex, proof } = await getWithdrawalProof({ l2 }, { id: 0n });
 * console.log(`${withdrawal.amount} wei to ${withdrawal.l1Recipient}: ${batchIndex === null ? "not posted yet" : `batch ${batchIndex}, ${proof!.length} proof hashes`}`);
 */
export async function getWithdrawalProof(cairn: Pick<CairnConnection, "l2">, parameters: GetWithdrawalProofParameters): Promise<GetWithdrawalProofReturnType> {
  try {
    return toWithdrawalProof((await cairn.l2.send("rollup_getWithdrawalProof", [withdrawalProofParam(parameters)])) as WithdrawalProofResponse);
  } catch (e) {
    if (!isRpcErrorAnswer(e)) throw e;
    throw new UnknownWithdrawalError(describeRef(parameters), { cause: e });
  }
}

/** Whether `e` is the node's JSON-RPC error answer (ethers gives one it has no name for as UNKNOWN_ERROR), not a failure to reach it. */
function isRpcErrorAnswer(e: unknown): boolean {
  return isError(e, "UNKNOWN_ERROR") && typeof (e.error as { code?: unknown } | undefined)?.code === "number";
}
