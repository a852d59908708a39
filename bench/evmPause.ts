/**
 * `npm run bench:evm-pause`: what keeping the node's event loop turning costs the experimental EVM
 * engine, on this machine, printed as one JSON document. Figures for docs/design/evm.md (*the
 * node's one thread*); the tests hold the behaviour (same results with and without the pause and
 * the worker, the loop never held long), this prints the speed.
 *
 * - the pause: a JUMPDEST sled (every step a paused JUMPDEST: the worst case) and a 50,000-turn
 *   loop, each timed without a pause and with the nodes' yielding pause;
 * - the precompile worker: 10,000 blake2f calls from a contract holding no memory and one holding
 *   1 MB (only a call's input may cross to the worker), in the thread and on the worker;
 * - how long the event loop is held (the longest a 5 ms timer waits) by a 16 KB loop body with the
 *   pause, and by a 60-pair BN254 pairing in the thread and on the worker.
 *
 * Each timing is the best of `ROUNDS` runs after a warm-up; the machine is shared, so expect tens
 * of percent between runs. Nothing here is a test.
 */
import { L2State } from "../src/core/state";
import { simulateEvmCall, type EngineOptions, type EvmBlockContext } from "../src/core/evm/engine";
import { yieldingPause } from "../src/shared/eventLoop";
import { PrecompileWorker } from "../src/node/precompileWorker";
import { BN254_GENERATOR_PAIR, asm, hex, install, longestWait, loop } from "../test/helpers/evmCode";

const ROUNDS = process.argv.includes("--quick") ? 2 : 5;
const ctx: EvmBlockContext = { chainId: 31337n, number: 1, timestamp: 1, baseFee: 0n, feeRecipient: 0 };
type Call = Parameters<typeof simulateEvmCall>[1];

/** Best wall time of `ROUNDS` runs of one call, after a warm-up run. */
async function bestMs(state: L2State, call: Call, options: EngineOptions): Promise<number> {
  await simulateEvmCall(state, call, ctx, options);
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await simulateEvmCall(state, call, ctx, options);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

async function pauseCost(state: L2State) {
  const sled = "0x" + "3e".repeat(20);
  install(state, sled, "5b".repeat(20_000) + asm("0 JUMP"));
  const looping = "0x" + "3f".repeat(20);
  install(state, looping, asm(`${loop("l", 50_000)} STOP`));
  const out: Record<string, { plainMs: number; pausedMs: number; ratio: number }> = {};
  for (const [name, call] of [
    ["JUMPDEST sled, 600,000 gas", { to: sled, data: Buffer.alloc(0), value: 0n, gas: 600_000n }],
    ["50,000-turn loop", { to: looping, data: Buffer.alloc(0), value: 0n }],
  ] as const) {
    const plainMs = await bestMs(state, call, {});
    const pausedMs = await bestMs(state, call, { pause: yieldingPause() });
    out[name] = { plainMs: round(plainMs), pausedMs: round(pausedMs), ratio: ratio(pausedMs, plainMs) };
  }
  return out;
}

async function workerCost(state: L2State, worker: PrecompileWorker) {
  const out: Record<string, { inThreadMs: number; workerMs: number }> = {};
  for (const memory of [0, 1 << 20]) {
    const at = "0x" + (memory ? "c3" : "c4").repeat(20);
    // blake2f's 213-byte input at 0 (0 rounds, final flag 1: valid, 0 gas), 64 bytes out at 256.
    install(state, at, asm(`${memory ? `1 ${memory - 32} MSTORE` : ""} 1 212 raw:53 ${loop("l", 10_000, "64 256 213 0 9 GAS STATICCALL POP")} STOP`));
    const call = { to: at, data: Buffer.alloc(0), value: 0n };
    out[`10,000 blake2f calls, ${memory ? "1 MB" : "no"} memory`] = {
      inThreadMs: round(await bestMs(state, call, { pause: yieldingPause() })),
      workerMs: round(await bestMs(state, call, { pause: yieldingPause(), precompiles: worker.run })),
    };
  }
  return out;
}

async function loopHeld(state: L2State, worker: PrecompileWorker) {
  const wide = "0x" + "3d".repeat(20);
  // 130 turns of 8,000 × (GASPRICE POP): 16 KB between two JUMPDESTs.
  install(state, wide, asm(`130 l: raw:${"3a50".repeat(8_000)} 1 SWAP1 SUB DUP1 @l JUMPI STOP`));
  const pairing = { to: "0x" + "08".padStart(40, "0"), data: hex(BN254_GENERATOR_PAIR.repeat(60)), value: 0n };
  const held = (call: Call, options: EngineOptions) => longestWait(() => simulateEvmCall(state, call, ctx, options)).then(round);
  return {
    "16 KB loop body, with the pause": await held({ to: wide, data: Buffer.alloc(0), value: 0n }, { pause: yieldingPause() }),
    "60-pair BN254 pairing, in the thread": await held(pairing, { pause: yieldingPause() }),
    "60-pair BN254 pairing, on the worker": await held(pairing, { pause: yieldingPause(), precompiles: worker.run }),
  };
}

async function main(): Promise<void> {
  const state = L2State.genesis();
  const worker = new PrecompileWorker();
  try {
    const figures = {
      rounds: ROUNDS,
      pause: await pauseCost(state),
      precompileWorker: await workerCost(state, worker),
      eventLoopHeldMs: await loopHeld(state, worker),
    };
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    worker.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
