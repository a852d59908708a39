/** getRollupStatus: where the L2 stands and what L1 holds of it. */
import type { EthersError } from "ethers";
import type { RollupStatus } from "../../chain/api";
import type { CairnConnection } from "../types";

export type GetRollupStatusReturnType = RollupStatus;
export type GetRollupStatusErrorType = EthersError;

/**
 * The node's `rollup_status`: the L2 head and state root, batches posted, final and reverted,
 * deposits waiting and queue entries applied, and the L1 contracts and chain it follows — which
 * is how a client that knows only an L2 URL finds the contracts.
 *
 * @param cairn - the L2 ({@link CairnConnection})
 * @returns {@link GetRollupStatusReturnType}
 *
 * @example
 * import { JsonRpcProvider } from "ethers";
 * import { getRollupStatus, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const status = await getRollupStatus({ l2: new JsonRpcProvider(devnet.l2.rpcUrl) });
 * console.log(`L2 block ${status.l2BlockNumber}; ${status.batches.final} of ${status.batches.posted} batches final; Bridge ${status.l1.bridge}`);
 */
export async function getRollupStatus(cairn: Pick<CairnConnection, "l2">): Promise<GetRollupStatusReturnType> {
  return (await cairn.l2.send("rollup_status", [])) as RollupStatus;
}
