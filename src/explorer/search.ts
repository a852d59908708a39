/**
 * The search box: what a query names. A 64-digit hash is an L2 transaction, an L2 block or the
 * L1 transaction of a batch posting; 40 digits an address; a number a block or a batch index
 * (both, when both exist: the page then offers each); a token's symbol its L2 address. "block
 * 7", "batch 3" and "#3" say which they mean.
 */
import type { SearchAnswer } from "./api";
import type { ExplorerData } from "./data";
import { findPosting } from "./postings";

type Result = SearchAnswer["results"][number];

/** Longest query looked at: the longest that can name anything is a 66-character hash. */
const MAX_QUERY = 100;

export async function search(data: ExplorerData, query: string): Promise<SearchAnswer> {
  const q = query.trim().slice(0, MAX_QUERY);
  return { query: q, results: q ? await resultsFor(data, q) : [] };
}

async function resultsFor(data: ExplorerData, q: string): Promise<Result[]> {
  const view = await data.fresh();
  if (/^0x[0-9a-f]{64}$/i.test(q)) {
    const hash = q.toLowerCase();
    const out: Result[] = [];
    // The index misses a transaction still in the block being built: the node has it.
    if (data.index.tx(hash) || (await data.l2.send("eth_getTransactionByHash", [hash]))) out.push({ kind: "tx", label: `Transaction ${hash}`, path: `/tx/${hash}` });
    const block = data.index.blockByHash(hash);
    if (block) out.push({ kind: "block", label: `Block ${block.number}`, path: `/block/${block.number}` });
    for (const p of view.postings) if (p.record.l1Tx.toLowerCase() === hash) out.push({ kind: "batch", label: `Batch ${p.ref.label} (its L1 transaction)`, path: p.ref.path });
    return out;
  }
  if (/^0x[0-9a-f]{40}$/i.test(q)) {
    const address = q.toLowerCase();
    const token = data.tokenAt(address);
    return [{ kind: "address", label: token ? `Token ${token.symbol} (${address})` : `Address ${address}`, path: `/address/${address}` }];
  }
  const number = /^(block\s*|batch\s*|#)?#?\s*(\d{1,15})$/i.exec(q);
  if (number) {
    const n = Number(number[2]);
    const only = number[1]?.trim().toLowerCase();
    const out: Result[] = [];
    if (only !== "batch" && only !== "#" && n <= data.index.head) out.push({ kind: "block", label: `Block ${n}`, path: `/block/${n}` });
    // The posting that stands; its page links the reverted ones of the same index.
    const batch = only === "block" ? undefined : findPosting(view.postings, n);
    if (batch) out.push({ kind: "batch", label: `Batch ${batch.ref.label}`, path: batch.ref.path });
    return out;
  }
  return data
    .tokens()
    .filter((t) => t.symbol.toLowerCase() === q.toLowerCase())
    .map((t) => ({ kind: "address", label: `Token ${t.symbol} (${t.l2Token})`, path: `/address/${t.l2Token}` }));
}
