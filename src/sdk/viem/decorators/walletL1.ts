/** cairnL1Actions: deposits, forced withdrawals and payouts on a viem L1 wallet client. */
import type { Account, Chain, Client, Transport } from "viem";
import type { CairnAddresses } from "../../types";
import { depositETH, type DepositETHParameters, type DepositETHReturnType } from "../actions/depositETH";
import { depositERC20, type DepositERC20Parameters, type DepositERC20ReturnType } from "../actions/depositERC20";
import { forceWithdrawal, type ForceWithdrawalParameters, type ForceWithdrawalReturnType } from "../actions/forceWithdrawal";
import { finalizeWithdrawal, type FinalizeWithdrawalParameters, type FinalizeWithdrawalReturnType } from "../actions/finalizeWithdrawal";
import { isBatchFinal, type IsBatchFinalParameters, type IsBatchFinalReturnType } from "../actions/isBatchFinal";

/** An action's parameters, the contract addresses aside: the decorator binds them. */
type Bound<P> = Omit<P, "addresses">;

export type CairnL1Actions = {
  /** {@link depositETH}: `amount` wei to `l2Recipient` (default: the account) on L2. */
  depositETH: (parameters: Bound<DepositETHParameters>) => Promise<DepositETHReturnType>;
  /** {@link depositERC20}: `amount` of `l1Token` (the Bridge must be approved). */
  depositERC20: (parameters: Bound<DepositERC20Parameters>) => Promise<DepositERC20ReturnType>;
  /** {@link forceWithdrawal}: a withdrawal of the account's own L2 funds, queued on L1. */
  forceWithdrawal: (parameters: Bound<ForceWithdrawalParameters>) => Promise<ForceWithdrawalReturnType>;
  /** {@link finalizeWithdrawal}: pays out a withdrawal whose batch is final, with the proof from `getWithdrawalProof`. */
  finalizeWithdrawal: (parameters: Bound<FinalizeWithdrawalParameters>) => Promise<FinalizeWithdrawalReturnType>;
  /** {@link isBatchFinal}: whether batch `index` has outlived its challenge window. */
  isBatchFinal: (parameters: Bound<IsBatchFinalParameters>) => Promise<IsBatchFinalReturnType>;
};

/**
 * Extends an L1 wallet client with Cairn's L1 actions for the deployment at `addresses`, in the
 * style of viem's `walletActionsL1`.
 *
 * @example
 * import { createPublicClient, createWalletClient, http, parseEther, type Hex } from "viem";
 * import { privateKeyToAccount } from "viem/accounts";
 * import { cairnL1Actions, cairnL2Actions, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const account = privateKeyToAccount(devnet.accounts[0].privateKey as Hex);
 * const l1 = createWalletClient({ account, transport: http(devnet.l1.rpcUrl) }).extend(cairnL1Actions(devnet.contracts));
 * const l2 = createPublicClient({ transport: http(devnet.l2.rpcUrl) }).extend(cairnL2Actions());
 *
 * await l1.depositETH({ amount: parseEther("1") });
 * const proof = await l2.getWithdrawalProof({ id: 0n });
 * if (proof.batchIndex !== null && (await l1.isBatchFinal({ index: proof.batchIndex }))) await l1.finalizeWithdrawal({ proof });
 */
export function cairnL1Actions(addresses: CairnAddresses) {
  return <transport extends Transport, chain extends Chain | undefined, account extends Account | undefined>(client: Client<transport, chain, account>): CairnL1Actions => ({
    depositETH: (parameters) => depositETH(client, { ...parameters, addresses }),
    depositERC20: (parameters) => depositERC20(client, { ...parameters, addresses }),
    forceWithdrawal: (parameters) => forceWithdrawal(client, { ...parameters, addresses }),
    finalizeWithdrawal: (parameters) => finalizeWithdrawal(client, { ...parameters, addresses }),
    isBatchFinal: (parameters) => isBatchFinal(client, { ...parameters, addresses }),
  });
}
