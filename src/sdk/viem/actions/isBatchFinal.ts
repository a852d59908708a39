/** isBatchFinal (viem): whether a batch has outlived its challenge window. */
import { readContract } from "viem/actions";
import type { Address, Chain, Client, ReadContractErrorType, Transport } from "viem";
import { Rollup__factory } from "../../internal/contracts";
import type { CairnAddresses } from "../../types";

export interface IsBatchFinalParameters {
  /** Where the Rollup is (`cairnL1Actions(addresses)` fills it in). */
  addresses: Pick<CairnAddresses, "rollup">;
  index: bigint;
}
export type IsBatchFinalReturnType = boolean;
export type IsBatchFinalErrorType = ReadContractErrorType;

/**
 * `Rollup.isFinal(index)` at L1's latest block: true once the batch's challenge window has passed
 * on L1's clock without a fraud proof — from then on its withdrawals can be finalized.
 *
 * @param client - an L1 client
 * @param parameters - {@link IsBatchFinalParameters}
 * @returns {@link IsBatchFinalReturnType}
 *
 * @example
 * import { createPublicClient, http } from "viem";
 * import { readDevnetInfo } from "cairn";
 * import { isBatchFinal } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = createPublicClient({ transport: http(devnet.l1.rpcUrl) });
 *
 * console.log(`batch 0 is ${(await isBatchFinal(l1, { addresses: devnet.contracts, index: 0n })) ? "final" : "still challengeable"}`);
 */
export function isBatchFinal<chain extends Chain | undefined>(client: Client<Transport, chain>, parameters: IsBatchFinalParameters): Promise<IsBatchFinalReturnType> {
  return readContract(client, { address: parameters.addresses.rollup as Address, abi: Rollup__factory.abi, functionName: "isFinal", args: [parameters.index] });
}
