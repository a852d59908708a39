/**
 * CairnClient: what a dapp or script needs to move funds between L1 and Cairn with ethers v6 —
 * deposits that can wait for their L2 credit, withdrawals, their status through the challenge
 * window, and finalization with the proof fetched from the L2 node.
 *
 * @example
 * const cairn = new CairnClient({ l1: l1Wallet, l2: new JsonRpcProvider(l2Url), addresses });
 * const { credited } = await cairn.depositETH(parseEther("1"));
 * await credited;                                   // now spendable on L2
 * const { withdrawalId } = await cairn.withdraw(l2Wallet, { amount: parseEther("0.5") });
 * await cairn.waitForWithdrawal(withdrawalId, "ready");
 * await cairn.finalizeWithdrawal(withdrawalId);     // paid on L1
 */
import { Contract, Interface, ZeroAddress, isError, type JsonRpcProvider, type Provider, type Signer, type TransactionReceipt } from "ethers";
import { Bridge__factory, Rollup__factory, type Bridge, type Rollup } from "../../typechain-types";
import { WITHDRAWAL_PREDEPLOY } from "../core/constants";
import { l2TokenAddress } from "../core/hashing";
import type { RollupStatus, WithdrawalProofResponse } from "../chain/api";
import { CairnClientError, notPostedYet } from "./errors";

export { CairnClientError };

export interface CairnAddresses {
  bridge: string;
  rollup: string;
}

export interface CairnClientOptions {
  /** An L1 signer (to deposit and finalize) or provider (to read). */
  l1: Signer | Provider;
  /** The Cairn L2 JSON-RPC provider. */
  l2: JsonRpcProvider;
  addresses: CairnAddresses;
  /** Milliseconds between polls while waiting. */
  pollMs?: number;
}

export type WithdrawalState = "on-l2" | "posted" | "ready" | "finalized";

export interface WithdrawalStatus {
  state: WithdrawalState;
  id: bigint;
  batchIndex: bigint | null;
  /** While `posted`: the L1 time (seconds) from which the batch is final. */
  challengeableUntil: number | null;
}

const withdrawIface = new Interface([
  "function withdraw(address l1Recipient, address token, uint256 amount)",
  "event WithdrawalInitiated(uint64 indexed id, address indexed l2Sender, address indexed l1Recipient, address l1Token, uint256 amount)",
]);
const ERC20 = ["function approve(address spender, uint256 amount) returns (bool)", "function allowance(address owner, address spender) view returns (uint256)"];

export class CairnClient {
  readonly bridge: Bridge;
  readonly rollup: Rollup;
  private readonly pollMs: number;

  constructor(private readonly options: CairnClientOptions) {
    this.bridge = Bridge__factory.connect(options.addresses.bridge, options.l1);
    this.rollup = Rollup__factory.connect(options.addresses.rollup, options.l1);
    this.pollMs = options.pollMs ?? 500;
  }

  /** The L2 address of a bridged L1 token. */
  l2TokenAddress(l1Token: string): string {
    return l2TokenAddress(l1Token.toLowerCase());
  }

  /** Deposits `amount` wei to `l2Recipient` (default: the L1 signer). `credited` resolves once the L2 applied it. */
  async depositETH(amount: bigint, l2Recipient?: string) {
    const to = l2Recipient ?? (await this.signer().getAddress());
    const receipt = await (await this.bridge.depositETH(to, { value: amount })).wait();
    return this.queued(receipt!);
  }

  /** Deposits `amount` of `l1Token`, approving the bridge first if needed. */
  async depositERC20(l1Token: string, amount: bigint, l2Recipient?: string) {
    const signer = this.signer();
    const me = await signer.getAddress();
    const token = new Contract(l1Token, ERC20, signer);
    if ((await token.allowance(me, this.options.addresses.bridge)) < amount) {
      await (await token.approve(this.options.addresses.bridge, amount)).wait();
    }
    const receipt = await (await this.bridge.depositERC20(l1Token, l2Recipient ?? me, amount)).wait();
    return this.queued(receipt!);
  }

  /** Withdraws from L2 with `l2Signer`: ETH by default, or `l1Token`'s bridged token. */
  async withdraw(l2Signer: Signer, args: { amount: bigint; l1Recipient?: string; l1Token?: string }) {
    const l1Recipient = args.l1Recipient ?? (await l2Signer.getAddress());
    const token = args.l1Token ? this.l2TokenAddress(args.l1Token) : ZeroAddress;
    const tx = await l2Signer.sendTransaction({ to: WITHDRAWAL_PREDEPLOY, data: withdrawIface.encodeFunctionData("withdraw", [l1Recipient, token, args.amount]) });
    const receipt = (await tx.wait())!;
    const log = receipt.logs.map((l) => withdrawIface.parseLog(l)).find((e) => e?.name === "WithdrawalInitiated");
    if (!log) throw new CairnClientError("the withdrawal left no WithdrawalInitiated log");
    return { l2Tx: tx.hash, withdrawalId: log.args.id as bigint };
  }

