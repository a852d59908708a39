/** depositETH (viem): ETH from L1 into Cairn. */
import type { Account, Address, Chain, Client, Hash, Transport, WriteContractErrorType } from "viem";
import type { SignerRequiredError } from "../../errors";
import { Bridge__factory } from "../../internal/contracts";
import type { CairnAddresses } from "../../types";
import { addressOf, senderOf, write } from "../internal";

export interface DepositETHParameters {
  /** Where the Bridge is (`cairnL1Actions(addresses)` fills it in). */
  addresses: Pick<CairnAddresses, "bridge">;
  /** Wei to deposit. */
  amount: bigint;
  /** Who is credited on L2 (default: the sending account). */
  l2Recipient?: Address;
  /** The sending account (default: the client's). */
  account?: Account | Address;
}
/** The L1 transaction. */
export type DepositETHReturnType = Hash;
export type DepositETHErrorType = SignerRequiredError | WriteContractErrorType;

/**
 * Deposits `amount` wei into the Bridge for `l2Recipient`: an entry in the L1 → L2 queue, credited
 * on L2 when the sequencer applies it (`getRollupStatus(l2).queueConsumed` passes its index).
 *
 * @param client - an L1 wallet client
 * @param parameters - {@link DepositETHParameters}
 * @returns the L1 transaction hash. {@link DepositETHReturnType}
 * @throws {@link SignerRequiredError} when neither the parameters nor the client name an account.
 *
 * @example
 * import { createPublicClient, createWalletClient, http, parseEther, type Hex } from "viem";
 * import { privateKeyToAccount } from "viem/accounts";
 * import { readDevnetInfo } from "cairn";
 * import { depositETH } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const account = privateKeyToAccount(devnet.accounts[0].privateKey as Hex);
 * const l1 = createWalletClient({ account, transport: http(devnet.l1.rpcUrl) });
 *
 * const hash = await depositETH(l1, { addresses: devnet.contracts, amount: parseEther("1") });
 * await createPublicClient({ transport: http(devnet.l1.rpcUrl) }).waitForTransactionReceipt({ hash });
 */
export async function depositETH<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  parameters: DepositETHParameters,
): Promise<DepositETHReturnType> {
  const account = senderOf(client, parameters.account, "depositETH");
  return write(client, {
    address: parameters.addresses.bridge,
    abi: Bridge__factory.abi,
    functionName: "depositETH",
    args: [parameters.l2Recipient ?? addressOf(account)],
    value: parameters.amount,
    account,
  });
}
