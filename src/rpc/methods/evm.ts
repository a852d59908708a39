/**
 * Experimental EVM mode's answers (docs/design/evm.md, *Tracer bullet*): `eth_call`,
 * `eth_estimateGas`, `eth_getCode` and `eth_getStorageAt` for contracts, on top of the methods
 * of the default mode, which still answer for everything else (bridged tokens, Multicall3, the
 * withdrawal predeploy, accounts without code). A request goes to the engine as a transaction
 * would (core/evm/routing.ts): a creation, a call to an account with code, or calldata to any
 * address that is not native. Contract state is read at the latest block only: the node's
 * history does not keep code or storage yet, so a past block's contract state is refused.
 */
import type { L2Backend } from "../../chain/backend";
import { WITHDRAWAL_PREDEPLOY } from "../../core/constants";
import { estimateGasBy, simulateEvmCall, type EngineOptions, type EvmBlockContext, type EvmCall, type EvmCallResult } from "../../core/evm/engine";
import { OverloadedError } from "../../core/errors";
import { isContract } from "../../core/evm/routing";
import { MAX_EVM_TX_GAS } from "../../core/evm/evmTransaction";
import { rpcError, RpcCode } from "../errors";
import { quantity } from "../format";
import type { CallRequest } from "../params";
import * as p from "../params";
import { readsLive, type Method, type Methods } from "./method";
import { MULTICALL3 } from "./multicall";

/** Whether `req` runs in the engine on `backend`'s live state. */
function toEngine(backend: L2Backend, req: CallRequest): boolean {
  if (!req.to) return true;
  if (req.to === WITHDRAWAL_PREDEPLOY || req.to === MULTICALL3 || backend.state.tokenByL2Address(req.to)) return false;
  const index = backend.state.indexOf(req.to);
  return (index !== undefined && isContract(backend.state, index)) || req.data.length > 0;
}

/** A contract's state at `ref`: only the live state has it. */
function requireLive(backend: L2Backend, ref: p.BlockRef): void {
  if (!readsLive(backend, ref)) throw rpcError(RpcCode.SERVER, "historical contract state is not available: experimental EVM mode keeps the latest state of contracts only");
}

/** The next block's context, where calls and estimates run. */
function nextBlock(backend: L2Backend): EvmBlockContext {
  const latest = backend.chain.latest;
  return { chainId: backend.chainId, number: latest.number + 1, timestamp: latest.timestamp, baseFee: backend.baseFee, feeRecipient: backend.state.indexOf(latest.feeRecipient) ?? 0 };
}

function engineCall(req: CallRequest, raw: unknown): EvmCall {
  const gas = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? p.optionalQuantity((raw as Record<string, unknown>).gas, "gas") : undefined;
  // Simulation is held to what intake accepts: an answer above the cap could never be sent, and
  // each unit of gas is engine time on the node's main thread.
  if (gas !== undefined && gas > MAX_EVM_TX_GAS) throw rpcError(RpcCode.INVALID_PARAMS, `invalid params: gas ${gas} above the L2 transaction gas cap ${MAX_EVM_TX_GAS}`);
  return { from: req.from, to: req.to ?? null, data: req.data, value: req.value, ...(gas !== undefined ? { gas } : {}) };
}

/**
 * Runs simulation `run` in the engine in the backend's turn, with the next block's context as it
 * stands when the turn comes; a node too busy to take it answers "limit exceeded".
 */
async function inTurn(backend: L2Backend, run: (ctx: EvmBlockContext, options: EngineOptions) => Promise<EvmCallResult>): Promise<EvmCallResult> {
  if (!backend.simulate) return run(nextBlock(backend), {});
  try {
    return await backend.simulate((options) => run(nextBlock(backend), options));
  } catch (e) {
    if (e instanceof OverloadedError) throw rpcError(RpcCode.LIMIT_EXCEEDED, e.message);
    throw e;
  }
}

/** A failed call as geth answers it: a revert with its data (code 3), or the engine's reason. */
function failure(r: EvmCallResult): never {
  if (r.error === "revert") throw rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted", "0x" + r.returnData.toString("hex"));
  throw rpcError(RpcCode.SERVER, `execution failed: ${r.error ?? "unknown"}`);
}

/** `base`'s methods with the contract-aware answers in front (experimental EVM mode only). */
export function evmMethods(backend: L2Backend, base: Methods): Methods {
  const fallback = (name: string): Method => base[name];
  return {
    eth_call: async (params, context) => {
      const [raw, tag] = params;
      const req = p.callRequest(raw);
      if (!toEngine(backend, req)) return fallback("eth_call")(params, context);
      requireLive(backend, p.blockRef(tag));
      const call = engineCall(req, raw);
      const r = await inTurn(backend, (ctx, options) => simulateEvmCall(backend.state, call, ctx, options));
      return r.success ? "0x" + r.returnData.toString("hex") : failure(r);
    },
    eth_estimateGas: async (params, context) => {
      const [raw, tag] = params;
      const req = p.callRequest(raw);
      if (!toEngine(backend, req)) return fallback("eth_estimateGas")(params, context);
      requireLive(backend, p.blockRef(tag));
      if (req.from && req.value > 0n && (backend.state.accountOf(req.from)?.balance ?? 0n) < req.value) throw rpcError(RpcCode.SERVER, "insufficient funds for transfer");
      const call = engineCall(req, raw);
      // Each run in a turn of its own: a change to the state waits for one run, not the search.
      const r = await estimateGasBy((gas) => inTurn(backend, (ctx, options) => simulateEvmCall(backend.state, { ...call, gas }, ctx, options)), call.gas ?? MAX_EVM_TX_GAS);
      return r.success ? quantity(r.gasUsed) : failure(r);
    },
    eth_getCode: (params, context) => {
      const [a, tag] = params;
      const index = backend.state.indexOf(p.address(a, "address"));
      if (index === undefined || !backend.state.contractState.hasCode(index)) return fallback("eth_getCode")(params, context);
      requireLive(backend, p.blockRef(tag));
      return "0x" + backend.state.contractState.code(index).toString("hex");
    },
    eth_getStorageAt: (params, context) => {
      const [a, slot, tag] = params;
      const index = backend.state.indexOf(p.address(a, "address"));
      if (index === undefined || !isContract(backend.state, index)) return fallback("eth_getStorageAt")(params, context);
      requireLive(backend, p.blockRef(tag));
      const value = backend.state.contractState.storage(index, p.storageSlot(slot));
      return "0x" + value.toString(16).padStart(64, "0");
    },
  };
}
