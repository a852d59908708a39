/**
 * Forced withdrawals: the exit users have when the sequencer ignores them. Each is requested on
 * L1 (Bridge.forceWithdrawal), must show up as a withdrawal in the L2 chain posted to L1, and is
 * complete only when the Bridge has paid it out after the challenge window.
 */
import { ZeroAddress } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Bridge } from "../../typechain-types";
import type { ChainStore } from "../../src/chain/chainStore";
import type { HttpRpc } from "./rpcClient";

export interface ForcedRequest {
  user: HardhatEthersSigner;
  amount: bigint;
  /** The attack it was made under. */
  phase: string;
  /** The withdrawal id on L2 once found in the chain, and whether the Bridge paid it. */
  id?: bigint;
  paid: boolean;
  /** Why it is not paid, when it is not. */
  failure?: string;
}

interface WithdrawalProof {
  withdrawal: { id: string; l2Sender: string; l1Recipient: string; l1Token: string; amount: string };
  batchIndex: string | null;
  proof: string[] | null;
}

export class ForcedWithdrawals {
  readonly requests: ForcedRequest[] = [];

  constructor(private readonly bridge: Bridge) {}

  async request(user: HardhatEthersSigner, amount: bigint, phase: string): Promise<void> {
    await (await this.bridge.connect(user).forceWithdrawal(ZeroAddress, amount)).wait();
    this.requests.push({ user, amount, phase, paid: false });
  }

  /**
   * Finds each request's withdrawal in `chain` (an ETH withdrawal of its amount to its user, one
   * withdrawal per request) and finalizes it on the Bridge with the proof `rpc` serves.
   */
  async finalizeAll(chain: ChainStore, rpc: HttpRpc, payer: HardhatEthersSigner): Promise<void> {
    const taken = new Set<bigint>();
    for (const r of this.requests) {
      const w = chain.blocks
        .flatMap((b) => b.withdrawals)
        .find((x) => !taken.has(x.id) && x.l1Recipient === r.user.address.toLowerCase() && x.l1Token === ZeroAddress && x.amount === r.amount);
      if (!w) {
        r.failure = "not in the L2 chain";
        continue;
      }
      taken.add(w.id);
      r.id = w.id;
      try {
        await this.finalize(w.id, rpc, payer);
        r.paid = await this.bridge.isWithdrawalFinalized(w.id);
        if (!r.paid) r.failure = "finalizeWithdrawal did not mark it paid";
      } catch (e) {
        r.failure = (e as Error).message.slice(0, 300);
      }
    }
  }

  private async finalize(id: bigint, rpc: HttpRpc, payer: HardhatEthersSigner): Promise<void> {
    const p = await rpc.call<WithdrawalProof>("rollup_getWithdrawalProof", [{ id: "0x" + id.toString(16) }]);
    if (p.batchIndex === null || p.proof === null) throw new Error(`withdrawal ${id} is not posted in a batch`);
    const w = { ...p.withdrawal, id: BigInt(p.withdrawal.id), amount: BigInt(p.withdrawal.amount) };
    await (await this.bridge.connect(payer).finalizeWithdrawal(w, BigInt(p.batchIndex), p.proof)).wait();
  }
}
