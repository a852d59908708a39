/**
 * Adversarial review 2 of the experimental EVM fixes (d40817c..41fafda): simulations' precompile
 * calls on a worker thread (node/precompileWorker.ts, core/evm/precompilesElsewhere.ts), the
 * pause at every JUMPDEST and frame start (core/evm/pausing.ts), the intake's write turns.
 *
 * Each test asserts the property that should hold. At review time three FAIL, each a finding:
 * - once the worker thread has died, every later precompile call waits forever (postMessage to
 *   an exited worker is dropped): the simulation holds its read turn forever, so every write
 *   (contract transactions, queue entries, a replica's batches) waits forever too;
 * - a failing worker is reported as the call's outcome (success: false) and, mid-bisection, as a
 *   wrong eth_estimateGas answer, where EnginePauseFailedError is thrown as the node's failure;
 * - each call's input is a view into the caller's memory and postMessage clones the whole buffer
 *   behind it: 10,000 1-byte identity calls with 1 MB of memory run ~7x slower with the worker.
 * What holds: the worker's answers through CALL/CALLCODE with value, DELEGATECALL and STATICCALL at
 * and around each precompile's exact cost; 1 MB answers; concurrent simulations; close() with
 * calls waiting; a frame-start pause failure with no JUMPDEST after it; write-turn order.
 */
import { expect } from "chai";
import { L2State } from "../../src/core/state";
import { EnginePauseFailedError, PrecompileRunnerFailedError, estimateEvmGas, simulateEvmCall, type EngineOptions, type EvmBlockContext } from "../../src/core/evm/engine";
import { getActivePrecompiles } from "@ethereumjs/evm";
import { evmCommon } from "../../src/core/evm/evmTransaction";
import { StateTurns } from "../../src/chain/stateTurns";
import { PrecompileWorker, PrecompileWorkerError } from "../../src/node/precompileWorker";
import { yieldingPause } from "../../src/shared/eventLoop";
import { BN254_GENERATOR_PAIR, asm, blake2fInput, hex, install, loop, word } from "../helpers/evmCode";

