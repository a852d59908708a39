/** withdraw: ETH or a bridged token from L2 back to L1, through the withdrawal predeploy. */
import { Interface, ZeroAddress, type EthersError, type Signer } from "ethers";
import { WITHDRAWAL_PREDEPLOY } from "../../core/constants";
import { l2TokenAddress } from "../../core/hashing";
import { MissingEventError } from "../errors";

export interface WithdrawParameters {
  /** Wei, or the token's smallest unit. */
  amount: bigint;
  /** Who is paid on L1 (default: the L2 signer's address). */
  l1Recipient?: string;
  /** The L1 token whose bridged L2 token to withdraw (default: ETH). */
  l1Token?: string;
}
export interface WithdrawReturnType {
  l2Tx: string;
  /** The withdrawal's id: what `getWithdrawalStatus`, `waitForWithdrawal` and `finalizeWithdrawal` take. */
  withdrawalId: bigint;
}
export type WithdrawErrorType = MissingEventError | EthersError;

const withdrawalInterface = new Interface([
  "function withdraw(address l1Recipient, address token, uint256 amount)",
  "event WithdrawalInitiated(uint64 indexed id, address indexed l2Sender, address indexed l1Recipient, address l1Token, uint256 amount)",
]);

/**
 * Withdraws `amount` from the signer's L2 account to `l1Recipient` on L1: a call to the
 * withdrawal predeploy (`WITHDRAWAL_PREDEPLOY`), which debits it at once. The L1 payout follows
 * in three steps — the block is posted in a batch, the batch outlives its challenge window, and
 * `finalizeWithdrawal` pays it — which `getWithdrawalStatus` follows.
 *
 * @param l2Signer - the owner of the L2 funds, connected to a Cairn node
 * @param parameters - {@link WithdrawParameters}
 * @returns the L2 transaction and the withdrawal id. {@link WithdrawReturnType}
 * @throws {@link MissingEventError} when the transaction made no withdrawal.
 *
 * @example
 * import { JsonRpcProvider, Wallet, parseEther } from "ethers";
 * import { readDevnetInfo, withdraw } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2Signer = new Wallet(devnet.accounts[0].privateKey, new JsonRpcProvider(devnet.l2.rpcUrl));
 *
 * const { withdrawalId } = await withdraw(l2Signer, { amount: parseEther("0.5") });
 * const tokens = await withdraw(l2Signer, { amount: 10n ** 18n, l1Token: devnet.testToken.l1, l1Recipient: Wallet.createRandom().address });
 * console.log(`withdrawals ${withdrawalId} and ${tokens.withdrawalId} are on their way to L1`);
 */
export async function withdraw(l2Signer: Signer, parameters: WithdrawParameters): Promise<WithdrawReturnType> {
  const l1Recipient = parameters.l1Recipient ?? (await l2Signer.getAddress());
  const token = parameters.l1Token ? l2TokenAddress(parameters.l1Token) : ZeroAddress;
  const data = withdrawalInterface.encodeFunctionData("withdraw", [l1Recipient, token, parameters.amount]);
  const tx = await l2Signer.sendTransaction({ to: WITHDRAWAL_PREDEPLOY, data });
  const receipt = (await tx.wait())!;
  for (const log of receipt.logs) {
    const event = withdrawalInterface.parseLog(log);
    if (event?.name === "WithdrawalInitiated") return { l2Tx: tx.hash, withdrawalId: event.args.id as bigint };
  }
  throw new MissingEventError("WithdrawalInitiated", tx.hash);
}
