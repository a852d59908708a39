/**
 * `npm run bench:evm`: measures the EVM engines Cairn could execute contracts with, on this
 * machine, and prints one JSON document (also written to bench/results/evm-latest.json, or
 * evm-quick.json with `BENCH_QUICK=1`). Figures for docs/design/evm.md.
 *
 * Three workloads (bench/evm/workloads.ts) — an ETH transfer, an OpenZeppelin 5 ERC-20
 * `transfer`, a constant-product swap — as the same signed transactions on every engine:
 *
 * - @ethereumjs/vm: with no step listener, with one that counts steps, and with one that keeps a
 *   struct log (the VM copies the stack and memory into every step event it emits, whatever the
 *   listener keeps); on SimpleStateManager (maps: the state Cairn would keep in its own tree) and
 *   on the default MerkleStateManager;
 * - EDR (Hardhat 2.29's engine) through `hre.network.provider`, in blocks and one transaction a
 *   block, untraced and traced with `debug_traceTransaction`;
 * - Cairn's packed payments path (src/core) on ETH and bridged-token transfers, for comparison.
 *
 * It also compares, step by step, the two engines' traces of each workload's first transaction
 * (pc, opcode, gas left, depth, stack), and measures on the embedded L1 what parts of a one-step
 * proof cost: the worst modexp call Osaka allows (the precompile a step would replay on L1) and
 * Merkle walks of the depths a step proves (memory, accounts, storage).
 *
 * Throughput figures drift by tens of percent on this shared machine from one minute to the
 * next (docs/performance.md); each engine runs once after a warm-up pass. Nothing here is a test.
 */
import hre from "hardhat";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { buildBenchTransactions, type WorkloadName } from "./evm/workloads";
import { BENCH_HARDFORK, runEthereumjs, type EngineRun, type StructStep } from "./evm/ethereumjsEngine";
import { runEdr } from "./evm/edrEngine";
import { runPackedPath } from "./evm/packedPath";
import { worstModexp } from "./evm/precompiles";
import { WALK_DEPTHS, merkleWalkGas } from "./evm/stepCosts";
import { longestTransaction } from "./evm/longestTx";
import { oneStepProofGas } from "./evm/oneStepGas";

const QUICK = process.env.BENCH_QUICK === "1" || process.argv.includes("--quick");
const SENDERS = QUICK ? 40 : 200;
const ROUNDS = QUICK ? 5 : 10;
/** Transactions timed per workload when EDR traces each one (it traces a swap in ~0.1 s). */
const TRACED = QUICK ? 100 : 400;

type Runs = Record<WorkloadName, EngineRun>;

/** Figures without the recorded traces. */
function figures(r: Runs): Record<WorkloadName, Omit<EngineRun, "firstTrace">> {
  const out = {} as Record<WorkloadName, Omit<EngineRun, "firstTrace">>;
  for (const [k, v] of Object.entries(r) as Array<[WorkloadName, EngineRun]>) {
    const { firstTrace: _t, ...rest } = v;
    out[k] = rest;
  }
  return out;
}

/** Where two struct logs first differ, if they do. */
function compareTraces(a: StructStep[] | undefined, b: StructStep[] | undefined): { steps: number; agree: boolean; firstDifference?: unknown } {
  if (!a || !b) return { steps: 0, agree: false, firstDifference: "missing trace" };
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const same = x && y && x.pc === y.pc && x.op === y.op && x.gas === y.gas && x.depth === y.depth && x.stack.join() === y.stack.join();
    if (!same) return { steps: n, agree: false, firstDifference: { step: i, ethereumjs: x && { ...x, gas: String(x.gas) }, edr: y && { ...y, gas: String(y.gas) } } };
  }
  return { steps: n, agree: true };
}

/** An installed package's version (read from its folder: not every package exports package.json). */
function packageVersion(name: string): string {
  const file = path.join(__dirname, "..", "node_modules", ...name.split("/"), "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

async function main(): Promise<void> {
  const provider = hre.network.provider;
  const started = Date.now();
  // Other processes on the machine slow every engine alike; the load says how busy it was.
  const loadAtStart = os.loadavg()[0];
  const bench = await buildBenchTransactions(SENDERS, ROUNDS);
  const warm = await buildBenchTransactions(20, 2);
  // Warm-up: the first run of each engine compiles its hot paths (V8's JIT; EDR's caches).
  await runEthereumjs(warm, "simple", "none");
  await runEthereumjs(warm, "simple", "countSteps");
  await runEdr(provider, warm, "block");

  const ejsPlain = await runEthereumjs(bench, "simple", "none");
  const ejsCount = await runEthereumjs(bench, "simple", "countSteps");
  const ejsLog = await runEthereumjs(bench, "simple", "structLog");
  const ejsMerkle = await runEthereumjs(bench, "merkle", "none");
  const edrBlock = await runEdr(provider, bench, "block");
  const edrAutomine = await runEdr(provider, bench, "automine");
  const edrStack = await runEdr(provider, bench, "tracedStackOnly", TRACED);
  const edrFull = await runEdr(provider, bench, "tracedFull", TRACED);
  const packed = await runPackedPath(SENDERS, ROUNDS);
  const modexp = await worstModexp(provider);
  const walks = await merkleWalkGas(provider);
  const longest = await longestTransaction();
  const stepGas = await oneStepProofGas(QUICK ? 10 : 40);

  const traceAgreement = {} as Record<WorkloadName, ReturnType<typeof compareTraces>>;
  for (const w of bench.workloads) traceAgreement[w.name] = compareTraces(ejsLog[w.name].firstTrace, edrStack[w.name].firstTrace);

  const doc = {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage1m: { atStart: Number(loadAtStart.toFixed(2)), atEnd: Number(os.loadavg()[0].toFixed(2)) },
    },
    date: new Date().toISOString(),
    quick: QUICK,
    hardfork: { edr: hre.config.networks.hardhat.hardfork, ethereumjs: BENCH_HARDFORK },
    versions: {
      hardhat: packageVersion("hardhat"),
      edr: packageVersion("@nomicfoundation/edr"),
      ethereumjsVm: packageVersion("@ethereumjs/vm"),
    },
    workload: { senders: SENDERS, transactionsPerWorkload: SENDERS * ROUNDS },
    ethereumjs: {
      simpleStateNoTracing: figures(ejsPlain),
      simpleStateCountingSteps: figures(ejsCount),
      simpleStateStructLog: figures(ejsLog),
      merkleStateNoTracing: figures(ejsMerkle),
    },
    edr: {
      blocksNoTracing: figures(edrBlock),
      oneTxPerBlockNoTracing: figures(edrAutomine),
      oneTxPerBlockTracedStackOnly: figures(edrStack),
      oneTxPerBlockTracedFull: figures(edrFull),
    },
    packedPath: packed,
    traceAgreement,
    longestTransaction: longest,
    precompiles: { worstModexpOsaka: modexp },
    oneStepProofParts: { merkleWalkDepths: WALK_DEPTHS, merkleWalkTransactionGas: walks },
    oneStepProofGas: stepGas,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const json = JSON.stringify(doc, null, 2);
  console.log(json);
  const dir = path.join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, QUICK ? "evm-quick.json" : "evm-latest.json"), json + "\n");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
