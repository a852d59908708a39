/** waitForDeposit: until the L2 has applied an L1 queue entry (a deposit, or a forced withdrawal). */
import type { EthersError } from "ethers";
import type { RollupStatus } from "../../chain/api";
import type { WaitTimeoutError } from "../errors";
import { DEFAULT_POLL_MS, pollUntil } from "../internal/poll";
import type { CairnConnection } from "../types";

export interface WaitForDepositParameters {
  /** The entry's place in the Bridge's queue (`queueIndex` of what `depositETH` returned). */
  queueIndex: bigint;
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
}
export type WaitForDepositReturnType = true;
export type WaitForDepositErrorType = WaitTimeoutError | EthersError;

/**
 * Waits until the L2 has applied L1 queue entry `queueIndex`: the node's `rollup_status` counts
 * more entries consumed than the index. Entries are applied in queue order, so this is also true
 * of every entry before it. `depositETH` and `depositERC20` return this wait as `credited`.
 *
 * @param cairn - the L2 to ask, and how often ({@link CairnConnection})
 * @param parameters - {@link WaitForDepositParameters}
 * @returns `true` once applied. {@link WaitForDepositReturnType}
 * @throws {@link WaitTimeoutError} when `timeoutMs` passes first.
 *
 * @example
 * import { JsonRpcProvider } from "ethers";
 * import { readDevnetInfo, waitForDeposit } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = new JsonRpcProvider(devnet.l2.rpcUrl);
 * await waitForDeposit({ l2, pollMs: 200 }, { queueIndex: 0n, timeoutMs: 60_000 });
 * console.log("the devnet's first queue entry is applied on L2");
 */
export function waitForDeposit(cairn: Pick<CairnConnection, "l2" | "pollMs">, parameters: WaitForDepositParameters): Promise<WaitForDepositReturnType> {
  const { queueIndex, timeoutMs = 10 * 60_000 } = parameters;
  return pollUntil(`L1 queue entry ${queueIndex} applied on L2`, timeoutMs, cairn.pollMs ?? DEFAULT_POLL_MS, async () => {
    const status = (await cairn.l2.send("rollup_status", [])) as RollupStatus;
    return BigInt(status.queueConsumed) > queueIndex ? true : null;
  });
}
