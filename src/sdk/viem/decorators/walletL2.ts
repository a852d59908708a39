/** cairnL2WalletActions: withdrawals on a viem wallet client connected to a Cairn node. */
import type { Account, Chain, Client, Transport } from "viem";
import { withdraw, type WithdrawParameters, type WithdrawReturnType } from "../actions/withdraw";

export type CairnL2WalletActions = {
  /** {@link withdraw}: from L2 to L1, through the withdrawal predeploy. */
  withdraw: (parameters: WithdrawParameters) => Promise<WithdrawReturnType>;
};

/**
 * Extends an L2 wallet client with Cairn's withdrawal, in the style of viem's `walletActionsL2`.
 * Transfers need nothing of Cairn's: `sendTransaction` and the token's `transfer` work as on any
 * chain.
 *
 * @example
 * import { createWalletClient, http, parseEther, type Hex } from "viem";
 * import { privateKeyToAccount } from "viem/accounts";
 * import { cairnL2WalletActions, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const account = privateKeyToAccount(devnet.accounts[0].privateKey as Hex);
 * const l2 = createWalletClient({ account, transport: http(devnet.l2.rpcUrl) }).extend(cairnL2WalletActions());
 *
 * console.log(`withdrawing in ${await l2.withdraw({ amount: parseEther("0.5") })}`);
 */
export function cairnL2WalletActions() {
  return <transport extends Transport, chain extends Chain | undefined, account extends Account | undefined>(client: Client<transport, chain, account>): CairnL2WalletActions => ({
    withdraw: (parameters) => withdraw(client, parameters),
  });
}
