/**
 * Cairn's own `rollup_*` methods as the SDK calls them: through an ethers `JsonRpcProvider` or a
 * viem client, with their hex quantities read into bigints once, here.
 */
import type { Hex, WithdrawalProofResponse } from "../../chain/api";
import type { WithdrawalProof, WithdrawalRef } from "../types";

/** `n` as a JSON-RPC quantity. */
export function quantity(n: bigint | number): Hex {
  return `0x${n.toString(16)}`;
}

/** The parameter `rollup_getWithdrawalProof` takes for `ref`. */
export function withdrawalProofParam(ref: WithdrawalRef): { id: Hex } | string {
  return "id" in ref ? { id: quantity(ref.id) } : ref.hash;
}

/** How a withdrawal reference reads in a message. */
export function describeRef(ref: WithdrawalRef): string {
  return "id" in ref ? ref.id.toString() : ref.hash;
}

/** The node's answer with its quantities as bigints. */
export function toWithdrawalProof(p: WithdrawalProofResponse): WithdrawalProof {
  return {
    withdrawal: { ...p.withdrawal, id: BigInt(p.withdrawal.id), amount: BigInt(p.withdrawal.amount) },
    l2BlockNumber: BigInt(p.l2BlockNumber),
    batchIndex: p.batchIndex === null ? null : BigInt(p.batchIndex),
    proof: p.proof,
  };
}
