/**
 * The EVM's precompiles on a worker thread (experimental EVM mode). The engine pauses between
 * opcodes (core/evm/engine.ts), but a precompile call runs whole, and some are slow in JavaScript
 * for their gas: a free `eth_call` of blake2f with 8M rounds held the event loop ~2.9 s, a
 * 60-pair BN254 pairing ~1 s. Simulations send every precompile call here, to the engine's own
 * implementation (the same package, the same hardfork), and wait without holding the thread.
 */
import { Worker } from "node:worker_threads";
import { CairnError } from "../core/errors";
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
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(o: PrecompileOutcome): void; reject(e: Error): void }>();
  private next = 0;
  /** Why the worker is gone, once it is. */
  private gone: string | null = null;

  constructor() {
    const workerData = { evm: require.resolve("@ethereumjs/evm"), common: require.resolve("@ethereumjs/common"), hardfork: EVM_HARDFORK };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    // Idle, it must not keep the process alive.
    this.worker.unref();
    this.worker.on("message", (m: Answer) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.out) p.resolve({ executionGasUsed: BigInt(m.out.executionGasUsed), returnValue: m.out.returnValue, ...(m.out.error !== undefined ? { error: m.out.error } : {}) });
      else p.resolve({ thrown: m.thrown ?? "no answer" });
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on("error", (e) => this.failAll(e.message));
    this.worker.on("exit", (code) => this.failAll(`exited with code ${code}`));
  }

  /** Whether the worker has gone (crashed or closed): it answers nothing more; start another. */
  get dead(): boolean {
    return this.gone !== null;
  }

  /** Runs the precompile at `address` (40 hex digits, no 0x) on `data` with `gasLimit`, as the engine would. */
  readonly run = (address: string, data: Uint8Array, gasLimit: bigint): Promise<PrecompileOutcome> => {
    if (this.gone !== null) return Promise.reject(new PrecompileWorkerError(this.gone));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Working, it keeps the process alive until it answers.
      this.worker.ref();
      this.worker.postMessage({ id, address, data, gasLimit: gasLimit.toString() });
    });
  };

  async close(): Promise<void> {
    this.gone ??= "closed";
    await this.worker.terminate();
  }

  private failAll(reason: string): void {
    this.gone ??= reason;
    for (const p of this.pending.values()) p.reject(new PrecompileWorkerError(reason));
    this.pending.clear();
  }
}
