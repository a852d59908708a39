/** getRollupHistory: the rollup's story as L1's events tell it, in one read. */
import type { EthersError } from "ethers";
import { l1ProviderOf } from "../internal/contracts";
import { RollupHistory, type BatchRecord, type ChallengeRecord, type PayoutRecord, type QueueRecord, type TokenRecord } from "../history";
import type { CairnConnection } from "../types";

export interface GetRollupHistoryParameters {
  /** The L1 block to read from: the contracts' deployment block saves reading the chain before it (default 0). */
  fromBlock?: number;
}
export interface GetRollupHistoryReturnType {
  /** Every batch submission in L1 order, a reverted one included (its index is reused), with its state at `l1Time`. */
  batches: BatchRecord[];
  /** The fraud proofs that succeeded. */
  challenges: ChallengeRecord[];
  /** The L1 → L2 queue: deposits, token registrations, forced withdrawals. */
  queue: QueueRecord[];
  /** Withdrawals paid out on L1, by id. */
  payouts: PayoutRecord[];
  /** Bridged tokens, by id. */
  tokens: TokenRecord[];
  /** The L1 block read up to, and its time (seconds): what "final" was judged by. */
  l1Block: number;
  l1Time: number;
}
export type GetRollupHistoryErrorType = EthersError;

/**
 * Reads the Rollup's and the Bridge's events from `fromBlock` to L1's head, in slices public L1
 * nodes answer, and returns every batch (marked challengeable, final or reverted by L1's clock),
 * fraud proof, queue entry, payout and token registration. A page that polls should keep a
 * `RollupHistory` instead, whose `update()` reads only what is new.
 *
 * @param cairn - an L1 signer or provider and the contracts ({@link CairnConnection})
 * @param parameters - {@link GetRollupHistoryParameters}
 * @returns {@link GetRollupHistoryReturnType}
 *
 * @example
 * import { JsonRpcProvider } from "ethers";
 * import { getRollupHistory, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = new JsonRpcProvider(devnet.l1.rpcUrl);
 *
 * const history = await getRollupHistory({ l1, addresses: devnet.contracts }, { fromBlock: devnet.contracts.deployBlock });
 * for (const b of history.batches) console.log(`batch ${b.index}: ${b.commitments} commitments, ${b.state}`);
 * console.log(`${history.queue.length} queue entries, ${history.payouts.length} withdrawals paid, ${history.challenges.length} fraud proofs`);
 */
export async function getRollupHistory(cairn: Pick<CairnConnection, "l1" | "addresses">, parameters: GetRollupHistoryParameters = {}): Promise<GetRollupHistoryReturnType> {
  const l1 = l1ProviderOf(cairn);
  const history = new RollupHistory(l1, cairn.addresses, parameters.fromBlock ?? 0);
  const l1Block = await history.update();
  const l1Time = (await l1.getBlock(l1Block))?.timestamp ?? 0;
  history.refreshStates(l1Time);
  return {
    batches: history.batches,
    challenges: history.challenges,
    queue: history.queue,
    payouts: [...history.payouts.values()].sort((a, b) => a.id - b.id),
    tokens: [...history.tokens.values()].sort((a, b) => a.id - b.id),
    l1Block,
    l1Time,
  };
}
