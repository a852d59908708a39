/**
 * debug_traceTransaction, for the tools that ask it (block explorers, Tenderly-style debuggers,
 * Hardhat's and Foundry's traces of a failed send): a Cairn transaction is one call with no
 * inner calls — an ETH transfer, a token transfer, approve or transferFrom, or a withdrawal to the predeploy — so its
 * callTracer frame is the whole trace, and the default tracer's opcode log is empty.
 */
import type { L2Backend } from "../../chain/backend";
import type { TxResult } from "../../core/execute";
import { invalidParams, rpcError, RpcCode } from "../errors";
import { quantity } from "../format";
import * as p from "../params";
import type { Methods } from "./method";

const TRUE_WORD = "0x" + "00".repeat(31) + "01";

export function debugMethods(backend: L2Backend): Methods {
  return {
    debug_traceTransaction: ([h, options]) => {
      const found = backend.chain.tx(p.hash32(h, "hash"));
      if (!found) throw rpcError(RpcCode.SERVER, "transaction not found");
      const tracer = tracerOf(options);
      return tracer === "callTracer" ? callFrame(backend, found.result) : { gas: Number(found.result.gasUsed), failed: false, returnValue: output(backend, found.result).slice(2), structLogs: [] };
    },
  };
}

function tracerOf(options: unknown): "callTracer" | "default" {
  if (options === undefined || options === null) return "default";
  if (typeof options !== "object" || Array.isArray(options)) throw invalidParams("trace options must be an object");
  const tracer = (options as { tracer?: unknown }).tracer;
  if (tracer === undefined) return "default";
  if (tracer === "callTracer") return "callTracer";
  // Not stringified unless a string: a value nested thousands deep overflows JSON.stringify's stack.
  if (typeof tracer !== "string") throw invalidParams("tracer must be a string");
  throw rpcError(RpcCode.SERVER, `tracer ${JSON.stringify(tracer)} is not supported: Cairn serves callTracer and the default tracer`);
}

/** What the call returned: a token's transfer, approve and transferFrom return true; an ETH transfer and a withdrawal return nothing. */
function output(backend: L2Backend, t: TxResult): string {
  return t.tx.to && backend.state.tokenByL2Address(t.tx.to) ? TRUE_WORD : "0x";
}

function callFrame(backend: L2Backend, t: TxResult) {
  return {
    type: "CALL",
    from: t.from,
    to: t.tx.to,
    value: quantity(t.tx.value),
    gas: quantity(t.tx.fee.gasLimit),
    gasUsed: quantity(t.gasUsed),
    input: "0x" + t.tx.data.toString("hex"),
    output: output(backend, t),
  };
}
