/**
 * Cairn as viem actions, in the style of viem's `publicActions` / `walletActions`: extend an L2
 * public client with Cairn's RPC methods, and an L1 wallet client with deposits and withdrawal
 * finalization.
 *
 * @example
 * const l2 = createPublicClient({ transport: http(l2Url) }).extend(cairnL2Actions());
 * const l1 = createWalletClient({ account, chain, transport: http(l1Url) }).extend(cairnL1Actions(addresses));
 * await l1.depositETH({ amount: parseEther("1") });
 * const proof = await l2.getWithdrawalProof({ id: 0n });
 * await l1.finalizeWithdrawal({ proof });
 */
import type { Account, Address, Chain, Client, Hash, Hex, Transport } from "viem";
import { writeContract, readContract } from "viem/actions";
import { Bridge__factory, Rollup__factory } from "../../typechain-types";
import type { RollupStatus, WithdrawalProofResponse } from "../chain/api";
import type { CairnAddresses } from "./client";
import { notPostedYet } from "./errors";

/** `rollup_getWithdrawalProof`'s answer with its quantities as bigints, as `finalizeWithdrawal` takes it. */
export interface WithdrawalProof {
  withdrawal: { id: bigint; l2Sender: Address; l1Recipient: Address; l1Token: Address; amount: bigint };
  batchIndex: bigint | null;
  proof: Hex[] | null;
}

/** Cairn's own L2 methods on a viem client connected to a Cairn node. */
export function cairnL2Actions() {
  return <T extends Transport, C extends Chain | undefined>(client: Client<T, C>) => ({
    /** `rollup_status`: L2 head, batches posted/final/reverted, pending deposits. */
    getRollupStatus: () => client.request({ method: "rollup_status" as never }) as Promise<RollupStatus>,
    /** What `Bridge.finalizeWithdrawal` needs, by withdrawal id or by the L2 transaction. */
    getWithdrawalProof: async (ref: { id: bigint } | { hash: Hash }): Promise<WithdrawalProof> => {
      const param = "id" in ref ? { id: `0x${ref.id.toString(16)}` } : ref.hash;
      const p = (await client.request({ method: "rollup_getWithdrawalProof" as never, params: [param] as never })) as WithdrawalProofResponse;
      return {
        withdrawal: { ...p.withdrawal, id: BigInt(p.withdrawal.id), amount: BigInt(p.withdrawal.amount) },
        batchIndex: p.batchIndex === null ? null : BigInt(p.batchIndex),
        proof: p.proof,
      };
    },
  });
}

/** Deposits and finalization on an L1 wallet client. */
export function cairnL1Actions(addresses: CairnAddresses) {
  const bridge = { address: addresses.bridge as Address, abi: Bridge__factory.abi };
  const rollup = { address: addresses.rollup as Address, abi: Rollup__factory.abi };
  return <T extends Transport, C extends Chain | undefined, A extends Account | undefined>(client: Client<T, C, A>) => ({
    /** Deposits `amount` wei to `l2Recipient` (default: the account) on L2. */
    depositETH: (args: { amount: bigint; l2Recipient?: Address }) =>
      writeContract(client, { ...bridge, functionName: "depositETH", args: [args.l2Recipient ?? client.account!.address], value: args.amount } as never),
    /** Deposits `amount` of `l1Token` (the bridge must be approved). */
    depositERC20: (args: { l1Token: Address; amount: bigint; l2Recipient?: Address }) =>
      writeContract(client, { ...bridge, functionName: "depositERC20", args: [args.l1Token, args.l2Recipient ?? client.account!.address, args.amount] } as never),
    /** Queues a forced withdrawal of the account's own L2 funds (`l1Token` zero for ETH). */
    forceWithdrawal: (args: { amount: bigint; l1Token?: Address }) =>
      writeContract(client, { ...bridge, functionName: "forceWithdrawal", args: [args.l1Token ?? "0x0000000000000000000000000000000000000000", args.amount] } as never),
    /** Pays out a withdrawal whose batch is final, with the proof from `getWithdrawalProof`. */
    finalizeWithdrawal: (args: { proof: WithdrawalProof }) => {
      const { proof } = args;
      if (proof.batchIndex === null || !proof.proof) throw notPostedYet(proof.withdrawal.id);
      return writeContract(client, { ...bridge, functionName: "finalizeWithdrawal", args: [proof.withdrawal, proof.batchIndex, proof.proof] } as never);
    },
    /** Whether batch `index` is final. */
    isBatchFinal: (args: { index: bigint }) => readContract(client, { ...rollup, functionName: "isFinal", args: [args.index] } as never) as Promise<boolean>,
  });
}
