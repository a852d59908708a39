/**
 * A transaction's page: what it moved, what it cost, its logs, where its block stands on L1,
 * and for a withdrawal, whether it has a proof and can be finalized now.
 */
import { getWithdrawalProof, UnknownWithdrawalError } from "../../sdk";
import type { TxPage, WithdrawalDetail } from "../api";
import type { WithdrawalLog } from "../chainIndex";
import type { ExplorerData } from "../data";
import { describeLog, movementOf, type RawTx } from "../decode";
import { blockPosting, withdrawalView, type Posting } from "../postings";

interface RpcTx extends RawTx {
  hash: string;
  from: string;
  nonce: string;
  type: string;
  gas: string;
  blockNumber: string | null;
  blockHash: string | null;
}

interface RpcReceipt {
  blockNumber: string;
  gasUsed: string;
  effectiveGasPrice: string;
  logs: Array<{ logIndex: string; address: string; topics: string[]; data: string }>;
}

/** The page of transaction `hash` (0x and 64 hex digits); null when the L2 knows no such transaction. */
export async function txPage(data: ExplorerData, hash: string): Promise<TxPage | null> {
  const view = await data.fresh();
  const [tx, receipt] = (await Promise.all([data.l2.send("eth_getTransactionByHash", [hash]), data.l2.send("eth_getTransactionReceipt", [hash])])) as [RpcTx | null, RpcReceipt | null];
  if (!tx) return null;
  const m = movementOf(tx, data.tokenAt);
  const block = receipt ? Number(receipt.blockNumber) : null;
  const withdrawal = data.index.withdrawalOf(hash);
  const gasUsed = receipt ? BigInt(receipt.gasUsed) : null;
  const price = receipt ? BigInt(receipt.effectiveGasPrice) : null;
  return {
    ...(block === null ? { batch: null, revertedIn: [] } : blockPosting(view.postings, block)),
    hash: tx.hash.toLowerCase(),
    status: receipt ? "included" : "pending",
    block,
    blockHash: tx.blockHash,
    // The index may lag a block just sealed; the time then shows on the next refresh.
    time: block === null ? null : (data.index.blocks[block]?.time ?? null),
    from: tx.from.toLowerCase(),
    to: (tx.to ?? "").toLowerCase(),
    kind: m.kind,
    recipient: m.recipient,
    amount: m.amount.toString(),
    token: m.token,
    owner: m.owner,
    nonce: Number(tx.nonce),
    value: BigInt(tx.value).toString(),
    type: Number(tx.type),
    gasLimit: BigInt(tx.gas).toString(),
    gasUsed: gasUsed?.toString() ?? null,
    effectiveGasPrice: price?.toString() ?? null,
    fee: gasUsed !== null && price !== null ? (gasUsed * price).toString() : null,
    input: tx.input,
    logs: (receipt?.logs ?? []).map((l) => ({ index: Number(l.logIndex), address: l.address, topics: l.topics, data: l.data, decoded: describeLog(l, data.tokenAt, data.tokenOnL1) })),
    withdrawal: withdrawal ? await withdrawalDetail(data, view.postings, withdrawal) : null,
  };
}

/** Where withdrawal `w` stands on L1, and the proof the L2 node holds for it. */
async function withdrawalDetail(data: ExplorerData, postings: Posting[], w: WithdrawalLog): Promise<WithdrawalDetail> {
  const view = withdrawalView(data.history, postings, w, data.tokenOnL1);
  // The proof comes from the node that sealed the block; a node that rewound past it (a replica
  // after a fraud proof) has none for now, which the page shows as not available.
  const answer = await getWithdrawalProof({ l2: data.l2 }, { id: BigInt(w.id) }).catch((e: unknown) => {
    if (e instanceof UnknownWithdrawalError) return null;
    throw e;
  });
  return {
    ...view,
    proof: answer?.batchIndex != null && answer.proof ? { batchIndex: Number(answer.batchIndex), hashes: answer.proof.length } : null,
    finalizableNow: view.state === "ready",
    payoutTx: data.history.payouts.get(w.id)?.l1Tx ?? null,
  };
}
