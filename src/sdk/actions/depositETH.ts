/** depositETH: ETH from L1 into Cairn. */
import type { EthersError } from "ethers";
import type { MissingEventError, SignerRequiredError } from "../errors";
import { bridgeOf, l1SignerOf } from "../internal/contracts";
import { depositOf } from "../internal/queueEntry";
import type { CairnConnection, Deposit } from "../types";

export interface DepositETHParameters {
  /** Wei to deposit. */
  amount: bigint;
  /** Who is credited on L2 (default: the L1 signer's address). */
  l2Recipient?: string;
}
export type DepositETHReturnType = Deposit;
export type DepositETHErrorType = SignerRequiredError | MissingEventError | EthersError;

/**
 * Deposits `amount` wei into the Bridge for `l2Recipient`. The deposit joins the Bridge's L1 →
 * L2 queue; the sequencer credits it on L2 when it applies that entry, which the returned
 * `credited` promise waits for.
 *
 * @param cairn - an L1 signer, the L2 and the contracts ({@link CairnConnection})
 * @param parameters - {@link DepositETHParameters}
 * @returns the L1 transaction, the queue index and the `credited` promise. {@link DepositETHReturnType}
 * @throws {@link SignerRequiredError} when `cairn.l1` is a provider.
 *
 * @example
 * import { JsonRpcProvider, Wallet, parseEther } from "ethers";
 * import { depositETH, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = new Wallet(devnet.accounts[0].privateKey, new JsonRpcProvider(devnet.l1.rpcUrl));
 * const cairn = { l1, l2: new JsonRpcProvider(devnet.l2.rpcUrl), addresses: devnet.contracts };
 *
 * const deposit = await depositETH(cairn, { amount: parseEther("1") });
 * await deposit.credited; // applied on L2: spendable now
 * console.log(`queue entry ${deposit.queueIndex}, L1 transaction ${deposit.l1Tx}`);
 */
export async function depositETH(cairn: CairnConnection, parameters: DepositETHParameters): Promise<DepositETHReturnType> {
  const signer = l1SignerOf(cairn, "depositETH");
  const to = parameters.l2Recipient ?? (await signer.getAddress());
  const tx = await bridgeOf({ ...cairn, l1: signer }).depositETH(to, { value: parameters.amount });
  return depositOf(cairn, (await tx.wait())!);
}
