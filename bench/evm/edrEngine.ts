/**
 * Runs the benchmark's workloads on EDR, the Rust engine inside Hardhat 2.29, in process through
 * `hre.network.provider` (no HTTP). EDR owns its state and exposes it only through JSON-RPC, so
 * what can be timed is what an embedder could use:
 *
 * - `block`: automining off, every timed transaction sent with `eth_sendRawTransaction`, then
 *   blocks mined with `evm_mine` until all are in — execution in blocks of many transactions
 *   (EDR recovers each sender itself, in Rust: included in the figure);
 * - `automine`: one block per transaction, Hardhat's default;
 * - `traced…`: one block per transaction, each followed by `debug_traceTransaction` — the only
 *   per-opcode view EDR gives. It re-executes the block up to the transaction, so each traced
 *   transaction is alone in its block (traced in blocks of n it would cost O(n²)).
 */
import type { EIP1193Provider } from "hardhat/types";
import { BENCH_CHAIN_ID, FUNDING, type BenchTransactions, type WorkloadName } from "./workloads";
import type { EngineRun, StructStep } from "./ethereumjsEngine";

export type EdrMode = "block" | "automine" | "tracedStackOnly" | "tracedFull";

interface StructLog {
  pc: number;
  op: string;
  gas: number;
  depth: number;
  stack?: string[];
}

interface Receipt {
  status: string;
  gasUsed: string;
  blockNumber: string;
}

/** debug_traceTransaction's options for a mode: the stack only, or stack, memory and storage. */
const TRACE_OPTIONS: Record<"tracedStackOnly" | "tracedFull", Record<string, boolean>> = {
  tracedStackOnly: { disableMemory: true, disableStorage: true },
  tracedFull: {},
};

async function rpc<T>(p: EIP1193Provider, method: string, params: unknown[] = []): Promise<T> {
  return (await p.request({ method, params })) as T;
}

async function sendAll(p: EIP1193Provider, raws: string[]): Promise<string[]> {
  const hashes: string[] = [];
  for (const raw of raws) hashes.push(await rpc<string>(p, "eth_sendRawTransaction", [raw]));
  return hashes;
}

async function receipts(p: EIP1193Provider, hashes: string[]): Promise<Receipt[]> {
  const out: Receipt[] = [];
  for (const h of hashes) {
    const r = await rpc<Receipt | null>(p, "eth_getTransactionReceipt", [h]);
    if (!r || r.status !== "0x1") throw new Error(`bench transaction ${h} failed or missing on EDR`);
    out.push(r);
  }
  return out;
}

/** Puts Hardhat's network back to genesis, funds the bench accounts and deploys the contracts. */
async function freshChain(p: EIP1193Provider, bench: BenchTransactions): Promise<void> {
  await rpc(p, "hardhat_reset");
  const chainId = BigInt(await rpc<string>(p, "eth_chainId"));
  if (chainId !== BENCH_CHAIN_ID) throw new Error(`the bench signs for chain ${BENCH_CHAIN_ID}; Hardhat's network is ${chainId}`);
  await rpc(p, "evm_setAutomine", [true]);
  for (const a of bench.funded) await rpc(p, "hardhat_setBalance", [a, "0x" + FUNDING.toString(16)]);
  await receipts(p, await sendAll(p, bench.deploy));
}

/** Runs deployments and every workload on a fresh Hardhat network in `mode`; returns, by workload, the timed figures. */
export async function runEdr(p: EIP1193Provider, bench: BenchTransactions, mode: EdrMode, timedLimit = Infinity): Promise<Record<WorkloadName, EngineRun>> {
  await freshChain(p, bench);
  const out = {} as Record<WorkloadName, EngineRun>;
  for (const w of bench.workloads) {
    await receipts(p, await sendAll(p, w.setup));
    // Traced runs are slow: they may time a prefix of the workload; the rest runs untimed after
    // it (later workloads' transactions follow these senders' nonces).
    const timed = w.timed.slice(0, timedLimit);
    let firstTrace: StructStep[] | undefined;
    const steps: number[] = [];
    let hashes: string[] = [];
    let start: bigint;
    let sent: bigint | undefined;
    let end: bigint;
    if (mode === "block") {
      await rpc(p, "evm_setAutomine", [false]);
      start = process.hrtime.bigint();
      hashes = await sendAll(p, timed);
      sent = process.hrtime.bigint();
      // Mine until the pool is empty (a block takes as many as its gas limit allows).
      for (let pending = timed.length; pending > 0; ) {
        await rpc(p, "evm_mine");
        const block = await rpc<{ transactions: string[] }>(p, "eth_getBlockByNumber", ["latest", false]);
        pending -= block.transactions.length;
        if (block.transactions.length === 0) throw new Error("EDR mined an empty block with transactions pending");
      }
      end = process.hrtime.bigint();
      await rpc(p, "evm_setAutomine", [true]);
    } else {
      start = process.hrtime.bigint();
      for (const raw of timed) {
        const hash = await rpc<string>(p, "eth_sendRawTransaction", [raw]);
        hashes.push(hash);
        if (mode === "automine") continue;
        const trace = await rpc<{ structLogs: StructLog[] }>(p, "debug_traceTransaction", [hash, TRACE_OPTIONS[mode]]);
        steps.push(trace.structLogs.length);
        if (!firstTrace) firstTrace = trace.structLogs.map((s) => ({ pc: s.pc, op: s.op, gas: BigInt(s.gas), depth: s.depth, stack: (s.stack ?? []).map(normalizeWord) }));
      }
      end = process.hrtime.bigint();
    }
    const rs = await receipts(p, hashes);
    await receipts(p, await sendAll(p, w.timed.slice(timed.length)));
    const gas = rs.map((r) => Number(BigInt(r.gasUsed)));
    const seconds = Number(end - start) / 1e9;
    const blocks = new Set(rs.map((r) => r.blockNumber)).size;
    out[w.name] = {
      txPerSec: Math.round(timed.length / seconds),
      seconds: Number(seconds.toFixed(3)),
      txs: timed.length,
      gasUsedPerTx: { min: Math.min(...gas), max: Math.max(...gas) },
      ...(steps.length ? { stepsPerTx: { min: Math.min(...steps), max: Math.max(...steps), mean: Math.round(steps.reduce((a, b) => a + b, 0) / steps.length) } } : {}),
      ...(firstTrace ? { firstTrace } : {}),
      blocks,
      ...(sent !== undefined ? { sendSeconds: Number((Number(sent - start) / 1e9).toFixed(3)) } : {}),
    };
  }
  return out;
}

/** A stack word as a minimal 0x hex quantity (EDR writes words in full, 64 digits). */
function normalizeWord(w: string): string {
  return "0x" + BigInt(w.startsWith("0x") ? w : "0x" + w).toString(16);
}
