/** What a JSON-RPC method is, how block tags name blocks, and which state a read answers from: shared by every namespace. */
import type { L2Backend } from "../../chain/backend";
import type { L2Block } from "../../chain/chainStore";
import type { HistoricalState } from "../../chain/historicalState";
import { liveReader, type StateReader } from "../../chain/stateReader";
import type { TokenMetadata } from "../../chain/tokens";
import { rpcError, RpcCode } from "../errors";
import type { RequestContext } from "../limits";
import type * as p from "../params";

/** A JSON-RPC method: its positional params, and who is calling (for per-client quotas). */
export type Method = (params: unknown[], context: RequestContext) => unknown | Promise<unknown>;

export type Methods = Record<string, Method>;

/** The block `tag` names: "safe" ends the last posted batch, "finalized" the last final one. */
export function resolveBlock(backend: L2Backend, tag: p.BlockTag): L2Block | undefined {
  const chain = backend.chain;
  switch (tag) {
    case "latest":
    case "pending":
      return chain.latest;
    case "earliest":
      return chain.block(0);
    case "safe":
      return lastBlockOfBatch(backend, chain.batches.length);
    case "finalized":
      return lastBlockOfBatch(backend, backend.status().batches.final);
    default:
      return chain.block(tag);
  }
}

/** The last block of the `count`th batch; genesis before the first. */
function lastBlockOfBatch(backend: L2Backend, count: number): L2Block | undefined {
  const last = backend.chain.batches[count - 1];
  return backend.chain.block(last ? last.lastBlock : 0);
}

/** The block `ref` names; -32000 "header not found" (geth's words) when the node has none. */
export function blockAt(backend: L2Backend, ref: p.BlockRef): L2Block {
  const block = typeof ref === "object" ? backend.chain.blockByHash(ref.hash) : resolveBlock(backend, ref);
  if (!block) throw rpcError(RpcCode.SERVER, typeof ref === "object" ? "header for hash not found" : "header not found");
  return block;
}

/** A state a read answers from, and the block it is the post-state of. */
export interface ReadAt {
  readonly block: L2Block;
  readonly state: StateReader;
}

/**
 * The state `ref` names. "latest" and "pending" read the live state (on the sequencer, with the
 * open block's changes, as a transaction's effects show at once); any other block — by number,
 * hash or tag — its post-state, from the node's history: -32000 "historical state is not
 * available" for one older than it keeps.
 */
export function stateAt(backend: L2Backend, ref: p.BlockRef): ReadAt {
  if (readsLive(backend, ref)) return { block: backend.chain.latest, state: liveReader(backend.state) };
  const block = blockAt(backend, ref);
  const past = pastState(backend, block);
  // A backend without a history (a test's) still answers at its latest block.
  return { block, state: past ?? liveReader(backend.state) };
}

/**
 * Whether `ref` reads the live state: at latest and pending, unless the state has run ahead of
 * the latest block — a replica part-way through a batch (it awaits between commitments), whose
 * blocks are not appended yet and are dropped if the batch does not replay: then the latest
 * block's post-state is read from the history.
 */
export function readsLive(backend: L2Backend, ref: p.BlockRef): boolean {
  return (ref === "latest" || ref === "pending") && !(backend.history && backend.history.newest > backend.chain.latest.number);
}

/** Block `block`'s post-state from the node's history; undefined only for a backend without one, at its latest block. */
export function pastState(backend: L2Backend, block: L2Block): HistoricalState | undefined {
  const history = backend.history;
  const past = history?.at(block.number, block.hash);
  if (past || (!history && block === backend.chain.latest)) return past;
  const kept = history ? `this node keeps the state of blocks ${history.oldest} to ${backend.chain.latest.number}` : "this node keeps the latest state only";
  throw rpcError(RpcCode.SERVER, `historical state is not available (block ${block.number}; ${kept})`);
}

/** What a call reads: the state at one block, and what the backend says of tokens and fees. */
export interface CallBackend extends ReadAt {
  readonly chainId: bigint;
  readonly baseFee: bigint;
  tokenMetadata(tokenId: number): TokenMetadata | undefined;
}

/** eth_call's and eth_estimateGas's view of `backend` at the block `ref` names (see {@link stateAt}). */
export function callAt(backend: L2Backend, ref: p.BlockRef): CallBackend {
  const { block, state } = stateAt(backend, ref);
  // A past block's own base fee (Multicall3's getBasefee); at latest and pending, the one the next block charges.
  const baseFee = ref === "latest" || ref === "pending" ? backend.baseFee : block.baseFee;
  return { block, state, chainId: backend.chainId, baseFee, tokenMetadata: (id) => backend.tokenMetadata(id) };
}