  /** Where withdrawal `id` stands: on L2, posted (challengeable until a time), ready, or finalized. */
  async getWithdrawalStatus(id: bigint): Promise<WithdrawalStatus> {
    const p = await this.proof(id);
    if (await this.bridge.isWithdrawalFinalized(id)) return { state: "finalized", id, batchIndex: p.batchIndex === null ? null : BigInt(p.batchIndex), challengeableUntil: null };
    if (p.batchIndex === null) return { state: "on-l2", id, batchIndex: null, challengeableUntil: null };
    const batchIndex = BigInt(p.batchIndex);
    if (await this.rollup.isFinal(batchIndex)) return { state: "ready", id, batchIndex, challengeableUntil: null };
    const header = await this.rollup.getBatch(batchIndex);
    return { state: "posted", id, batchIndex, challengeableUntil: Number(header.timestamp + (await this.rollup.challengeWindow())) };
  }

  /** Waits until withdrawal `id` has reached `state` (or a later one). */
  async waitForWithdrawal(id: bigint, state: WithdrawalState, timeoutMs = 15 * 60_000): Promise<WithdrawalStatus> {
    const order: WithdrawalState[] = ["on-l2", "posted", "ready", "finalized"];
    return this.until(`withdrawal ${id} ${state}`, timeoutMs, async () => {
      const s = await this.getWithdrawalStatus(id);
      return order.indexOf(s.state) >= order.indexOf(state) ? s : null;
    });
  }

  /** Pays withdrawal `id` out on L1 (its batch must be final), with the proof from the L2 node. */
  async finalizeWithdrawal(id: bigint): Promise<TransactionReceipt> {
    const p = await this.proof(id);
    if (p.batchIndex === null || !p.proof) throw notPostedYet(id);
    const w = { ...p.withdrawal, id: BigInt(p.withdrawal.id), amount: BigInt(p.withdrawal.amount) };
    return (await (await this.bridge.finalizeWithdrawal(w, BigInt(p.batchIndex), p.proof)).wait())!;
  }

  /** Waits until the L2 block holding `l2TxHash` is in a batch posted on L1; returns its index. */
  async waitForBatch(l2TxHash: string, timeoutMs = 10 * 60_000): Promise<bigint> {
    return this.until(`batch of ${l2TxHash}`, timeoutMs, async () => {
      const receipt = await this.options.l2.getTransactionReceipt(l2TxHash);
      if (!receipt) return null;
      const safe = await this.options.l2.getBlock("safe");
      if (!safe || safe.number < receipt.blockNumber) return null;
      return BigInt(await this.rollup.batchCount()) - 1n;
    });
  }

  private async queued(receipt: TransactionReceipt) {
    const event = receipt.logs.map((l) => this.bridge.interface.parseLog(l)).find((e) => e?.name === "QueueEntryAdded");
    if (!event) throw new CairnClientError("the deposit left no QueueEntryAdded log");
    const queueIndex = event.args.index as bigint;
    const credited = this.until(`deposit ${queueIndex} credited on L2`, 10 * 60_000, async () => {
      const status = (await this.options.l2.send("rollup_status", [])) as RollupStatus;
      return BigInt(status.queueConsumed) > queueIndex ? true : null;
    });
    credited.catch(() => {}); // a caller that never awaits it must not crash the process
    return { l1Tx: receipt.hash, queueIndex, amount: event.args.amount as bigint, credited };
  }

  private async proof(id: bigint): Promise<WithdrawalProofResponse> {
    try {
      return (await this.options.l2.send("rollup_getWithdrawalProof", [{ id: "0x" + id.toString(16) }])) as WithdrawalProofResponse;
    } catch (e) {
      if (!isRpcErrorAnswer(e)) throw e;
      throw new CairnClientError(`the L2 node does not know withdrawal ${id}`, { cause: e });
    }
  }

  private signer(): Signer {
    const l1 = this.options.l1 as Signer;
    if (typeof l1.getAddress !== "function") throw new CairnClientError("this needs an L1 signer, not a provider");
    return l1;
  }

  private async until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== null) return v;
      if (Date.now() > deadline) throw new CairnClientError(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}

/** Whether `e` is the node's JSON-RPC error answer (ethers gives one it has no name for as UNKNOWN_ERROR), not a failure to reach it. */
function isRpcErrorAnswer(e: unknown): boolean {
  return isError(e, "UNKNOWN_ERROR") && typeof (e.error as { code?: unknown } | undefined)?.code === "number";
}
