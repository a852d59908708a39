/** getTokenBalances (viem): every bridged token an L2 account holds. */
import type { Address, BaseError, Chain, Client, Transport } from "viem";
import type { TokenBalance as TokenBalanceAnswer } from "../../../chain/api";
import type { TokenBalance } from "../../types";
import { cairnRequest } from "../internal";

export interface GetTokenBalancesParameters {
  address: Address;
}
/** One per token held (non-zero balances only), by token id. */
export type GetTokenBalancesReturnType = TokenBalance[];
export type GetTokenBalancesErrorType = BaseError;

/**
 * The node's `rollup_getTokenBalances`: each bridged token `address` holds on L2, with its L1
 * and L2 addresses and what its L1 registration says of it (the symbol for display only).
 *
 * @param client - a client connected to a Cairn node
 * @param parameters - {@link GetTokenBalancesParameters}
 * @returns {@link GetTokenBalancesReturnType}
 *
 * @example
 * import { createPublicClient, formatUnits, http, type Address } from "viem";
 * import { readDevnetInfo } from "cairn";
 * import { getTokenBalances } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = createPublicClient({ transport: http(devnet.l2.rpcUrl) });
 *
 * for (const t of await getTokenBalances(l2, { address: devnet.accounts[0].address as Address })) {
 *   console.log(`${formatUnits(t.balance, t.decimals)} ${t.symbol}`);
 * }
 */
export async function getTokenBalances<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  parameters: GetTokenBalancesParameters,
): Promise<GetTokenBalancesReturnType> {
  const balances = await cairnRequest<TokenBalanceAnswer[]>(client, "rollup_getTokenBalances", [parameters.address, "latest"]);
  return balances.map((t) => ({ ...t, balance: BigInt(t.balance) }));
}
