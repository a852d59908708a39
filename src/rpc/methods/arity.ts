/**
 * How many positional params each method takes at most, as geth counts them: more is refused
 * -32602 "too many arguments, want at most N" rather than ignored — a third eth_call param is a
 * state override Cairn does not apply, and answering as if it had would mislead. Trailing nulls
 * count as absent.
 */
import { RpcCode, rpcError } from "../errors";
import type { Method, Methods } from "./method";

export const MAX_PARAMS: Record<string, number> = {
  web3_clientVersion: 0,
  net_version: 0,
  net_listening: 0,
  eth_chainId: 0,
  eth_accounts: 0,
  eth_syncing: 0,
  eth_blockNumber: 0,
  eth_gasPrice: 0,
  eth_maxPriorityFeePerGas: 0,
  eth_getBalance: 2,
  eth_getTransactionCount: 2,
  eth_getCode: 2,
  eth_getStorageAt: 3,
  eth_getProof: 3,
  eth_getBlockByNumber: 2,
  eth_getBlockByHash: 2,
  eth_getBlockTransactionCountByNumber: 1,
  eth_getBlockTransactionCountByHash: 1,
  eth_getTransactionByBlockNumberAndIndex: 2,
  eth_getTransactionByBlockHashAndIndex: 2,
  eth_feeHistory: 3,
  eth_call: 2,
  eth_estimateGas: 2,
  eth_createAccessList: 2,
  eth_sendRawTransaction: 1,
  eth_getTransactionByHash: 1,
  eth_getTransactionReceipt: 1,
  eth_getBlockReceipts: 1,
  eth_getLogs: 1,
  eth_newFilter: 1,
  eth_newBlockFilter: 0,
  eth_newPendingTransactionFilter: 0,
  eth_getFilterChanges: 1,
  eth_getFilterLogs: 1,
  eth_uninstallFilter: 1,
  rollup_status: 0,
  rollup_getBatch: 1,
  rollup_getWithdrawalProof: 1,
  rollup_getTokenBalances: 2,
  debug_traceTransaction: 2,
};

/** `methods`, each refusing more params than MAX_PARAMS gives it. */
export function withArity(methods: Methods): Methods {
  return Object.fromEntries(Object.entries(methods).map(([name, method]) => [name, bounded(name, method)]));
}

function bounded(name: string, method: Method): Method {
  const max = MAX_PARAMS[name];
  return (params, context) => {
    let given = params.length;
    while (given > max && (params[given - 1] === null || params[given - 1] === undefined)) given--;
    if (given > max) throw rpcError(RpcCode.INVALID_PARAMS, `too many arguments, want at most ${max}`);
    return method(params, context);
  };
}
