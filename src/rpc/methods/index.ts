/**
 * The L2 JSON-RPC methods, answering as an Ethereum node does for everything a payments-and-
 * tokens chain can do, one file a namespace. Methods read a backend (the sequencer, or a
 * replica) and never change state except through `eth_sendRawTransaction`.
 */
import type { L2Backend } from "../../chain/backend";
import { rpcLimits, type RpcLimits } from "../limits";
import { callMethods } from "./calls";
import { debugMethods } from "./debug";
import { evmMethods } from "./evm";
import { ethReadMethods } from "./ethReads";
import { logMethods } from "./logFilters";
import { proofMethods } from "./proofs";
import type { Methods } from "./method";
import { withArity } from "./arity";
import { rollupMethods } from "./rollup";
import { transactionMethods } from "./transactions";

export type { Method, Methods } from "./method";
export { MULTICALL3 } from "./multicall";

/**
 * The methods over `backend`. `limits` bounds what one request and one client may ask of the
 * filter table (the RpcServer serving them bounds the rest); the nodes use the defaults.
 */
export function createMethods(backend: L2Backend, limits: Partial<RpcLimits> = {}): Methods {
  const methods: Methods = {
    ...ethReadMethods(backend),
    ...callMethods(backend),
    ...proofMethods(backend),
    ...transactionMethods(backend),
    ...logMethods(backend, rpcLimits(limits)),
    ...rollupMethods(backend),
    ...debugMethods(backend),
  };
  // Experimental EVM mode answers for contracts first, and falls back to the methods above.
  return withArity(backend.experimentalEvm ? { ...methods, ...evmMethods(backend, methods) } : methods);
}
