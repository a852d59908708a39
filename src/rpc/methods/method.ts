/** What a JSON-RPC method is, and how block tags name blocks: shared by every namespace. */
import type { L2Backend } from "../../chain/backend";
import type { L2Block } from "../../chain/chainStore";
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

/** Cairn keeps the current state only; older blocks' state is not served. */
export function requireCurrentState(backend: L2Backend, tag: p.BlockTag): "latest" | "pending" {
  if (tag === "pending") return "pending";
  if (tag === "latest" || tag === backend.chain.latest.number) return "latest";
  throw rpcError(RpcCode.SERVER, `historical state is not available (requested ${tag}; latest is ${backend.chain.latest.number})`);
}
