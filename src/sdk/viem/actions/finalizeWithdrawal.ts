/** finalizeWithdrawal (viem): the L1 payout of a withdrawal whose batch is final. */
import type { Account, Address, Chain, Client, Hash, Transport, WriteContractErrorType } from "viem";
import { WithdrawalNotPostedError, type SignerRequiredError } from "../../errors";
import { Bridge__factory } from "../../internal/contracts";
import type { CairnAddresses, WithdrawalProof } from "../../types";
import { senderOf, write } from "../internal";

export interface FinalizeWithdrawalParameters {
  /** Where the Bridge is (`cairnL1Actions(addresses)` fills it in). */
  addresses: Pick<CairnAddresses, "bridge">;
  /** From `getWithdrawalProof`, once the batch holding the withdrawal is posted. */
  proof: WithdrawalProof;
  /** The sending account (default: the client's); the payout goes to the withdrawal's recipient whoever sends. */
  account?: Account | Address;
}
/** The L1 transaction. */
export type FinalizeWithdrawalReturnType = Hash;
export type FinalizeWithdrawalErrorType = WithdrawalNotPostedError | SignerRequiredError | WriteContractErrorType;

/**
 * Pays a withdrawal out on L1: `Bridge.finalizeWithdrawal` with the withdrawal, its batch and the
 * proof. The batch must be final (`isBatchFinal`), or the Bridge reverts.
 *
 * @param client - an L1 wallet client
 * @param parameters - {@link FinalizeWithdrawalParameters}
 * @returns the L1 transaction hash. {@link FinalizeWithdrawalReturnType}
 * @throws {@link WithdrawalNotPostedError} (a rejection) when the proof has no batch yet.
 *
 * @example
 * import { createPublicClient, createWalletClient, http, type Hex } from "viem";
 * import { privateKeyToAccount } from "viem/accounts";
 * import { readDevnetInfo } from "cairn";
 * import { finalizeWithdrawal, getWithdrawalProof, isBatchFinal } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = createWalletClient({ account: privateKeyToAccount(devnet.accounts[0].privateKey as Hex), transport: http(devnet.l1.rpcUrl) });
 * const l1Reader = createPublicClient({ transport: http(devnet.l1.rpcUrl) });
 * const l2 = createPublicClient({ transport: http(devnet.l2.rpcUrl) });
 *
 * const proof = await getWithdrawalProof(l2, { id: 0n });
 * if (proof.batchIndex !== null && (await isBatchFinal(l1Reader, { addresses: devnet.contracts, index: proof.batchIndex }))) {
 *   const hash = await finalizeWithdrawal(l1, { addresses: devnet.contracts, proof });
 *   console.log(`paid out: ${(await l1Reader.waitForTransactionReceipt({ hash })).status}`);
 * }
 */
export async function finalizeWithdrawal<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  parameters: FinalizeWithdrawalParameters,
): Promise<FinalizeWithdrawalReturnType> {
  const { proof } = parameters;
  if (proof.batchIndex === null || !proof.proof) throw new WithdrawalNotPostedError(proof.withdrawal.id);
  return write(client, {
    address: parameters.addresses.bridge,
    abi: Bridge__factory.abi,
    functionName: "finalizeWithdrawal",
    args: [proof.withdrawal, proof.batchIndex, proof.proof],
    account: senderOf(client, parameters.account, "finalizeWithdrawal"),
  });
}
