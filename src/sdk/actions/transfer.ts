/** transfer: ETH or a bridged token from one L2 account to another. */
import { Contract, type ContractTransactionResponse, type EthersError, type Signer } from "ethers";
import { l2TokenAddress } from "../../core/hashing";

export interface TransferParameters {
  to: string;
  /** Wei, or the token's smallest unit. */
  amount: bigint;
  /** The L1 token whose bridged L2 token to send (default: ETH). */
  l1Token?: string;
}
export interface TransferReturnType {
  l2Tx: string;
  /** The L2 block that included it. */
  l2Block: number;
}
export type TransferErrorType = EthersError;

const L2_TOKEN = ["function transfer(address to, uint256 amount) returns (bool)"];

/**
 * Sends `amount` of ETH, or of `l1Token`'s bridged token, to `to` on L2 and waits for the block
 * that includes it. A token moves by a call to `transfer` on its L2 address, as on any chain —
 * which is why ethers, viem and wallets need nothing Cairn-specific for it.
 *
 * @param l2Signer - the sender, connected to a Cairn node
 * @param parameters - {@link TransferParameters}
 * @returns the L2 transaction and its block. {@link TransferReturnType}
 *
 * @example
 * import { JsonRpcProvider, Wallet, parseEther } from "ethers";
 * import { readDevnetInfo, transfer } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = new JsonRpcProvider(devnet.l2.rpcUrl);
 * const l2Signer = new Wallet(devnet.accounts[0].privateKey, l2);
 *
 * const friend = Wallet.createRandom().address;
 * await transfer(l2Signer, { to: friend, amount: parseEther("0.1") });
 * const { l2Block } = await transfer(l2Signer, { to: friend, amount: parseEther("5"), l1Token: devnet.testToken.l1 });
 * console.log(`${friend} holds ${await l2.getBalance(friend)} wei and 5 ${devnet.testToken.symbol} since L2 block ${l2Block}`);
 */
export async function transfer(l2Signer: Signer, parameters: TransferParameters): Promise<TransferReturnType> {
  const { to, amount, l1Token } = parameters;
  const tx = l1Token
    ? ((await new Contract(l2TokenAddress(l1Token), L2_TOKEN, l2Signer).transfer(to, amount)) as ContractTransactionResponse)
    : await l2Signer.sendTransaction({ to, value: amount });
  const receipt = (await tx.wait())!;
  return { l2Tx: receipt.hash, l2Block: receipt.blockNumber };
}
