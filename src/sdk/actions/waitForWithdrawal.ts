/** waitForWithdrawal: until a withdrawal reaches a stage (posted, ready, finalized). */
import type { EthersError } from "ethers";
import type { UnknownWithdrawalError, WaitTimeoutError } from "../errors";
import { DEFAULT_POLL_MS, pollUntil } from "../internal/poll";
import { getWithdrawalStatus } from "./getWithdrawalStatus";
import { WITHDRAWAL_STATES, type CairnConnection, type WithdrawalState, type WithdrawalStatus } from "../types";

export interface WaitForWithdrawalParameters {
  id: bigint;
  /** The stage to wait for; a withdrawal already past it ends the wait too. */
  state: WithdrawalState;
  /** Give up after this long (default 15 minutes: on a real network, the challenge window is days — wait for `posted`, then come back). */
  timeoutMs?: number;
}
export type WaitForWithdrawalReturnType = WithdrawalStatus;
export type WaitForWithdrawalErrorType = UnknownWithdrawalError | WaitTimeoutError | EthersError;

/**
 * Polls {@link getWithdrawalStatus} until withdrawal `id` has reached `state` or a later one,
 * and returns that status. `ready` waits out the challenge window as L1's clock measures it.
 *
 * @param cairn - the L1, the L2, the contracts and how often to poll ({@link CairnConnection})
 * @param parameters - {@link WaitForWithdrawalParameters}
 * @returns the status that ended the wait. {@link WaitForWithdrawalReturnType}
 * @throws {@link WaitTimeoutError} when `timeoutMs` passes first.
 *
 * @example
 * import { JsonRpcProvider } from "ethers";
 * import { readDevnetInfo, waitForWithdrawal } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const cairn = { l1: new JsonRpcProvider(devnet.l1.rpcUrl), l2: new JsonRpcProvider(devnet.l2.rpcUrl), addresses: devnet.contracts, pollMs: 200 };
 *
 * const posted = await waitForWithdrawal(cairn, { id: 0n, state: "posted" });
 * console.log(`in batch ${posted.batchIndex}`);
 * await waitForWithdrawal(cairn, { id: 0n, state: "ready", timeoutMs: 5 * 60_000 }); // the devnet's window is 60 s
 */
export function waitForWithdrawal(cairn: CairnConnection, parameters: WaitForWithdrawalParameters): Promise<WaitForWithdrawalReturnType> {
  const { id, state, timeoutMs = 15 * 60_000 } = parameters;
  const wanted = WITHDRAWAL_STATES.indexOf(state);
  return pollUntil(`withdrawal ${id} ${state}`, timeoutMs, cairn.pollMs ?? DEFAULT_POLL_MS, async () => {
    const status = await getWithdrawalStatus(cairn, { id });
    return WITHDRAWAL_STATES.indexOf(status.state) >= wanted ? status : null;
  });
}
