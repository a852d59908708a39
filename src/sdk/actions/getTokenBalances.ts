/** getTokenBalances: every bridged token an L2 account holds. */
import type { EthersError } from "ethers";
import type { TokenBalance as TokenBalanceAnswer } from "../../chain/api";
import type { CairnConnection, TokenBalance } from "../types";

export interface GetTokenBalancesParameters {
  address: string;
}
/** One per token held (non-zero balances only), by token id. */
export type GetTokenBalancesReturnType = TokenBalance[];
export type GetTokenBalancesErrorType = EthersError;

/**
 * The node's `rollup_getTokenBalances`: each bridged token `address` holds on L2, with its L1
 * and L2 addresses and what its L1 registration says of it. The symbol is for display only —
 * registration is permissionless, so it is whatever the token answered, made display-safe.
 *
 * @param cairn - the L2 ({@link CairnConnection})
 * @param parameters - {@link GetTokenBalancesParameters}
 * @returns {@link GetTokenBalancesReturnType}
 *
 * @example
 * import { JsonRpcProvider, formatUnits } from "ethers";
 * import { getTokenBalances, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = new JsonRpcProvider(devnet.l2.rpcUrl);
 *
 * for (const t of await getTokenBalances({ l2 }, { address: devnet.accounts[0].address })) {
 *   console.log(`${formatUnits(t.balance, t.decimals)} ${t.symbol} (L1 ${t.l1Token})`);
 * }
 */
export async function getTokenBalances(cairn: Pick<CairnConnection, "l2">, parameters: GetTokenBalancesParameters): Promise<GetTokenBalancesReturnType> {
  const balances = (await cairn.l2.send("rollup_getTokenBalances", [parameters.address, "latest"])) as TokenBalanceAnswer[];
  return balances.map((t) => ({ ...t, balance: BigInt(t.balance) }));
}