const CHAIN_ID = 1_637_401n;
const ctx: EvmBlockContext = { chainId: CHAIN_ID, number: 1, timestamp: 1, baseFee: 0n, feeRecipient: 0 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Settles `p` or answers "still waiting" after `ms`. */
const within = <T>(p: Promise<T>, ms: number): Promise<T | "still waiting"> => Promise.race([p, sleep(ms).then(() => "still waiting" as const)]);

// Valid (or at least well-formed) inputs per precompile, by its last byte(s).
const INPUTS: Record<string, Buffer> = {
  "01": hex("456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3" + word(28) + "9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac8038825608" + "4f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada"),
  "02": Buffer.alloc(100, 7),
  "03": Buffer.alloc(100, 7),
  "04": Buffer.alloc(100, 7),
  "05": hex(word(1) + word(1) + word(1) + "03" + "05" + "07"),
  "06": hex(word(1) + word(2) + word(1) + word(2)),
  "07": hex(word(1) + word(2) + word(3)),
  "08": hex(BN254_GENERATOR_PAIR),
  "09": blake2fInput(12),
  "0a": Buffer.alloc(192),
  "0b": Buffer.alloc(256),
  "0c": Buffer.alloc(160),
  "0d": Buffer.alloc(512),
  "0e": Buffer.alloc(288),
  "0f": Buffer.alloc(384),
  "10": Buffer.alloc(64),
  "11": Buffer.alloc(128),
  "0100": Buffer.alloc(160, 1),
};

/**
 * A contract that calls calldata's word 1 (an address) with word 2's gas (and word 3's value for
 * CALL and CALLCODE) on the input from byte 128, then returns the success flag, the return data's
 * size and the return data (RETURNDATACOPY).
 */
function caller(op: "CALL" | "CALLCODE" | "DELEGATECALL" | "STATICCALL"): string {
  const value = op === "CALL" || op === "CALLCODE" ? "96 CALLDATALOAD" : "";
  const opcode = op === "CALLCODE" ? "raw:f2" : op;
  return asm(`128 CALLDATASIZE SUB DUP1 128 0 CALLDATACOPY 0 0 DUP3 0 ${value} 32 CALLDATALOAD 64 CALLDATALOAD ${opcode} 0 MSTORE RETURNDATASIZE 32 MSTORE RETURNDATASIZE 0 64 RETURNDATACOPY RETURNDATASIZE 64 ADD 0 RETURN`);
}
const keyOf = (address: string) => (address.endsWith("0100") ? "0100" : address.slice(-2));
const KINDS = ["CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"] as const;
const kindAddress = (i: number) => "0x" + "c1".repeat(19) + (0x10 + i).toString(16);

describe("review 2 of the experimental EVM fixes (d40817c..41fafda): the precompile worker, its lifecycle, the pause and the state's turns", function () {
  this.timeout(60_000);
  let worker: PrecompileWorker;
  before(() => (worker = new PrecompileWorker()));
  after(() => worker.close());

  describe("1. the worker answers as the engine does", () => {
    it("every precompile called from a contract by CALL and CALLCODE with value, DELEGATECALL and STATICCALL, at its exact cost, one gas under it, one over, under it by the 2300 stipend and at 0 gas: the same success, return data (RETURNDATACOPY), gas used and error with the worker", async () => {
      const state = L2State.genesis();
      KINDS.forEach((k, i) => install(state, kindAddress(i), caller(k), 10n ** 18n));
      const addresses = [...getActivePrecompiles(evmCommon(CHAIN_ID)).keys()];
      expect(Object.keys(INPUTS).length).to.equal(addresses.length);
      const sim = (kind: number, address: string, gas: bigint, options: EngineOptions = {}) =>
        simulateEvmCall(state, { to: kindAddress(kind), data: Buffer.concat([hex(word(0) + word(BigInt("0x" + address)) + word(gas) + word(kind < 2 ? 1 : 0)), INPUTS[keyOf(address)]]), value: 0n }, ctx, options);
      let compared = 0;
      const costs: string[] = [];
      for (const address of addresses) {
        const key = keyOf(address);
        expect(INPUTS[key], key).to.not.equal(undefined);
        // The least gas a STATICCALL succeeds with, in-thread (none: the input fails at any gas, or the precompile throws).
        const ok = async (g: bigint) => {
          const r = await sim(3, address, g);
          return r.success && r.returnData.length > 0 && r.returnData[31] === 1;
        };
        let cost = 60_000n;
        if (await ok(1n << 21n)) {
          let lo = 0n;
          let hi = 1n << 21n;
          while (hi - lo > 1n) {
            const mid = (lo + hi) / 2n;
            if (await ok(mid)) hi = mid;
            else lo = mid;
          }
          cost = hi;
        }
        costs.push(`${key}:${cost}`);
        for (let kind = 0; kind < KINDS.length; kind++) {
          for (const g of [0n, cost - 2301n, cost - 2300n, cost - 1n, cost, cost + 1n]) {
            if (g < 0n) continue;
            const here = await sim(kind, address, g);
            const there = await sim(kind, address, g, { precompiles: worker.run });
            expect(there, `${KINDS[kind]} to ${key} with gas ${g}`).to.deep.equal(here);
            compared++;
          }
        }
      }
      console.log(`      exact costs (STATICCALL): ${costs.join(" ")}; ${compared} runs compared`);
    });

    it("a precompile's answer of 1 MB (identity) and an input from a 1 MB memory come back whole and unaliased: the same return data with the worker", async () => {
      const state = L2State.genesis();
      const C = "0x" + "c2".repeat(20);
      // mem[0..1MB) = a pattern; identity(0..1MB) → out at 16 (overlapping), then RETURNDATACOPY of all of it to 0 and return its hash's input.
      install(state, C, asm(`${1 << 20} 0 0 CALLDATACOPY 0xabcdef 0 MSTORE 0xfedcba ${(1 << 20) - 32} MSTORE ${1 << 20} 16 ${1 << 20} 0 4 GAS STATICCALL POP 0x01 0 MSTORE RETURNDATASIZE 0 0 RETURNDATACOPY RETURNDATASIZE 0 RETURN`));
      const call = { to: C, data: Buffer.alloc(0), value: 0n };
      const here = await simulateEvmCall(state, call, ctx);
      const there = await simulateEvmCall(state, call, ctx, { precompiles: worker.run });
      expect(here.success, here.error).to.equal(true);
      expect(there.gasUsed).to.equal(here.gasUsed);
      expect(Buffer.compare(there.returnData, here.returnData)).to.equal(0);
    });

    it("fifty simulations at once over one worker (two readers' worth and more): each answer the engine's own", async () => {
      const state = L2State.genesis();
      const calls = Array.from({ length: 50 }, (_, i) => ({ to: "0x" + ["02", "05", "06", "08", "09"][i % 5].padStart(40, "0"), data: INPUTS[["02", "05", "06", "08", "09"][i % 5]], value: 0n, gas: BigInt(30_000 + i * 1_000) }));
      const there = await Promise.all(calls.map((c) => simulateEvmCall(state, c, ctx, { pause: yieldingPause(), precompiles: worker.run })));
      for (let i = 0; i < calls.length; i++) expect(there[i], `call ${i}`).to.deep.equal(await simulateEvmCall(state, calls[i], ctx));
    });
  });

  describe("2. what the worker is sent", () => {
    it("10,000 STATICCALLs of blake2f from a contract holding 1 MB of memory send the worker each call's 213 input bytes alone, not the memory behind them (the engine's input is a view into the caller's memory; what that saves is a figure of npm run bench:evm-pause)", async () => {
      const state = L2State.genesis();
      const C = "0x" + "c3".repeat(20);
      const MEMORY = 1 << 20;
      // blake2f's 213-byte input at 0 (rounds 0, final flag 1: valid, 0 gas), 64 bytes out at 256.
      install(state, C, asm(`1 ${MEMORY - 32} MSTORE 1 212 raw:53 ${loop("l", 10_000, "64 256 213 0 9 GAS STATICCALL POP")} STOP`));
      const sent: number[] = [];
      const spy: typeof worker.run = (address, data, gasLimit) => {
        sent.push(data.buffer.byteLength, data.byteOffset);
        return worker.run(address, data, gasLimit);
      };
      const call = { to: C, data: Buffer.alloc(0), value: 0n };
      const there = await simulateEvmCall(state, call, ctx, { pause: yieldingPause(), precompiles: spy });
      expect(there.success, there.error).to.equal(true);
      expect(sent.length, "calls sent to the worker, two figures each").to.equal(20_000);
      expect(new Set(sent), "every input's own buffer: 213 bytes at offset 0").to.deep.equal(new Set([213, 0]));
      expect(there).to.deep.equal(await simulateEvmCall(state, call, ctx, { pause: yieldingPause() }));
    });
  });

  describe("3. the worker's lifecycle", () => {
    it("once the worker has died (a crash, an OOM, a terminate), the next precompile call fails at once rather than waiting forever — and a simulation's read turn is not held forever, so the intake's writes go on", async () => {
      const w = new PrecompileWorker();
      try {
        expect(((await w.run("0".repeat(38) + "04", new Uint8Array([1, 2, 3]), 100n)) as { returnValue: Uint8Array }).returnValue).to.deep.equal(new Uint8Array([1, 2, 3]));
        // The worker thread dies (here terminated; a crash or an out-of-memory ends it the same way).
        await (w as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
        await sleep(20);
        const turns = new StateTurns();
        const state = L2State.genesis();
        const simulation = turns.read(() => simulateEvmCall(state, { to: "0x" + "04".padStart(40, "0"), data: Buffer.from([1]), value: 0n }, ctx, { pause: yieldingPause(), precompiles: w.run }));
        simulation.catch(() => undefined);
        const write = turns.write(() => "written");
        expect(await within(simulation.then(() => "settled", () => "settled"), 2_000), "the simulation after the worker died").to.equal("settled");
        expect(await within(write, 2_000), "a write waiting for that simulation's read turn").to.equal("written");
      } finally {
        await w.close();
      }
    });

    it("a worker that fails mid-estimate is the node's failure (thrown, as EnginePauseFailedError is), not an eth_estimateGas answer nor an eth_call's result", async () => {
      const state = L2State.genesis();
      // blake2f: a slow precompile, so the worker runs it (sha256 and the other fast ones run in-thread).
      const call = { to: "0x" + "09".padStart(40, "0"), data: INPUTS["09"], value: 0n };
      const healthy = await estimateEvmGas(state, call, ctx, { precompiles: worker.run });
      expect(healthy.success).to.equal(true);
      // The second precompile call finds the worker dead; the rest would reach a restarted one.
      let calls = 0;
      const flaky = (a: string, d: Uint8Array, g: bigint) => (++calls === 2 ? Promise.reject(new PrecompileWorkerError("exited with code 1")) : worker.run(a, d, g));
      let outcome: unknown;
      try {
        outcome = await estimateEvmGas(state, call, ctx, { precompiles: flaky });
      } catch (e) {
        outcome = e;
      }
      if (!(outcome instanceof PrecompileRunnerFailedError)) expect(outcome, "the estimate answered despite the failure").to.deep.equal(healthy);
      else expect(outcome.cause).to.be.instanceOf(PrecompileWorkerError);
      let direct: unknown;
      try {
        direct = await simulateEvmCall(state, call, ctx, { precompiles: () => Promise.reject(new PrecompileWorkerError("exited with code 1")) });
      } catch (e) {
        direct = e;
      }
      expect(direct, "eth_call with the worker dead").to.be.instanceOf(PrecompileRunnerFailedError);
    });

    it("close() while calls are waiting: they fail (PrecompileWorkerError), and no unhandled rejection", async () => {
      const w = new PrecompileWorker();
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on("unhandledRejection", onUnhandled);
      try {
        const waiting = [w.run("0".repeat(38) + "09", blake2fInput(2_000_000), 10_000_000n), w.run("0".repeat(38) + "02", new Uint8Array(1), 1_000n)].map((p) => p.then(() => "answered", (e: unknown) => (e instanceof PrecompileWorkerError ? "failed" : String(e))));
        await sleep(20);
        await w.close();
        expect(await within(Promise.all(waiting), 2_000)).to.deep.equal(["failed", "failed"]);
        await sleep(20);
        expect(unhandled).to.deep.equal([]);
      } finally {
        process.off("unhandledRejection", onUnhandled);
      }
    });
  });

  describe("4. the pause and the state's turns", () => {
    it("a pause that fails at a frame's start in code with no JUMPDEST after it (calls to precompiles, with the worker) still ends the run as EnginePauseFailedError", async () => {
      const state = L2State.genesis();
      const C = "0x" + "c5".repeat(20);
      // No JUMPDEST anywhere: three straight-line precompile calls.
      install(state, C, asm(`0 0 0 0 2 GAS STATICCALL POP 0 0 0 0 4 GAS STATICCALL POP 0 0 0 0 9 GAS STATICCALL POP STOP`));
      let n = 0;
      const pause = () => {
        if (++n === 3) throw new Error("pause broke");
      };
      let outcome: unknown;
      try {
        outcome = await simulateEvmCall(state, { to: C, data: Buffer.alloc(0), value: 0n }, ctx, { pause, precompiles: worker.run });
      } catch (e) {
        outcome = e;
      }
      expect(outcome).to.be.instanceOf(EnginePauseFailedError);
    });

    it("write turns run first come, first served; one that throws hands the state on; reads asked after a waiting write wait for it", async () => {
      const turns = new StateTurns();
      const order: string[] = [];
      let release!: () => void;
      const reading = turns.read(() => new Promise<void>((r) => (release = r)).then(() => void order.push("read 1")));
      const w1 = turns.write(() => void order.push("tx 1"));
      const w2 = turns.write(() => {
        order.push("queue entry (throws)");
        throw new Error("task failed");
      });
      const r2 = turns.read(async () => void order.push("read 2"));
      const w3 = turns.write(async () => void order.push("packed tx"));
      release();
      await Promise.allSettled([reading, w1, w2, r2, w3]);
      expect(order).to.deep.equal(["read 1", "tx 1", "queue entry (throws)", "packed tx", "read 2"]);
    });
  });
});
