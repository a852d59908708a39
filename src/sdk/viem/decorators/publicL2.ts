/** cairnL2Actions: Cairn's own L2 methods on a viem client, as `client.extend(...)` takes them. */
import type { Chain, Client, Hash, Transport } from "viem";
import { getRollupStatus, type GetRollupStatusReturnType } from "../actions/getRollupStatus";
import { getWithdrawalProof, type GetWithdrawalProofReturnType } from "../actions/getWithdrawalProof";
import { getTokenBalances, type GetTokenBalancesParameters, type GetTokenBalancesReturnType } from "../actions/getTokenBalances";

export type CairnL2Actions = {
  /** {@link getRollupStatus}: `rollup_status` — L2 head, batches posted/final/reverted, pending deposits. */
  getRollupStatus: () => Promise<GetRollupStatusReturnType>;
  /** {@link getWithdrawalProof}: what `Bridge.finalizeWithdrawal` needs, by withdrawal id or by the L2 transaction. */
  getWithdrawalProof: (parameters: { id: bigint } | { hash: Hash }) => Promise<GetWithdrawalProofReturnType>;
  /** {@link getTokenBalances}: the bridged tokens an account holds. */
  getTokenBalances: (parameters: GetTokenBalancesParameters) => Promise<GetTokenBalancesReturnType>;
};

/**
 * Extends a client connected to a Cairn node with Cairn's `rollup_*` methods, in the style of
 * viem's `publicActionsL2`.
 *
 * @example
 * import { createPublicClient, http } from "viem";
 * import { cairnL2Actions, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = createPublicClient({ transport: http(devnet.l2.rpcUrl) }).extend(cairnL2Actions());
 *
 * const status = await l2.getRollupStatus();
 * console.log(`L2 block ${status.l2BlockNumber} (viem reads it as ${await l2.getBlockNumber()})`);
 */
export function cairnL2Actions() {
  return <transport extends Transport, chain extends Chain | undefined>(client: Client<transport, chain>): CairnL2Actions => ({
    getRollupStatus: () => getRollupStatus(client),
    getWithdrawalProof: (parameters) => getWithdrawalProof(client, parameters),
    getTokenBalances: (parameters) => getTokenBalances(client, parameters),
  });
}
