/** forceWithdrawal: a withdrawal queued on L1, which the sequencer cannot leave out. */
import { ZeroAddress, type EthersError } from "ethers";
import type { MissingEventError, SignerRequiredError } from "../errors";
import { bridgeOf, l1SignerOf } from "../internal/contracts";
import { queuedEntryOf } from "../internal/queueEntry";
import { waitForDeposit } from "./waitForDeposit";
import type { CairnConnection, QueuedEntry } from "../types";

export interface ForceWithdrawalParameters {
  /** Wei, or the token's smallest unit. */
  amount: bigint;
  /** The L1 token whose bridged L2 token to withdraw (default: ETH). */
  l1Token?: string;
}
export interface ForceWithdrawalReturnType extends QueuedEntry {
  /**
   * Resolves once the L2 has applied the entry — debited the L2 account of the signer's address
   * and made the withdrawal, whose id `rollup_getWithdrawalProof` then knows. Never rejects
   * unobserved.
   */
  applied: Promise<true>;
}
export type ForceWithdrawalErrorType = SignerRequiredError | MissingEventError | EthersError;

/**
 * Queues a withdrawal of the signer's own L2 funds on L1 (`Bridge.forceWithdrawal`): the way
 * out when the sequencer ignores your L2 transactions. The sequencer must apply the entry within
 * the inclusion window, or anyone bonded may post batches in its place (docs/trust-model.md).
 * From there on it is an ordinary withdrawal, paid by `finalizeWithdrawal`; an entry the L2
 * balance does not cover makes no withdrawal.
 *
 * @param cairn - an L1 signer, the L2 and the contracts ({@link CairnConnection})
 * @param parameters - {@link ForceWithdrawalParameters}
 * @returns the queue entry and the `applied` promise. {@link ForceWithdrawalReturnType}
 * @throws {@link SignerRequiredError} when `cairn.l1` is a provider.
 *
 * @example
 * import { JsonRpcProvider, Wallet, parseEther } from "ethers";
 * import { forceWithdrawal, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const l1 = new Wallet(devnet.accounts[0].privateKey, new JsonRpcProvider(devnet.l1.rpcUrl));
 * const cairn = { l1, l2: new JsonRpcProvider(devnet.l2.rpcUrl), addresses: devnet.contracts };
 *
 * const entry = await forceWithdrawal(cairn, { amount: parseEther("1") });
 * await entry.applied;
 * console.log(`queue entry ${entry.queueIndex} withdrew 1 ETH from ${l1.address} on L2`);
 */
export async function forceWithdrawal(cairn: CairnConnection, parameters: ForceWithdrawalParameters): Promise<ForceWithdrawalReturnType> {
  const signer = l1SignerOf(cairn, "forceWithdrawal");
  const tx = await bridgeOf({ ...cairn, l1: signer }).forceWithdrawal(parameters.l1Token ?? ZeroAddress, parameters.amount);
  const entry = queuedEntryOf((await tx.wait())!);
  const applied = waitForDeposit(cairn, { queueIndex: entry.queueIndex });
  applied.catch(() => {}); // a caller that never awaits it must not crash the process
  return { ...entry, applied };
}
