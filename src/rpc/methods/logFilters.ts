/** Logs: eth_getLogs, and the polled filters ethers' `contract.on` and `provider.on("block")` install. */
import type { L2Backend } from "../../chain/backend";
import { invalidParams, rpcError, RpcCode } from "../errors";
import { FilterManager } from "../filters";
import type { RpcLimits } from "../limits";
import { collectLogs, parseLogFilter } from "../logs";
import type * as p from "../params";
import { resolveBlock, type Methods } from "./method";

export function logMethods(backend: L2Backend, limits: RpcLimits): Methods {
  const filters = new FilterManager(backend.chain, limits);
  const resolve = (tag: p.BlockTag) => resolveBlock(backend, tag);
  return {
    eth_getLogs: ([filter]) => collectLogs(backend.chain, parseLogFilter(filter, limits), resolve),
    eth_newFilter: ([filter], { client }) => filters.newLogFilter(parseLogFilter(filter, limits), client),
    eth_newBlockFilter: (_params, { client }) => filters.newBlockFilter(client),
    eth_newPendingTransactionFilter: () => {
      throw rpcError(RpcCode.SERVER, "pending transaction filters are not supported: Cairn seals blocks within a block time, so poll eth_newBlockFilter");
    },
    eth_getFilterChanges: ([id]) => filters.changes(filterId(id)),
    eth_getFilterLogs: ([id]) => {
      const f = filters.get(filterId(id));
      if (f.kind !== "logs") throw rpcError(RpcCode.SERVER, "filter is not a log filter");
      return collectLogs(backend.chain, f.filter, resolve);
    },
    eth_uninstallFilter: ([id]) => filters.uninstall(filterId(id)),
  };
}

function filterId(id: unknown): string {
  if (typeof id !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(id)) throw invalidParams("filter id must be a hex string");
  return id;
}
