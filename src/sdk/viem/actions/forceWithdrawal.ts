/** forceWithdrawal (viem): a withdrawal queued on L1, which the sequencer cannot leave out. */
import { zeroAddress, type Account, type Address, type Chain, type Client, type Hash, type Transport, type WriteContractErrorType } from "viem";
import type { SignerRequiredError } from "../../errors";
import { Bridge__factory } from "../../internal/contracts";
import type { CairnAddresses } from "../../types";
import { senderOf, write } from "../internal";

export interface ForceWithdrawalParameters {
  /** Where the Bridge is (`cairnL1Actions(addresses)` fills it in). */
  addresses: Pick<CairnAddresses, "bridge">;
  /** Wei, or the token's smallest unit. */
  amount: bigint;
  /** The L1 token whose bridged L2 token to withdraw (default: ETH). */
  l1Token?: Address;
  /** The sending account, whose own L2 funds are withdrawn (default: the client's). */
  account?: Account | Address;
}
/** The L1 transaction. */
export type ForceWithdrawalReturnType = Hash;
export type ForceWithdrawalErrorType = SignerRequiredError | WriteContractErrorType;

/**
 * Queues a withdrawal of the sending account's own L2 funds on L1 (`Bridge.forceWithdrawal`):
 * the way out when the sequencer ignores your L2 transactions. Once the L2 has applied it, the
 * withdrawal has an id and a proof (`getWithdrawalProof`) like any other.
 *
 * @param client - an L1 wallet client
 * @param parameters - {@link ForceWithdrawalParameters}
 * @returns the L1 transaction hash. {@link ForceWithdrawalReturnType}
 * @throws {@link SignerRequiredError} when neither the parameters nor the client name an account.
 *
 * @example
 * import { createWalletClient, http, parseEther, type Hex } from "viem";
 * import { privateKeyToAccount } from "viem/accounts";
 * import { readDevnetInfo } from "cairn";
 * import { forceWithdrawal } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = createWalletClient({ account: privateKeyToAccount(devnet.accounts[0].privateKey as Hex), transport: http(devnet.l1.rpcUrl) });
 *
 * console.log(`queued in ${await forceWithdrawal(l1, { addresses: devnet.contracts, amount: parseEther("1") })}`);
 */
export async function forceWithdrawal<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  parameters: ForceWithdrawalParameters,
): Promise<ForceWithdrawalReturnType> {
  return write(client, {
    address: parameters.addresses.bridge,
    abi: Bridge__factory.abi,
    functionName: "forceWithdrawal",
    args: [parameters.l1Token ?? zeroAddress, parameters.amount],
    account: senderOf(client, parameters.account, "forceWithdrawal"),
  });
}
