/** getWithdrawalStatus: where a withdrawal stands on its way to L1. */
import type { EthersError } from "ethers";
import type { UnknownWithdrawalError } from "../errors";
import { bridgeOf, rollupOf } from "../internal/contracts";
import { getWithdrawalProof } from "./getWithdrawalProof";
import type { CairnConnection, WithdrawalStatus } from "../types";

export interface GetWithdrawalStatusParameters {
  id: bigint;
}
export type GetWithdrawalStatusReturnType = WithdrawalStatus;
export type GetWithdrawalStatusErrorType = UnknownWithdrawalError | EthersError;

/**
 * Where withdrawal `id` stands: `on-l2` (its block is not in a posted batch yet), `posted`
 * (challengeable until `challengeableUntil`, an L1 time), `ready` (its batch is final:
 * `finalizeWithdrawal` pays it), or `finalized` (paid). Finality is what the Rollup says at L1's
 * latest block, so it follows L1's clock, not the wall clock.
 *
 * @param cairn - the L1 (a signer or provider), the L2 and the contracts ({@link CairnConnection})
 * @param parameters - {@link GetWithdrawalStatusParameters}
 * @returns {@link GetWithdrawalStatusReturnType}
 * @throws {@link UnknownWithdrawalError} when no L2 block made withdrawal `id`.
 *
 * @example
 * import { JsonRpcProvider } from "ethers";
 * import { getWithdrawalStatus, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const cairn = { l1: new JsonRpcProvider(devnet.l1.rpcUrl), l2: new JsonRpcProvider(devnet.l2.rpcUrl), addresses: devnet.contracts };
 *
 * const status = await getWithdrawalStatus(cairn, { id: 0n });
 * if (status.state === "posted") console.log(`final from ${new Date(status.challengeableUntil! * 1000).toISOString()}`);
 * else console.log(status.state);
 */
export async function getWithdrawalStatus(cairn: CairnConnection, parameters: GetWithdrawalStatusParameters): Promise<GetWithdrawalStatusReturnType> {
  const { id } = parameters;
  const p = await getWithdrawalProof(cairn, { id });
  const rollup = rollupOf(cairn);
  if (await bridgeOf(cairn).isWithdrawalFinalized(id)) return { state: "finalized", id, batchIndex: p.batchIndex, challengeableUntil: null };
  if (p.batchIndex === null) return { state: "on-l2", id, batchIndex: null, challengeableUntil: null };
  if (await rollup.isFinal(p.batchIndex)) return { state: "ready", id, batchIndex: p.batchIndex, challengeableUntil: null };
  const [header, window] = await Promise.all([rollup.getBatch(p.batchIndex), rollup.challengeWindow()]);
  return { state: "posted", id, batchIndex: p.batchIndex, challengeableUntil: Number(header.timestamp + window) };
}
