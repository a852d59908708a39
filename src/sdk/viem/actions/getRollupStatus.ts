/** getRollupStatus (viem): where the L2 stands and what L1 holds of it. */
import type { BaseError, Chain, Client, Transport } from "viem";
import type { RollupStatus } from "../../../chain/api";
import { cairnRequest } from "../internal";

export type GetRollupStatusReturnType = RollupStatus;
export type GetRollupStatusErrorType = BaseError;

/**
 * The node's `rollup_status`: the L2 head and state root, batches posted, final and reverted,
 * deposits waiting and queue entries applied, and the L1 contracts and chain it follows.
 *
 * @param client - a client connected to a Cairn node
 * @returns {@link GetRollupStatusReturnType}
 *
 * @example
 * import { createPublicClient, http } from "viem";
 * import { readDevnetInfo } from "cairn";
 * import { getRollupStatus } from "cairn/viem";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = createPublicClient({ transport: http(devnet.l2.rpcUrl) });
 *
 * const status = await getRollupStatus(l2);
 * console.log(`L2 block ${status.l2BlockNumber}; ${status.batches.final} of ${status.batches.posted} batches final`);
 */
export function getRollupStatus<chain extends Chain | undefined>(client: Client<Transport, chain>): Promise<GetRollupStatusReturnType> {
  return cairnRequest<RollupStatus>(client, "rollup_status", []);
}
