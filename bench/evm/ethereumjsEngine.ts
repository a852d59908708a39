/**
 * Runs the benchmark's workloads on @ethereumjs/vm (TypeScript; a `step` event per opcode):
 * every transaction through `runTx`, the VM's full transaction path (nonce, balance and fee
 * checks, intrinsic gas, warm sets, refunds, the coinbase's fee), on one block.
 *
 * Senders are recovered before the clock starts, as Cairn recovers them on its worker thread
 * (docs/architecture.md, *The node*), so the figure is execution alone.
 */
import { createVM, runTx, type VM } from "@ethereumjs/vm";
import { Hardfork, Mainnet, createCustomCommon, type Common } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { createBlock, type Block } from "@ethereumjs/block";
import { Account, bigIntToHex, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { MerkleStateManager, SimpleStateManager } from "@ethereumjs/statemanager";
import type { InterpreterStep } from "@ethereumjs/evm";
import { BENCH_CHAIN_ID, FUNDING, type BenchTransactions, type WorkloadName } from "./workloads";

/** How the engine is watched while it runs the timed transactions. */
export type StepTracing = "none" | "countSteps" | "structLog";
/** SimpleStateManager: maps, no trie (Cairn keeps its own tree). MerkleStateManager: the VM's default, a Merkle Patricia trie. */
export type StateKind = "simple" | "merkle";

/** One step as geth's struct logger (and Hardhat's `debug_traceTransaction`) reports it. */
export interface StructStep {
  pc: number;
  op: string;
  gas: bigint;
  depth: number;
  stack: string[];
}

export interface EngineRun {
  txPerSec: number;
  seconds: number;
  txs: number;
  /** Opcodes executed per timed transaction (known when steps were watched). */
  stepsPerTx?: { min: number; max: number; mean: number };
  gasUsedPerTx: { min: number; max: number };
  /** Blocks the timed transactions went into (EDR only). */
  blocks?: number;
  /** Of `seconds`, the time `eth_sendRawTransaction` took before the first block was mined (EDR in blocks). */
  sendSeconds?: number;
  /** The first timed transaction's steps, in structLog mode. */
  firstTrace?: StructStep[];
}

/** The hardfork both engines run: the one Hardhat 2.29's network runs by default. */
export const BENCH_HARDFORK = Hardfork.Osaka;

function benchCommon(): Common {
  return createCustomCommon({ chainId: Number(BENCH_CHAIN_ID), name: "cairn-bench" }, Mainnet, { hardfork: BENCH_HARDFORK });
}

function parse(common: Common, raws: string[]): TypedTransaction[] {
  return raws.map((raw) => {
    const tx = createTxFromRLP(hexToBytes(raw as `0x${string}`), { common }) as TypedTransaction;
    tx.getSenderAddress(); // recovered (and cached on the frozen tx) before the clock starts
    return tx;
  });
}

async function execute(vm: VM, block: Block, txs: TypedTransaction[], gas: bigint[] = []): Promise<void> {
  for (const tx of txs) {
    const r = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true });
    if (r.execResult.exceptionError) throw new Error(`bench transaction failed: ${r.execResult.exceptionError.error}`);
    gas.push(r.totalGasSpent);
  }
}

/**
 * Runs deployments and every workload on a fresh VM; returns, by workload, the timed figures.
 * Each workload's setup runs untimed just before its timed transactions.
 */
export async function runEthereumjs(bench: BenchTransactions, state: StateKind, tracing: StepTracing): Promise<Record<WorkloadName, EngineRun>> {
  const common = benchCommon();
  const stateManager = state === "simple" ? new SimpleStateManager({ common }) : new MerkleStateManager({ common });
  const vm = await createVM({ common, stateManager });
  for (const a of bench.funded) await vm.stateManager.putAccount(createAddressFromString(a), new Account(0n, FUNDING));
  const block = createBlock(
    {
      header: {
        number: 1n,
        gasLimit: 60_000_000n,
        baseFeePerGas: 1_000_000_000n,
        timestamp: 1_800_000_000n,
        coinbase: createAddressFromString("0x000000000000000000000000000000000000c0de"),
      },
    },
    { common },
  );
  await execute(vm, block, parse(common, bench.deploy));

  const out = {} as Record<WorkloadName, EngineRun>;
  for (const w of bench.workloads) {
    await execute(vm, block, parse(common, w.setup));
    const timed = parse(common, w.timed);
    const steps: number[] = [];
    let current = 0;
    // Recorded for the first timed transaction only: the trace the benchmark compares with Hardhat's.
    let recording: StructStep[] | null = tracing === "structLog" ? [] : null;
    let firstTrace: StructStep[] | undefined;
    const onStep = (s: InterpreterStep): void => {
      current++;
      recording?.push({ pc: s.pc, op: s.opcode.name, gas: s.gasLeft, depth: s.depth + 1, stack: s.stack.map((v) => bigIntToHex(v)) });
    };
    if (tracing !== "none") vm.evm.events!.on("step", onStep);
    const gas: bigint[] = [];
    const start = process.hrtime.bigint();
    for (let i = 0; i < timed.length; i++) {
      current = 0;
      await execute(vm, block, [timed[i]], gas);
      if (tracing !== "none") steps.push(current);
      if (recording) {
        firstTrace = recording;
        recording = null;
      }
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (tracing !== "none") vm.evm.events!.off("step", onStep);
    out[w.name] = {
      txPerSec: Math.round(timed.length / seconds),
      seconds: Number(seconds.toFixed(3)),
      txs: timed.length,
      gasUsedPerTx: { min: Number(gas.reduce((a, b) => (b < a ? b : a))), max: Number(gas.reduce((a, b) => (b > a ? b : a))) },
      ...(steps.length ? { stepsPerTx: stats(steps) } : {}),
      ...(firstTrace ? { firstTrace } : {}),
    };
  }
  return out;
}

function stats(xs: number[]): { min: number; max: number; mean: number } {
  return { min: Math.min(...xs), max: Math.max(...xs), mean: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) };
}
