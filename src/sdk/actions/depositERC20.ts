/** depositERC20: an L1 ERC-20 into Cairn, approving the Bridge first when it must. */
import { Contract, type EthersError } from "ethers";
import type { MissingEventError, SignerRequiredError } from "../errors";
import { bridgeOf, l1SignerOf } from "../internal/contracts";
import { depositOf } from "../internal/queueEntry";
import type { CairnConnection, Deposit } from "../types";

export interface DepositERC20Parameters {
  /** The L1 token. Its first deposit registers it (through the queue) if it is not yet known. */
  l1Token: string;
  /** In the token's smallest unit. */
  amount: bigint;
  /** Who is credited on L2 (default: the L1 signer's address). */
  l2Recipient?: string;
}
export type DepositERC20ReturnType = Deposit;
export type DepositERC20ErrorType = SignerRequiredError | MissingEventError | EthersError;

const ERC20 = ["function approve(address spender, uint256 amount) returns (bool)", "function allowance(address owner, address spender) view returns (uint256)"];

/**
 * Deposits `amount` of `l1Token` for `l2Recipient`, first approving the Bridge for `amount` if
 * its allowance is short. The credited amount is what the Bridge received (a fee-on-transfer
 * token delivers less): read it from the returned `amount`.
 *
 * @param cairn - an L1 signer, the L2 and the contracts ({@link CairnConnection})
 * @param parameters - {@link DepositERC20Parameters}
 * @returns the L1 transaction, the queue index, the amount received and the `credited` promise. {@link DepositERC20ReturnType}
 * @throws {@link SignerRequiredError} when `cairn.l1` is a provider.
 *
 * @example
 * import { Contract, JsonRpcProvider, Wallet, parseUnits } from "ethers";
 * import { depositERC20, l2TokenAddress, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = new Wallet(devnet.accounts[0].privateKey, new JsonRpcProvider(devnet.l1.rpcUrl));
 * const l2 = new JsonRpcProvider(devnet.l2.rpcUrl);
 * const cairn = { l1, l2, addresses: devnet.contracts };
 *
 * const { credited } = await depositERC20(cairn, { l1Token: devnet.testToken.l1, amount: parseUnits("25", devnet.testToken.decimals) });
 * await credited;
 * const onL2 = new Contract(l2TokenAddress(devnet.testToken.l1), ["function balanceOf(address) view returns (uint256)"], l2);
 * console.log(`L2 balance: ${await onL2.balanceOf(l1.address)}`);
 */
export async function depositERC20(cairn: CairnConnection, parameters: DepositERC20Parameters): Promise<DepositERC20ReturnType> {
  const signer = l1SignerOf(cairn, "depositERC20");
  const me = await signer.getAddress();
  const token = new Contract(parameters.l1Token, ERC20, signer);
  if ((await token.allowance(me, cairn.addresses.bridge)) < parameters.amount) {
    await (await token.approve(cairn.addresses.bridge, parameters.amount)).wait();
  }
  const tx = await bridgeOf({ ...cairn, l1: signer }).depositERC20(parameters.l1Token, parameters.l2Recipient ?? me, parameters.amount);
  return depositOf(cairn, (await tx.wait())!);
}
