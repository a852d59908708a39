/** finalizeWithdrawal: the L1 payout of a withdrawal whose batch is final. */
import type { EthersError, TransactionReceipt } from "ethers";
import { WithdrawalNotPostedError, type SignerRequiredError, type UnknownWithdrawalError } from "../errors";
import { bridgeOf, l1SignerOf } from "../internal/contracts";
import { getWithdrawalProof } from "./getWithdrawalProof";
import type { CairnConnection, WithdrawalProof } from "../types";

/** The withdrawal by id (its proof fetched from the L2 node), or with a proof already in hand. */
export type FinalizeWithdrawalParameters = { id: bigint } | { proof: WithdrawalProof };
export type FinalizeWithdrawalReturnType = TransactionReceipt;
export type FinalizeWithdrawalErrorType = SignerRequiredError | UnknownWithdrawalError | WithdrawalNotPostedError | EthersError;

/**
 * Pays a withdrawal out on L1: `Bridge.finalizeWithdrawal` with the withdrawal, its batch and
 * the proof against the batch's withdrawal root. The batch must be final — check with
 * `getWithdrawalStatus` (`ready`) first, or the Bridge reverts; anyone may send it, the payout
 * goes to the withdrawal's L1 recipient all the same.
 *
 * @param cairn - an L1 signer, the L2 and the contracts ({@link CairnConnection})
 * @param parameters - `{ id }` or `{ proof }` ({@link FinalizeWithdrawalParameters})
 * @returns the L1 receipt. {@link FinalizeWithdrawalReturnType}
 * @throws {@link WithdrawalNotPostedError} when the withdrawal's block is not in a posted batch yet.
 *
 * @example
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { finalizeWithdrawal, getWithdrawalStatus, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = new Wallet(devnet.accounts[0].privateKey, new JsonRpcProvider(devnet.l1.rpcUrl));
 * const cairn = { l1, l2: new JsonRpcProvider(devnet.l2.rpcUrl), addresses: devnet.contracts };
 *
 * if ((await getWithdrawalStatus(cairn, { id: 0n })).state === "ready") {
 *   const receipt = await finalizeWithdrawal(cairn, { id: 0n });
 *   console.log(`paid out in L1 block ${receipt.blockNumber}`);
 * }
 */
export async function finalizeWithdrawal(cairn: CairnConnection, parameters: FinalizeWithdrawalParameters): Promise<FinalizeWithdrawalReturnType> {
  const signer = l1SignerOf(cairn, "finalizeWithdrawal");
  const p = "proof" in parameters ? parameters.proof : await getWithdrawalProof(cairn, { id: parameters.id });
  if (p.batchIndex === null || !p.proof) throw new WithdrawalNotPostedError(p.withdrawal.id);
  const tx = await bridgeOf({ ...cairn, l1: signer }).finalizeWithdrawal(p.withdrawal, p.batchIndex, p.proof);
  return (await tx.wait())!;
}
