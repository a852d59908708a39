/**
 * CairnClient: the SDK's actions (./actions, one a file) bound to one connection — an L1 signer
 * or provider, the L2 provider and the contracts — for code that would rather hold an object
 * than pass the connection each time. Each method is the action of the same name; nothing is
 * done here that the action does not do.
 *
 * @example
 * import { JsonRpcProvider, Wallet, parseEther } from "ethers";
 * import { CairnClient, readDevnetInfo } from "cairn";
 *
 * const devnet = readDevnetInfo(".cairn/devnet.json")!; // `npx cairn devnet` writes it
 * const key = devnet.accounts[0].privateKey;
 * const l2 = new JsonRpcProvider(devnet.l2.rpcUrl);
 * const cairn = new CairnClient({ l1: new Wallet(key, new JsonRpcProvider(devnet.l1.rpcUrl)), l2, addresses: devnet.contracts });
 *
 * const { credited } = await cairn.depositETH(parseEther("1"));
 * await credited;                                   // now spendable on L2
 * const { withdrawalId } = await cairn.withdraw(new Wallet(key, l2), { amount: parseEther("0.5") });
 * await cairn.waitForWithdrawal(withdrawalId, "ready");
 * await cairn.finalizeWithdrawal(withdrawalId);     // paid on L1
 */
import type { JsonRpcProvider, Provider, Signer, TransactionReceipt } from "ethers";
import type { Bridge, Rollup } from "../../typechain-types/contracts/L1";
import { l2TokenAddress } from "../core/hashing";
import { bridgeOf, rollupOf } from "./internal/contracts";
import { DEFAULT_POLL_MS } from "./internal/poll";
import { depositETH } from "./actions/depositETH";
import { depositERC20 } from "./actions/depositERC20";
import { waitForDeposit } from "./actions/waitForDeposit";
import { transfer, type TransferParameters, type TransferReturnType } from "./actions/transfer";
import { withdraw, type WithdrawParameters, type WithdrawReturnType } from "./actions/withdraw";
import { forceWithdrawal, type ForceWithdrawalParameters, type ForceWithdrawalReturnType } from "./actions/forceWithdrawal";
import { getWithdrawalProof } from "./actions/getWithdrawalProof";
import { getWithdrawalStatus } from "./actions/getWithdrawalStatus";
import { waitForWithdrawal } from "./actions/waitForWithdrawal";
import { finalizeWithdrawal } from "./actions/finalizeWithdrawal";
import { waitForBatch } from "./actions/waitForBatch";
import { getRollupStatus } from "./actions/getRollupStatus";
import { getTokenBalances, type GetTokenBalancesReturnType } from "./actions/getTokenBalances";
import { getRollupHistory, type GetRollupHistoryReturnType } from "./actions/getRollupHistory";
import type { CairnAddresses, CairnConnection, Deposit, RollupStatus, WithdrawalProof, WithdrawalRef, WithdrawalState, WithdrawalStatus } from "./types";

// What callers imported from here before the actions had files of their own.
export { CairnClientError } from "./errors";
export type { CairnAddresses, WithdrawalState, WithdrawalStatus } from "./types";

/** What a {@link CairnClient} is made from: its connection. */
export type CairnClientOptions = CairnConnection;

export class CairnClient implements CairnConnection {
  readonly l1: Signer | Provider;
  readonly l2: JsonRpcProvider;
  readonly addresses: CairnAddresses;
  readonly pollMs: number;
  /** The contracts' typed bindings, on `l1`. */
  readonly bridge: Bridge;
  readonly rollup: Rollup;

  constructor(options: CairnClientOptions) {
    this.l1 = options.l1;
    this.l2 = options.l2;
    this.addresses = options.addresses;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.bridge = bridgeOf(this);
    this.rollup = rollupOf(this);
  }

  /** The L2 address of a bridged L1 token. */
  l2TokenAddress(l1Token: string): string {
    return l2TokenAddress(l1Token);
  }

  /** {@link depositETH}: `amount` wei to `l2Recipient` (default: the L1 signer). */
  depositETH(amount: bigint, l2Recipient?: string): Promise<Deposit> {
    return depositETH(this, { amount, l2Recipient });
  }

  /** {@link depositERC20}: `amount` of `l1Token`, approving the Bridge first if needed. */
  depositERC20(l1Token: string, amount: bigint, l2Recipient?: string): Promise<Deposit> {
    return depositERC20(this, { l1Token, amount, l2Recipient });
  }

  /** {@link waitForDeposit}: until the L2 has applied queue entry `queueIndex`. */
  waitForDeposit(queueIndex: bigint, timeoutMs?: number): Promise<true> {
    return waitForDeposit(this, { queueIndex, timeoutMs });
  }

  /** {@link transfer}: ETH or a bridged token on L2, signed by `l2Signer`. */
  transfer(l2Signer: Signer, parameters: TransferParameters): Promise<TransferReturnType> {
    return transfer(l2Signer, parameters);
  }

  /** {@link withdraw}: from L2 with `l2Signer` — ETH by default, or `l1Token`'s bridged token. */
  withdraw(l2Signer: Signer, parameters: WithdrawParameters): Promise<WithdrawReturnType> {
    return withdraw(l2Signer, parameters);
  }

  /** {@link forceWithdrawal}: a withdrawal of the L1 signer's own L2 funds, queued on L1. */
  forceWithdrawal(parameters: ForceWithdrawalParameters): Promise<ForceWithdrawalReturnType> {
    return forceWithdrawal(this, parameters);
  }

  /** {@link getWithdrawalProof}: what `Bridge.finalizeWithdrawal` needs, from the L2 node. */
  getWithdrawalProof(ref: WithdrawalRef): Promise<WithdrawalProof> {
    return getWithdrawalProof(this, ref);
  }

  /** {@link getWithdrawalStatus}: on L2, posted (challengeable until a time), ready, or finalized. */
  getWithdrawalStatus(id: bigint): Promise<WithdrawalStatus> {
    return getWithdrawalStatus(this, { id });
  }

  /** {@link waitForWithdrawal}: until withdrawal `id` has reached `state` (or a later one). */
  waitForWithdrawal(id: bigint, state: WithdrawalState, timeoutMs?: number): Promise<WithdrawalStatus> {
    return waitForWithdrawal(this, { id, state, timeoutMs });
  }

  /** {@link finalizeWithdrawal}: pays withdrawal `id` out on L1 (its batch must be final). */
  finalizeWithdrawal(id: bigint): Promise<TransactionReceipt> {
    return finalizeWithdrawal(this, { id });
  }

  /** {@link waitForBatch}: until the L2 block holding `l2TxHash` is posted on L1; the latest batch index then. */
  waitForBatch(l2TxHash: string, timeoutMs?: number): Promise<bigint> {
    return waitForBatch(this, { l2Tx: l2TxHash, timeoutMs });
  }

  /** {@link getRollupStatus}: the node's `rollup_status`. */
  getRollupStatus(): Promise<RollupStatus> {
    return getRollupStatus(this);
  }

  /** {@link getTokenBalances}: the bridged tokens `address` holds on L2. */
  getTokenBalances(address: string): Promise<GetTokenBalancesReturnType> {
    return getTokenBalances(this, { address });
  }

  /** {@link getRollupHistory}: batches, fraud proofs, queue, payouts and tokens, from L1's events. */
  getRollupHistory(fromBlock?: number): Promise<GetRollupHistoryReturnType> {
    return getRollupHistory(this, { fromBlock });
  }
}
