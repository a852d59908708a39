/** Cairn's own methods: the rollup's status, its batches, and proofs of withdrawals for L1. */
import type { Hex, RollupBatch, TokenBalance, WithdrawalProofResponse } from "../../chain/api";
import type { L2Backend } from "../../chain/backend";
import type { ChainStore, L2Block } from "../../chain/chainStore";
import type { Withdrawal } from "../../core/hashing";
import { proveWithdrawal } from "../../core/withdrawalProof";
import { invalidParams, rpcError, RpcCode } from "../errors";
import { address, data, quantity } from "../format";
import * as p from "../params";
import { stateAt, type Methods } from "./method";
import type { StateReader } from "../../chain/stateReader";

export function rollupMethods(backend: L2Backend): Methods {
  return {
    rollup_status: () => backend.status(),
    rollup_getBatch: ([index]) => {
      const i = p.optionalCount(index, "index");
      if (i === undefined) throw invalidParams("batch index required");
      return batchOf(backend, Number(i));
    },
    rollup_getWithdrawalProof: ([ref]) => withdrawalProofOf(backend.chain, findWithdrawal(backend.chain, ref)),
    rollup_getTokenBalances: ([a, tag]) => {
      const addr = p.address(a, "address");
      return tokenBalancesOf(backend, stateAt(backend, p.blockRef(tag)).state, addr);
    },
  };
}

/** The account's non-zero token balances in `state`, by token id. */
function tokenBalancesOf(backend: L2Backend, state: StateReader, addr: string): TokenBalance[] {
  return state.tokenBalances(addr).map(([tokenId, balance]) => {
    const token = state.token(tokenId)!;
    const meta = backend.tokenMetadata(tokenId);
    return { tokenId, l1Token: token.l1Address as Hex, l2Token: token.l2Address as Hex, symbol: meta?.symbol ?? "", decimals: meta?.decimals ?? 18, balance: quantity(balance) };
  });
}

function batchOf(backend: L2Backend, index: number): RollupBatch | null {
  const batch = backend.chain.batches[index];
  if (!batch) return null;
  return {
    index: quantity(batch.index),
    firstBlock: quantity(batch.firstBlock),
    lastBlock: quantity(batch.lastBlock),
    stateRoot: backend.chain.block(batch.lastBlock)!.stateRoot,
    l1TxHash: batch.l1TxHash || null,
    l1Block: batch.l1Block ? quantity(batch.l1Block) : null,
    final: batch.index < backend.status().batches.final,
  };
}

/** A withdrawal and the block that made it, by the L2 transaction that withdrew or by `{ id }` — forced ones have no transaction. */
function findWithdrawal(chain: ChainStore, ref: unknown): { block: L2Block; withdrawal: Withdrawal } {
  if (typeof ref === "object" && ref !== null && "id" in ref) {
    const id = p.optionalQuantity((ref as { id: unknown }).id, "id");
    if (id === undefined) throw invalidParams("id required");
    const block = chain.blockOfWithdrawal(id);
    const withdrawal = block?.withdrawals.find((x) => x.id === id);
    if (!block || !withdrawal) throw rpcError(RpcCode.SERVER, `no withdrawal ${id} in an L2 block`);
    return { block, withdrawal };
  }
  const found = chain.tx(p.hash32(ref, "hash"));
  if (!found?.result.withdrawal) throw rpcError(RpcCode.SERVER, "not a withdrawal included in an L2 block");
  return { block: found.block, withdrawal: found.result.withdrawal };
}

/** The withdrawal as L1 takes it, and once its block is posted, the batch and the proof against it. */
function withdrawalProofOf(chain: ChainStore, { block, withdrawal: w }: { block: L2Block; withdrawal: Withdrawal }): WithdrawalProofResponse {
  const base = {
    withdrawal: { id: quantity(w.id), l2Sender: address(w.l2Sender), l1Recipient: address(w.l1Recipient), l1Token: address(w.l1Token), amount: quantity(w.amount) },
    l2BlockNumber: quantity(block.number),
  };
  if (block.batchIndex === null) return { ...base, batchIndex: null, proof: null };
  const batch = chain.batches[block.batchIndex];
  const proof = proveWithdrawal(chain.blocks.slice(batch.firstBlock, batch.lastBlock + 1), block.number, w.id, batch.blobBlocks);
  return { ...base, batchIndex: quantity(batch.index), proof: proof.map(data) };
}
