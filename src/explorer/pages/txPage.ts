/** A transaction's page: what it moved, what it cost, its logs, and where its block stands on L1. */
import type { TxPage } from "../api";
import type { ExplorerData } from "../data";
import { describeLog, movementOf, type RawTx } from "../decode";
import { blockPosting, withdrawalView } from "../postings";

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
    nonce: Number(tx.nonce),
    value: BigInt(tx.value).toString(),
    type: Number(tx.type),
    gasLimit: BigInt(tx.gas).toString(),
    gasUsed: gasUsed?.toString() ?? null,
    effectiveGasPrice: price?.toString() ?? null,
    fee: gasUsed !== null && price !== null ? (gasUsed * price).toString() : null,
    input: tx.input,
    logs: (receipt?.logs ?? []).map((l) => ({ index: Number(l.logIndex), address: l.address, topics: l.topics, data: l.data, decoded: describeLog(l, data.tokenAt, data.tokenOnL1) })),
    withdrawal: withdrawal ? withdrawalView(data.history, view.postings, withdrawal, data.tokenOnL1) : null,
  };
}
