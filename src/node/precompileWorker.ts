/**
 * The EVM's precompiles on a worker thread (experimental EVM mode). The engine pauses between
 * opcodes (core/evm/engine.ts), but a precompile call runs whole, and some are slow in JavaScript
 * for their gas: a free `eth_call` of blake2f with 8M rounds held the event loop ~2.9 s, a
 * 60-pair BN254 pairing ~1 s. Simulations send every precompile call here, to the engine's own
 * implementation (the same package, the same hardfork), and wait without holding the thread.
 */
import { CairnError } from "../core/errors";
import { ThreadRequests } from "./threadRequests";
import { EVM_HARDFORK } from "../core/evm/evmTransaction";
import type { PrecompileOutcome } from "../core/evm/engine";

// Plain JavaScript, so the worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createEVM, getActivePrecompiles } = require(workerData.evm);
const { createCustomCommon, Mainnet } = require(workerData.common);
const common = createCustomCommon({ chainId: 1, name: "cairn-l2" }, Mainnet, { hardfork: workerData.hardfork });
const precompiles = getActivePrecompiles(common);
const evm = createEVM({ common });
parentPort.on("message", async ({ id, address, data, gasLimit }) => {
  try {
    const run = precompiles.get(address);
    if (!run) return parentPort.postMessage({ id, thrown: "no precompile at " + address });
    const e = await evm;
    const r = await run({ data, gasLimit: BigInt(gasLimit), common, _EVM: e, _debug: undefined, stateManager: e.stateManager });
    parentPort.postMessage({ id, out: { executionGasUsed: r.executionGasUsed.toString(), returnValue: r.returnValue, error: r.exceptionError ? r.exceptionError.error : undefined } });
  } catch (e) {
    parentPort.postMessage({ id, thrown: String((e && e.message) || e) });
  }
});
`;

/** The worker died. */
export class PrecompileWorkerError extends CairnError {
  override readonly name = "PrecompileWorkerError";
  readonly code = "PRECOMPILE_WORKER";
  constructor(reason: string) {
    super("precompile worker", { details: reason });
  }
}

interface Answer {
  id: number;
  out?: { executionGasUsed: string; returnValue: Uint8Array; error?: string };
  thrown?: string;
}

export class PrecompileWorker {
  private readonly thread = new ThreadRequests<Answer>(
    WORKER_SOURCE,
    { evm: require.resolve("@ethereumjs/evm"), common: require.resolve("@ethereumjs/common"), hardfork: EVM_HARDFORK },
    (reason) => new PrecompileWorkerError(reason),
  );

  /** Whether the worker has gone (crashed or closed): it answers nothing more; start another. */
  get dead(): boolean {
    return this.thread.dead;
  }

  /** Runs the precompile at `address` (40 hex digits, no 0x) on `data` with `gasLimit`, as the engine would. */
  readonly run = async (address: string, data: Uint8Array, gasLimit: bigint): Promise<PrecompileOutcome> => {
    const { out, thrown } = await this.thread.send({ address, data, gasLimit: gasLimit.toString() });
    if (!out) return { thrown: thrown ?? "no answer" };
    return { executionGasUsed: BigInt(out.executionGasUsed), returnValue: out.returnValue, ...(out.error !== undefined ? { error: out.error } : {}) };
  };

  close(): Promise<void> {
    return this.thread.close();
  }
}
