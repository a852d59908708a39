/** depositERC20 (viem): an L1 ERC-20 into Cairn. */
import type { Account, Address, Chain, Client, Hash, Transport, WriteContractErrorType } from "viem";
import type { SignerRequiredError } from "../../errors";
import { Bridge__factory } from "../../internal/contracts";
import type { CairnAddresses } from "../../types";
import { addressOf, senderOf, write } from "../internal";

export interface DepositERC20Parameters {
  /** Where the Bridge is (`cairnL1Actions(addresses)` fills it in). */
  addresses: Pick<CairnAddresses, "bridge">;
  /** The L1 token; its first deposit registers it through the queue. */
  l1Token: Address;
  /** In the token's smallest unit. The Bridge must be approved for it. */
  amount: bigint;
  /** Who is credited on L2 (default: the sending account). */
  l2Recipient?: Address;
  /** The sending account (default: the client's). */
  account?: Account | Address;
}
/** The L1 transaction. */
export type DepositERC20ReturnType = Hash;
export type DepositERC20ErrorType = SignerRequiredError | WriteContractErrorType;

/**
 * Deposits `amount` of `l1Token` for `l2Recipient`. Unlike the ethers action it does not approve
 * the Bridge: with viem that is one `writeContract` of the token's `approve`, which the caller
 * may batch, sponsor or skip.
 *
 * @param client - an L1 wallet client
 * @param parameters - {@link DepositERC20Parameters}
 * @returns the L1 transaction hash. {@link DepositERC20ReturnType}
 * @throws {@link SignerRequiredError} when neither the parameters nor the client name an account.
 *
 * @example
 * import { createPublicClient, createWalletClient, erc20Abi, http, parseUnits, type Address, type Hex } from "viem";
 * import { privateKeyToAccount } from "viem/accounts";
 * import { readDevnetInfo } from "cairn";
 * import { depositERC20 } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = createWalletClient({ account: privateKeyToAccount(devnet.accounts[0].privateKey as Hex), transport: http(devnet.l1.rpcUrl) });
 * const reader = createPublicClient({ transport: http(devnet.l1.rpcUrl) });
 * const token = devnet.testToken.l1 as Address;
 * const amount = parseUnits("25", devnet.testToken.decimals);
 *
 * await reader.waitForTransactionReceipt({ hash: await l1.writeContract({ chain: null, address: token, abi: erc20Abi, functionName: "approve", args: [devnet.contracts.bridge as Address, amount] }) });
 * await reader.waitForTransactionReceipt({ hash: await depositERC20(l1, { addresses: devnet.contracts, l1Token: token, amount }) });
 */
export async function depositERC20<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  parameters: DepositERC20Parameters,
): Promise<DepositERC20ReturnType> {
  const account = senderOf(client, parameters.account, "depositERC20");
  return write(client, {
    address: parameters.addresses.bridge,
    abi: Bridge__factory.abi,
    functionName: "depositERC20",
    args: [parameters.l1Token, parameters.l2Recipient ?? addressOf(account), parameters.amount],
    account,
  });
}
