/** A block's page: its header, its transactions, and the batch that posted it. */
import type { BlockPage } from "../api";
import type { ExplorerData } from "../data";
import { movementOf, type RawTx } from "../decode";
import { blockPosting } from "../postings";

interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  stateRoot: string;
  miner: string;
  gasUsed: string;
  baseFeePerGas: string;
  size: string;
  transactions: Array<RawTx & { hash: string; from: string }>;
}

/** The page of block `ref`: a number, or a hash (0x and 64 hex digits); null when the L2 has no such block. */
export async function blockPage(data: ExplorerData, ref: number | string): Promise<BlockPage | null> {
  const view = await data.fresh();
  const b = (typeof ref === "number" ? await data.l2.send("eth_getBlockByNumber", ["0x" + ref.toString(16), true]) : await data.l2.send("eth_getBlockByHash", [ref, true])) as RpcBlock | null;
  if (!b) return null;
  const number = Number(b.number);
  const time = Number(b.timestamp);
  return {
    ...blockPosting(view.postings, number),
    number,
    hash: b.hash,
    parentHash: b.parentHash,
    time,
    stateRoot: b.stateRoot,
    feeRecipient: b.miner,
    gasUsed: BigInt(b.gasUsed).toString(),
    baseFee: BigInt(b.baseFeePerGas).toString(),
    size: Number(b.size),
    head: Math.max(view.status.l2BlockNumber, number),
    txs: b.transactions.map((t) => {
      const m = movementOf(t, data.tokenAt);
      return { hash: t.hash, block: number, time, from: t.from, to: t.to ?? "", kind: m.kind, recipient: m.recipient, amount: m.amount.toString(), token: m.token, owner: m.owner };
    }),
  };
}
