/** waitForBatch: until an L2 transaction's block is in a batch posted on L1. */
import type { EthersError } from "ethers";
import type { WaitTimeoutError } from "../errors";
import { rollupOf } from "../internal/contracts";
import { DEFAULT_POLL_MS, pollUntil } from "../internal/poll";
import type { CairnConnection } from "../types";

export interface WaitForBatchParameters {
  /** The L2 transaction. */
  l2Tx: string;
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
}
/** The index of the latest batch on L1 once the transaction's block is posted: the batch holding it, or one after it. */
export type WaitForBatchReturnType = bigint;
export type WaitForBatchErrorType = WaitTimeoutError | EthersError;

/**
 * Waits until the L2 block that included `l2Tx` is in a batch posted on L1 — the node's `safe`
 * block has reached it — and returns the Rollup's latest batch index then. From there the
 * transaction stands unless a fraud proof reverts its batch within the challenge window.
 *
 * @param cairn - the L1, the L2, the contracts and how often to poll ({@link CairnConnection})
 * @param parameters - {@link WaitForBatchParameters}
 * @returns {@link WaitForBatchReturnType}
 * @throws {@link WaitTimeoutError} when `timeoutMs` passes first.
 *
 * @example
 * import { JsonRpcProvider, Wallet, parseEther } from "ethers";
 * import { readDevnetInfo, transfer, waitForBatch } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l2 = new JsonRpcProvider(devnet.l2.rpcUrl);
 * const cairn = { l1: new JsonRpcProvider(devnet.l1.rpcUrl), l2, addresses: devnet.contracts };
 *
 * const { l2Tx } = await transfer(new Wallet(devnet.accounts[0].privateKey, l2), { to: devnet.accounts[1].address, amount: parseEther("1") });
 * console.log(`posted on L1 by batch ${await waitForBatch(cairn, { l2Tx })}`);
 */
export function waitForBatch(cairn: CairnConnection, parameters: WaitForBatchParameters): Promise<WaitForBatchReturnType> {
  const { l2Tx, timeoutMs = 10 * 60_000 } = parameters;
  return pollUntil(`the batch of ${l2Tx}`, timeoutMs, cairn.pollMs ?? DEFAULT_POLL_MS, async () => {
    const receipt = await cairn.l2.getTransactionReceipt(l2Tx);
    if (!receipt) return null;
    const safe = await cairn.l2.getBlock("safe");
    if (!safe || safe.number < receipt.blockNumber) return null;
    return (await rollupOf(cairn).batchCount()) - 1n;
  });
}
