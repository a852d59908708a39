/** withdraw (viem): ETH or a bridged token from L2 back to L1, through the withdrawal predeploy. */
import { parseAbi, zeroAddress, type Account, type Address, type Chain, type Client, type Hash, type Transport, type WriteContractErrorType } from "viem";
import { WITHDRAWAL_PREDEPLOY } from "../../../core/constants";
import { l2TokenAddress } from "../../../core/hashing";
import type { SignerRequiredError } from "../../errors";
import { addressOf, senderOf, write } from "../internal";

export interface WithdrawParameters {
  /** Wei, or the token's smallest unit. */
  amount: bigint;
  /** Who is paid on L1 (default: the sending account). */
  l1Recipient?: Address;
  /** The L1 token whose bridged L2 token to withdraw (default: ETH). */
  l1Token?: Address;
  /** The sending account (default: the client's). */
  account?: Account | Address;
}
/** The L2 transaction: `getWithdrawalProof(l2, { hash })` finds the withdrawal by it. */
export type WithdrawReturnType = Hash;
export type WithdrawErrorType = SignerRequiredError | WriteContractErrorType;

const withdrawalAbi = parseAbi(["function withdraw(address l1Recipient, address token, uint256 amount)"]);

/**
 * Withdraws `amount` from the sending account on L2 to `l1Recipient` on L1, by a call to the
 * withdrawal predeploy. Once its block is in a batch that has become final, `finalizeWithdrawal`
 * on L1 pays it.
 *
 * @param client - an L2 wallet client
 * @param parameters - {@link WithdrawParameters}
 * @returns the L2 transaction hash. {@link WithdrawReturnType}
 * @throws {@link SignerRequiredError} when neither the parameters nor the client name an account.
 *
 * @example
 * import { createPublicClient, createWalletClient, http, parseEther, type Hex } from "viem";
 * import { privateKeyToAccount } from "viem/accounts";
 * import { readDevnetInfo } from "cairn";
 * import { getWithdrawalProof, withdraw } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2Wallet = createWalletClient({ account: privateKeyToAccount(devnet.accounts[0].privateKey as Hex), transport: http(devnet.l2.rpcUrl) });
 * const l2 = createPublicClient({ transport: http(devnet.l2.rpcUrl) });
 *
 * const hash = await withdraw(l2Wallet, { amount: parseEther("0.5") });
 * await l2.waitForTransactionReceipt({ hash });
 * console.log(`withdrawal ${(await getWithdrawalProof(l2, { hash })).withdrawal.id} is on its way`);
 */
export async function withdraw<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  parameters: WithdrawParameters,
): Promise<WithdrawReturnType> {
  const account = senderOf(client, parameters.account, "withdraw");
  const token = parameters.l1Token ? l2TokenAddress(parameters.l1Token) : zeroAddress;
  return write(client, {
    address: WITHDRAWAL_PREDEPLOY,
    abi: withdrawalAbi,
    functionName: "withdraw",
    args: [parameters.l1Recipient ?? addressOf(account), token, parameters.amount],
    account,
  });
}
