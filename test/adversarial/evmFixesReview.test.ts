/**
 * Adversarial review of f239120..d905d83 (experimental EVM mode): the engine's pause (a custom
 * JUMPDEST and a `beforeMessage` listener), ETH the engine destroys going to the fee recipient,
 * simulations in read turns of the live state (chain/stateTurns.ts), the mode's challenger
 * counting blocks, and a sequencer lining up with L1 holding EVM blocks.
 *
 * Each test asserts the property that should hold. At review time five FAIL, each a finding:
 * - a stream of simulations throttles the intake to one task per simulation (EvmIntake chains
 *   each write turn behind the last one's end, so the writer preference never sees a queue);
 * - one eth_call still holds the event loop for most of a second: 128 JUMPDESTs between two
 *   pauses can be 128 turns of a 24 KB loop body, and a precompile (BN254 pairing) runs whole;
 * - a pause that rejects at a frame's start leaves the engine waiting forever and an unhandled
 *   rejection; one that throws at a JUMPDEST becomes InvalidOperationError (a replay verdict).
 * What holds: results, gas and step traces with and without the pause; L2 ETH conserved; state
 * consistency under simulations, intake, sealing, resync and replica batches; the challenger's
 * and a restarting sequencer's block numbers.
 *
 * Core-level where it can be; the challenger, the resync and the replica run on the in-process
 * Hardhat L1 (buildWorld, startTestNode).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, getCreate2Address, keccak256 as ethersKeccak, type TransactionRequest } from "ethers";
import { EVM } from "@ethereumjs/evm";
import { L2State } from "../../src/core/state";
import { QueueKind, WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";
import { encodeEmptyRun, mergeEmptyRuns } from "../../src/core/commitment";
import type { QueueEntry } from "../../src/core/queueOps";
import { encodeEvmBlock } from "../../src/core/evm/evmBlock";
import { parseEvmTransaction } from "../../src/core/evm/evmTransaction";
import { EngineCreatedEthError, EnginePauseFailedError, executeEvmTransaction, simulateEvmCall, type EngineOptions, type EvmBlockContext } from "../../src/core/evm/engine";
import { replayBody } from "../../src/core/evm/replayEvm";
import { yieldingPause } from "../../src/shared/eventLoop";
import { PrecompileWorker } from "../../src/node/precompileWorker";
import { StateTurns } from "../../src/chain/stateTurns";
import { ChainState, PostedBlockRefusedError } from "../../src/chain/chainState";
import type { L2Backend } from "../../src/chain/backend";
import { Sequencer } from "../../src/node/sequencer/sequencer";
import { EvmIntake } from "../../src/node/sequencer/evmIntake";
import { lineUpWithL1 } from "../../src/node/sequencer/lineUp";
import { recoverHere } from "../../src/node/recoveryWorker";
import type { PostedBatch } from "../../src/node/l1/batchClaim";
import { Challenger } from "../../src/node/challenger/challenger";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { evmMethods } from "../../src/rpc/methods/evm";
import { RpcCode } from "../../src/rpc/errors";
import { silentLogger } from "../../src/shared/logger";
import { CHAIN_ID as WORLD_CHAIN_ID, transferTo } from "../helpers/fraudFixture";
import { MaliciousProposer } from "./maliciousProposer";
import { buildWorld, l1Account, CASE_TIMESTAMP } from "./world";
import { startTestNode } from "../helpers/nodeFixture";
import { DEVNET_PARAMS } from "../../deploy/params";
import { BN254_GENERATOR_PAIR, asm, hex, install, longestWait, loop, word } from "../helpers/evmCode";

const CHAIN_ID = 1_637_401n;
const BASE_FEE = 10_000_000n;
const alice = new Wallet("0x" + "41".repeat(32));
const bob = new Wallet("0x" + "42".repeat(32));
const ctx = (number: number, feeRecipient = 0): EvmBlockContext => ({ chainId: CHAIN_ID, number, timestamp: 1_800_000_000 + number, baseFee: BASE_FEE, feeRecipient });
const queueEntry = () => undefined;
const FUNDS = 10n ** 20n;

function fundedState(): L2State {
  const s = L2State.genesis();
  for (const w of [alice, bob]) s.setBalance(s.createAccount(w.address.toLowerCase()), FUNDS);
  return s;
}

async function sign(w: Wallet, nonce: number, req: TransactionRequest, chainId = CHAIN_ID, baseFee = BASE_FEE): Promise<Buffer> {
  const raw = await w.signTransaction({ type: 2, chainId, nonce, maxFeePerGas: 2n * baseFee, maxPriorityFeePerGas: 1n, gasLimit: 1_000_000n, value: 0n, ...req });
  return Buffer.from(raw.slice(2), "hex");
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const immediate = () => new Promise<void>((r) => setImmediate(r));

const CALL_ARGS = (to: string, value: number | string = 0, argsLen: number | string = 0) => `0 0 ${argsLen} 0 ${value} ${to} GAS CALL`;

/** Init code that deploys `runtime` (hex): a creation's data, as a user deploys through the engine. */
function deploy(runtime: string): string {
  const prefix = (offset: number) => asm(`${runtime.length / 2} DUP1 ${offset} 0 CODECOPY 0 RETURN`);
  return "0x" + prefix(prefix(0xff).length / 2) + runtime;
}

/** Records every step of every frame the engine runs while `run` runs (the `step` event test/evm's prover traces from). */
async function traced<T>(run: () => Promise<T>): Promise<{ value: T; steps: string[] }> {
  const steps: string[] = [];
  const proto = EVM.prototype as unknown as { runInterpreter: (...a: unknown[]) => Promise<unknown> };
  const original = proto.runInterpreter;
  const attached = new WeakSet<object>();
  proto.runInterpreter = function (this: EVM, ...a: unknown[]) {
    if (!attached.has(this)) {
      attached.add(this);
      this.events!.on("step", (s: { depth: number; pc: number; opcode: { name: string; fee: number; dynamicFee?: bigint }; gasLeft: bigint; gasRefund: bigint; stack: bigint[] }) =>
        steps.push(`${s.depth}:${s.pc}:${s.opcode.name}:${s.opcode.fee}:${s.opcode.dynamicFee}:${s.gasLeft}:${s.gasRefund}:${s.stack.slice(-3).join(",")}`),
      );
    }
    return original.apply(this, a);
  };
  try {
    return { value: await run(), steps };
  } finally {
    proto.runInterpreter = original;
  }
}

describe("review of the experimental EVM fixes (f239120..d905d83): hostile users, RPC clients and proposers", function () {
  this.timeout(60_000);

  describe("1. the pause changes nothing the engine computes", () => {
    // Contracts, each run by a transaction of its own; loops pass well over 128 JUMPDESTs so the pause fires.
    const A = (n: number) => "0x" + n.toString(16).padStart(40, "0");
    const LOOPER = A(0x1001); // loops calldata[0] times, then stores gasleft() in slot 0 and logs it
    const PUSHDATA = A(0x1002); // loops 200 times, then jumps to a 0x5b inside PUSH data
    const RECURSE = A(0x1003); // calls itself one deeper while gas lasts, slot 0 the deepest depth
    const FACTORY = A(0x1004); // CREATE2 salts 1 and 2, CREATE ×2, CREATE2 salt 1 again (a collision), of calldata's init code
    const PRECOMPILES = A(0x1005); // 140 times: sha256, identity with 1 wei, modexp, ecrecover and P256VERIFY on garbage (point evaluation throws "kzg not initialized" out of the engine: the transaction is refused as malformed, outside this diff)
    const WRITER = A(0x1006); // loops, then SSTORE: a static-call violation when STATICCALLed
    const STATIC = A(0x1007); // STATICCALLs WRITER, keeps the flag
    const LIBRARY = A(0x1008); // loops, SSTORE(1, CALLER), LOG1
    const DELEGATOR = A(0x1009); // DELEGATECALLs LIBRARY, keeps the flag
    const INNER = A(0x100a); // loops, REVERT with 32 bytes
    const MIDDLE = A(0x100b); // calls INNER, loops, REVERT with its own 64 bytes
    const OUTER = A(0x100c); // calls MIDDLE, keeps the flag and returndatasize, logs the return data
    const OVERFLOW = A(0x100d); // pushes forever: stack overflow after 1024
    const SLED = A(0x100e); // 20,000 JUMPDESTs, then stores gasleft()
    const INIT_LOOP = asm(`${loop("i", 150)} 0x6000f3 0 MSTORE 3 29 RETURN`); // init code: loops, then deploys the 3 bytes 6000f3

    function world(): L2State {
      const s = fundedState();
      install(s, LOOPER, asm(`0 CALLDATALOAD ${loop("l", "")} GAS DUP1 0 SSTORE 0 MSTORE 32 0 LOG0 STOP`));
      install(s, PUSHDATA, asm(`${loop("l", 200)} @x JUMP raw:60 x: STOP`));
      install(s, RECURSE, asm(`0 CALLDATALOAD DUP1 0 SSTORE ${loop("w", 3)} 1 ADD 0 MSTORE 0 0 32 0 0 ADDRESS GAS CALL POP STOP`));
      // The collision last: a CREATE2 onto an existing contract burns the gas it was given (63/64 of what is left).
      install(s, FACTORY, asm(`CALLDATASIZE 0 0 CALLDATACOPY 1 CALLDATASIZE 0 0 CREATE2 1 SSTORE 2 CALLDATASIZE 0 0 CREATE2 2 SSTORE CALLDATASIZE 0 0 CREATE 3 SSTORE CALLDATASIZE 0 0 CREATE 4 SSTORE 1 CALLDATASIZE 0 0 CREATE2 5 SSTORE STOP`));
      // A fixed 3,000 gas each: a precompile that fails (point evaluation, P256VERIFY on garbage) burns what it was given.
      const pc = (to: string, value = 0) => `32 0 32 0 ${value} ${to} 3000 CALL POP`;
      install(s, PRECOMPILES, asm(`${loop("p", 140, `${pc("2")} ${pc("4", 1)} ${pc("5")} ${pc("1")} ${pc("0x0100")}`)} SELFBALANCE 0 SSTORE STOP`), 1_000n);
      install(s, WRITER, asm(`${loop("l", 150)} 1 1 SSTORE STOP`));
      install(s, STATIC, asm(`0 0 0 0 ${WRITER} GAS STATICCALL 1 SSTORE ${loop("l", 130)} STOP`));
      install(s, LIBRARY, asm(`${loop("l", 130)} CALLER 1 SSTORE 7 0 0 LOG1 STOP`));
      install(s, DELEGATOR, asm(`0 0 0 0 ${LIBRARY} GAS DELEGATECALL 2 SSTORE STOP`));
      install(s, INNER, asm(`${loop("l", 200)} 0xdead 0 MSTORE 32 0 REVERT`));
      install(s, MIDDLE, asm(`${CALL_ARGS(INNER)} POP RETURNDATASIZE 0 0 RETURNDATACOPY ${loop("l", 200)} 0xbeef 32 MSTORE 64 0 REVERT`));
      install(s, OUTER, asm(`${CALL_ARGS(MIDDLE)} 1 SSTORE RETURNDATASIZE 2 SSTORE RETURNDATASIZE 0 0 RETURNDATACOPY RETURNDATASIZE 0 LOG0 ${loop("l", 130)} STOP`));
      install(s, OVERFLOW, asm(`l: 1 @l JUMP`));
      install(s, SLED, "5b".repeat(20_000) + asm("GAS 0 SSTORE STOP"));
      return s;
    }

    const n = (v: number) => "0x" + word(v);
    function requests(): TransactionRequest[] {
      return [
        { to: LOOPER, data: n(300) },
        { to: PUSHDATA, gasLimit: 200_000n },
        { to: RECURSE, data: n(0), gasLimit: 8_000_000n },
        { to: FACTORY, data: "0x" + INIT_LOOP, gasLimit: 3_000_000n },
        { to: PRECOMPILES, gasLimit: 8_000_000n },
        { to: STATIC, gasLimit: 500_000n },
        { to: DELEGATOR, gasLimit: 500_000n },
        { to: OUTER, gasLimit: 1_000_000n },
        { to: OVERFLOW, gasLimit: 300_000n },
        { to: SLED, gasLimit: 100_000n },
        { data: "0x" + INIT_LOOP, value: 5n },
        { to: LOOPER, data: n(140), gasLimit: 21_000n + 3n + 3n + 140n * 26n }, // short of gas near the end of the loop
      ];
    }
    const transactions = (reqs = requests()) => Promise.all(reqs.map((t, i) => sign(alice, i, t)));

    async function runAll(options: EngineOptions, s = world()): Promise<string[]> {
      const out: string[] = [];
      for (const [i, raw] of (await transactions()).entries()) {
        const r = await executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(i + 1), options);
        out.push(JSON.stringify({ tx: i, status: r.status, gasUsed: String(r.gasUsed), logs: r.logs, contract: r.contractAddress ?? null, root: s.root().toString("hex") }));
      }
      expect(s.totals().eth).to.equal(s.recountTotals().eth);
      return out;
    }

    it("receipts (status, gas, logs) and state roots are the same without a pause, with the node's pause (yielding at once) and with a pause that yields at every call: loops, JUMPDEST in PUSH data, recursion, CREATE/CREATE2, precompiles, STATICCALL, DELEGATECALL, nested reverts, stack overflow, a JUMPDEST sled, out of gas in a loop", async () => {
      const s = world();
      const plain = await runAll({}, s);
      const slot = (a: string, k: bigint) => s.contractState.storage(s.indexOf(a)!, k);
      expect(Number(slot(RECURSE, 0n)), "recursion depth").to.be.greaterThan(300);
      expect([1n, 2n, 3n, 4n, 5n].map((k) => slot(FACTORY, k) !== 0n), "four creations, then a collision").to.deep.equal([true, true, true, true, false]);
      expect(s.account(s.indexOf(PRECOMPILES)!).balance, "1 wei to identity 140 times").to.equal(860n);
      expect(slot(DELEGATOR, 1n), "the library ran as the delegator").to.equal(BigInt(alice.address));
      expect([slot(OUTER, 1n), slot(OUTER, 2n)], "the middle frame reverted with 64 bytes").to.deep.equal([0n, 64n]);
      const node = await runAll({ pause: yieldingPause(0) });
      let calls = 0;
      const always = await runAll({
        pause: async () => {
          calls++;
          await immediate();
        },
      });
      // What the programs did, so that the comparison means something.
      const parsed = plain.map((p) => JSON.parse(p) as { status: number; gasUsed: string; logs: unknown[] });
      expect(parsed.map((p) => p.status), "statuses").to.deep.equal([1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0]);
      expect(calls, "pauses").to.be.greaterThan(500);
      expect(node).to.deep.equal(plain);
      expect(always).to.deep.equal(plain);
    });

    it("eth_call with every gas limit across two loop iterations (out of gas at, before and after a JUMPDEST) answers the same with and without the pause", async () => {
      const s = world();
      const call = { from: alice.address, to: LOOPER, data: hex(word(129)), value: 0n };
      const enough = await simulateEvmCall(s, call, ctx(1));
      expect(enough.success).to.equal(true);
      const answers: string[][] = [[], []];
      const lastOps = new Set<string>();
      // The loop ends with the log and store: go back from the gas used through them and into the loop's last turns.
      for (let gas = enough.gasUsed - 22_830n; gas <= enough.gasUsed - 22_750n; gas++) {
        for (const [k, options] of ([{}, { pause: immediate }] as EngineOptions[]).entries()) {
          const { value: r, steps } = await traced(() => simulateEvmCall(s, { ...call, gas }, ctx(1), options));
          answers[k].push(`${gas}:${r.success}:${r.gasUsed}:${r.error}:${steps.length}`);
          if (!r.success) lastOps.add(steps[steps.length - 1].split(":")[2]);
        }
      }
      expect([...lastOps], "out of gas at each of the loop's opcodes").to.include.members(["JUMPDEST", "JUMPI", "PUSH2", "SUB"]);
      expect(answers[1]).to.deep.equal(answers[0]);
    });

    it("the engine's step trace (pc, opcode name and fee, gas left, refund, stack) is the same with the pause", async () => {
      const run = (options: EngineOptions) => async () => {
        const s = world();
        const all = requests();
        const raws = await transactions([0, 2, 3, 7, 4].map((i) => all[i]));
        for (const [i, raw] of raws.entries()) await executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(i + 1), options);
        return s.root().toString("hex");
      };
      const plain = await traced(run({}));
      const paused = await traced(run({ pause: immediate }));
      expect(plain.steps.length).to.be.greaterThan(1_000);
      expect(paused.steps.length).to.equal(plain.steps.length);
      const firstDiff = plain.steps.findIndex((s, i) => s !== paused.steps[i]);
      expect(firstDiff, `first differing step: ${plain.steps[firstDiff]} vs ${paused.steps[firstDiff]}`).to.equal(-1);
    });
  });

  describe("1b. the pause keeps the node's event loop turning, and a pause that fails is not a verdict", () => {
    const ctx0: EvmBlockContext = { chainId: CHAIN_ID, number: 1, timestamp: 1, baseFee: 0n, feeRecipient: 0 };

    it("an eth_call looping over a 16 KB body (one JUMPDEST a turn) does not hold the event loop: with the node's pause a 5 ms timer never waits 250 ms (without it, it waits the whole run)", async () => {
      const s = L2State.genesis();
      const wide = "0x" + "3d".repeat(20);
      // 130 turns of 8,000 × (GASPRICE POP): ~32,000 gas a turn, 128 turns between two pauses.
      install(s, wide, asm(`130 l: raw:${"3a50".repeat(8_000)} 1 SWAP1 SUB DUP1 @l JUMPI STOP`));
      let r: Awaited<ReturnType<typeof simulateEvmCall>> | null = null;
      const held = await longestWait(async () => (r = await simulateEvmCall(s, { to: wide, data: Buffer.alloc(0), value: 0n }, ctx0, { pause: yieldingPause() })));
      console.log(`      128 turns of a 16 KB loop between two pauses: the event loop was held ${held.toFixed(0)} ms (gas ${r!.gasUsed})`);
      expect(r!.success).to.equal(true);
      expect(held, "ms the event loop was held").to.be.lessThan(250);
    });

    it("an eth_call of one BN254 pairing check of 60 pairs (~2M gas, one precompile call) does not hold the event loop 250 ms (~0.7 s in the thread)", async () => {
      const s = L2State.genesis();
      const pair = BN254_GENERATOR_PAIR;
      const pairing = "0x0000000000000000000000000000000000000008";
      let r: Awaited<ReturnType<typeof simulateEvmCall>> | null = null;
      // As a node's eth_call runs it: with the pause, and precompiles on the node's worker thread (test/node/precompileWorker.test.ts).
      const worker = new PrecompileWorker();
      const held = await longestWait(async () => (r = await simulateEvmCall(s, { to: pairing, data: hex(pair.repeat(60)), value: 0n }, ctx0, { pause: yieldingPause(), precompiles: worker.run }))).finally(() => worker.close());
      console.log(`      a 60-pair BN254 pairing in eth_call: the event loop was held ${held.toFixed(0)} ms (gas ${r!.gasUsed})`);
      expect(r!.success).to.equal(true);
      expect(held, "ms the event loop was held").to.be.lessThan(250);
    });

    it("a JUMPDEST sled (1 gas a step, each an awaited custom opcode) runs out of gas at the same point with and without the pause (its cost is a figure of npm run bench:evm-pause)", async () => {
      const s = L2State.genesis();
      const sled = "0x" + "3e".repeat(20);
      install(s, sled, "5b".repeat(20_000) + asm("0 JUMP"));
      const call = { to: sled, data: Buffer.alloc(0), value: 0n, gas: 600_000n };
      const plain = await simulateEvmCall(s, call, ctx0, {});
      expect(plain.error).to.equal("out of gas");
      expect(await simulateEvmCall(s, call, ctx0, { pause: yieldingPause() })).to.deep.equal(plain);
    });

    it("a pause that fails at a call frame's start makes the run fail at once: no engine left waiting forever, no unhandled rejection", async () => {
      const s = fundedState();
      const raw = await sign(alice, 0, { data: "0x" + asm(`${loop("l", 10)} STOP`) });
      const unhandled: unknown[] = [];
      const listeners = process.listeners("unhandledRejection");
      process.removeAllListeners("unhandledRejection");
      const collect = (reason: unknown) => unhandled.push(reason);
      process.on("unhandledRejection", collect);
      let outcome: string;
      try {
        const run = executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(1), { pause: () => Promise.reject(new Error("pause failed")) }).then(
          () => "completed",
          (e: Error) => `failed: ${e.message}`,
        );
        outcome = await Promise.race([run, sleep(1_000).then(() => "still waiting after 1 s")]);
        await sleep(10);
      } finally {
        process.removeListener("unhandledRejection", collect);
        for (const l of listeners) process.on("unhandledRejection", l);
      }
      expect({ settled: outcome !== "still waiting after 1 s", unhandled: unhandled.map((e) => String(e)) }).to.deep.equal({ settled: true, unhandled: [] });
    });

    it("a pause that fails mid-run (at a JUMPDEST) is the node's failure, not the transaction's: not an InvalidOperationError, which a replay turns into a fraud verdict", async () => {
      const s = fundedState();
      const raw = await sign(alice, 0, { data: "0x" + asm(`${loop("l", 300)} STOP`) });
      let calls = 0;
      const pause = async () => {
        if (++calls === 2) throw new Error("pause failed");
      };
      const root = s.root();
      const thrown = await executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(1), { pause }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(s.root(), "the state untouched").to.deep.equal(root);
      expect(thrown).to.be.instanceOf(EnginePauseFailedError);
      expect(((thrown as Error).cause as Error).message).to.equal("pause failed");
    });
  });

  describe("2. ETH the engine destroys goes to the fee recipient, and nothing else changes L2 ETH", () => {
    const SD = (n: number) => "0x" + (0x2000 + n).toString(16).padStart(40, "0");
    const F2 = "0x" + "f2".repeat(20); // CREATE2(callvalue, calldata, salt 0)
    const TOKEN_L1 = "0x" + "ab".repeat(20);
    const HOLDER = "0x" + "70".repeat(20); // holds a bridged token and nothing else
    const FRESH = "0x" + "71".repeat(20);

    /** Two states alike (the sequencer's and a replica's): alice, bob, a token, self-destructing contracts with 1,000 wei, F2, HOLDER. */
    function pair(): [L2State, L2State] {
      return [0, 1].map(() => {
        const s = fundedState();
        const token = s.registerToken(TOKEN_L1);
        for (let k = 0; k < 8; k++) install(s, SD(k), asm("0 CALLDATALOAD SELFDESTRUCT"), 1_000n);
        install(s, F2, asm("CALLDATASIZE 0 0 CALLDATACOPY 0 CALLDATASIZE 0 CALLVALUE CREATE2 0 SSTORE STOP"));
        s.setTokenBalance(s.createAccount(HOLDER), token.id, 77n);
        return s;
      }) as [L2State, L2State];
    }

    /** Runs `raw` on `seq` in block `number` paid to `feeRecipient`, replays its EVM block on `replica`; returns the receipt. */
    async function both(seq: L2State, replica: L2State, raw: Buffer, number: number, feeRecipient: number, baseFee = BASE_FEE) {
      const c = { ...ctx(number, feeRecipient), baseFee };
      const r = await executeEvmTransaction(seq, parseEvmTransaction(raw, CHAIN_ID), c);
      const body = encodeEvmBlock({ postStateRoot: seq.root(), timestamp: c.timestamp, baseFee, feeRecipient, number, rawTx: raw });
      expect((await replayBody(replica, body, { chainId: CHAIN_ID, queueEntry, expectedNumber: number })).verdict, `block ${number}`).to.deep.equal({ ok: true });
      expect(replica.root(), `root at block ${number}`).to.deep.equal(seq.root());
      expect(seq.totals().eth, `running ETH total after block ${number}`).to.equal(seq.recountTotals().eth);
      return r;
    }

    it("a standing contract's SELFDESTRUCT to itself, the predeploy, a token, the fee recipient, the sender, a fresh address or a precompile: L2 ETH is unchanged, the replica agrees", async () => {
      const [seq, replica] = pair();
      const initial = seq.totals().eth;
      const token = seq.tokens[0].l2Address;
      const beneficiaries = [SD(0), WITHDRAWAL_PREDEPLOY, token, bob.address, alice.address, FRESH, "0x0000000000000000000000000000000000000001", SD(7)];
      const bobIndex = seq.indexOf(bob.address.toLowerCase())!;
      for (const [k, ben] of beneficiaries.entries()) {
        const raw = await sign(alice, k, { to: SD(k), data: "0x" + word(BigInt(ben)) });
        const r = await both(seq, replica, raw, k + 1, bobIndex);
        expect(r.status, `SELFDESTRUCT to ${ben}`).to.equal(1);
      }
      expect(seq.totals().eth, "L2 ETH").to.equal(initial);
      // EIP-6780: a standing contract keeps its account; to itself, its balance stays.
      expect(seq.account(seq.indexOf(SD(0))!).balance).to.equal(1_000n);
      expect(seq.account(seq.indexOf(FRESH)!).balance).to.equal(1_000n);
    });

    it("created and self-destructed in one transaction, to itself, with the fee recipient the sender, or onto the fee recipient's own address (CREATE2): L2 ETH is unchanged, the fee recipient gets what Ethereum burns, the replica agrees", async () => {
      const [seq, replica] = pair();
      const initial = seq.totals().eth;
      const aliceIndex = seq.indexOf(alice.address.toLowerCase())!;
      // 1. The sender is the fee recipient, and its contract self-destructs to itself: alice pays and is paid.
      const before = seq.account(aliceIndex).balance;
      const r1 = await both(seq, replica, await sign(alice, 0, { data: "0x" + asm("ADDRESS SELFDESTRUCT"), value: 1_000n }), 1, aliceIndex);
      expect(r1.status).to.equal(1);
      expect(seq.account(aliceIndex).balance, "alice pays nothing to herself").to.equal(before);
      // 2. The fee recipient is an account at the address a CREATE2 deploys to (nonce 0, no code, 5 wei and a token):
      // the contract created there self-destructs to itself.
      const init = "0x" + asm("ADDRESS SELFDESTRUCT");
      const target = getCreate2Address(F2, "0x" + "00".repeat(32), ethersKeccak(init)).toLowerCase();
      for (const s of [seq, replica]) {
        const i = s.createAccount(target);
        s.setBalance(i, 5n);
        s.setTokenBalance(i, 0, 9n);
      }
      const fr = seq.indexOf(target)!;
      const r2 = await both(seq, replica, await sign(alice, 1, { to: F2, data: init, value: 3n }), 2, fr);
      expect(r2.status).to.equal(1);
      expect(seq.indexOf(target), "the fee recipient keeps its index").to.equal(fr);
      expect(seq.account(fr).balance, "the fee recipient: its 5 wei, the 3 sent, the fee").to.equal(5n + 3n + r2.gasUsed * r2.effectiveGasPrice);
      expect(seq.tokenBalance(fr, 0)).to.equal(9n);
      // 3. A creation with value whose init code reverts: the value stays with the sender.
      const r3 = await both(seq, replica, await sign(alice, 2, { data: "0x" + asm("0 0 REVERT"), value: 7n }), 3, 0);
      expect(r3.status).to.equal(0);
      // 4. A proposer's block with base fee 0, the sender as fee recipient.
      const r4 = await both(seq, replica, await sign(alice, 3, { data: "0x" + asm("ADDRESS SELFDESTRUCT"), value: 11n }, CHAIN_ID, 1n), 4, aliceIndex, 0n);
      expect(r4.status).to.equal(1);
      expect(seq.totals().eth, "L2 ETH: what there was, and the 5 wei put at the target").to.equal(initial + 5n);
    });

    it("a contract's 0-value CALL to an account holding only a bridged token (empty to the engine, EIP-161) keeps its index and its tokens; one to a fresh address creates none", async () => {
      const [seq, replica] = pair();
      const initial = seq.totals().eth;
      const raw = await sign(alice, 0, { data: "0x" + asm(`0 0 0 0 0 ${HOLDER} GAS CALL POP 0 0 0 0 0 ${FRESH} GAS CALL POP STOP`) });
      const count = seq.accountCount;
      const r = await both(seq, replica, raw, 1, 0);
      expect(r.status).to.equal(1);
      const h = seq.indexOf(HOLDER)!;
      expect(seq.tokenBalance(h, 0)).to.equal(77n);
      expect(seq.indexOf(FRESH)).to.equal(undefined);
      // The created contract (nonce 1, EIP-161) gets one; the fresh address none.
      expect(seq.accountCount).to.equal(count + 1);
      expect(seq.totals().eth).to.equal(initial);
    });

    it("EngineCreatedEthError stays unreachable for users: a run of random value moves between contracts that call, create and self-destruct conserves L2 ETH", async () => {
      const [seq, replica] = pair();
      const initial = seq.totals().eth;
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const targets = [SD(1), SD(2), F2, FRESH, WITHDRAWAL_PREDEPLOY, seq.tokens[0].l2Address, alice.address, bob.address];
      for (let k = 0; k < 12; k++) {
        const t = targets[rnd(targets.length)];
        const v = BigInt(rnd(50));
        // A creation that sends v/2 to t by CALL, then self-destructs to another target.
        const init = asm(`0 0 0 0 ${v / 2n} ${t} GAS CALL POP ${targets[rnd(targets.length)]} SELFDESTRUCT`);
        let thrown: unknown = null;
        try {
          await both(seq, replica, await sign(alice, k, { data: "0x" + init, value: v }), k + 1, rnd(3));
        } catch (e) {
          thrown = e;
        }
        expect(thrown instanceof EngineCreatedEthError, `transaction ${k}: ${(thrown as Error)?.message}`).to.equal(false);
        expect(thrown, String(thrown)).to.equal(null);
      }
      expect(seq.totals().eth).to.equal(initial);
    });
  });

  describe("3. the live state in turns: simulations, the intake and the sequencer's own runs", () => {
    const GENESIS = 1_800_000_000;
    const deposit = (index: number, to: string, amount: bigint): QueueEntry => ({ index: BigInt(index), kind: QueueKind.ETH_DEPOSIT, account: to.toLowerCase(), tokenId: 0, amount });
    const FIRST = [deposit(0, alice.address, FUNDS), deposit(1, bob.address, FUNDS)];

    /** A sequencer (alice and bob funded by L1 deposits, READER and STALE deployed by alice) and its intake, as SequencerNode wires them. */
    async function node(loops = 60_000) {
      const seq = new Sequencer({ chainId: CHAIN_ID, fees: { minBaseFee: BASE_FEE, l1GasPerByte: 0n }, l1BaseFee: () => 0n, feeRecipient: alice.address, logger: silentLogger, now: () => GENESIS + 10 });
      const turns = new StateTurns();
      const intake = new EvmIntake(seq, recoverHere, turns);
      const entries = [...FIRST];
      await intake.queueEntries(FIRST);
      seq.sealBlock();
      // READER: BALANCE(alice), a loop, BALANCE(bob): returns both. STALE: BALANCE(bob), a long loop, 1 wei to bob, SSTORE(0, the balance read first).
      const reader = asm(`${alice.address} BALANCE 0 MSTORE ${loop("l", 600)} ${bob.address} BALANCE 32 MSTORE 64 0 RETURN`);
      const stale = asm(`${bob.address} BALANCE ${loop("l", loops)} ${CALL_ARGS(bob.address, 1)} POP 0 SSTORE STOP`);
      let nonce = 0;
      const addresses: string[] = [];
      for (const runtime of [reader, stale]) {
        const raw = await sign(alice, nonce, { data: deploy(runtime) });
        await intake.send("0x" + raw.toString("hex"), () => undefined);
        addresses.push(seq.chain.latest.transactions[0].contractAddress!);
        nonce++;
      }
      const send = async (w: Wallet, req: TransactionRequest) => intake.send("0x" + (await sign(w, Number(seq.nonce(w.address, "pending")), req)).toString("hex"), () => undefined);
      /** Replays every block the sequencer holds on a fresh chain from its bodies alone, as a restart or a replica would. */
      const replay = async () => {
        const fresh = new ChainState(CHAIN_ID, GENESIS);
        fresh.queue.learn(entries);
        for (const b of seq.chain.blocks.slice(1)) {
          await fresh.adoptPostedBody(b.body);
          expect("0x" + fresh.state.root().toString("hex"), `block ${b.number}`).to.equal(b.stateRoot);
        }
      };
      return { seq, turns, intake, send, replay, entries, deploy, reader: addresses[0], stale: addresses[1] };
    }
    /** The sequencer's next block, where a simulation runs (rpc/methods/evm.ts nextBlock). */
    const next = (seq: Sequencer): EvmBlockContext => ({ chainId: CHAIN_ID, number: seq.chain.latest.number + 1, timestamp: seq.chain.latest.timestamp, baseFee: seq.baseFee, feeRecipient: 0 });

    it("a simulation paused mid-run sees one state: deposits and a transfer sent meanwhile land after it, in the intake's turns", async () => {
      const n = await node();
      const { seq, intake } = n;
      const a = seq.state.account(seq.state.indexOf(alice.address.toLowerCase())!).balance;
      const b = seq.state.account(seq.state.indexOf(bob.address.toLowerCase())!).balance;
      let changes: Promise<unknown>[] = [];
      let pauses = 0;
      const sim = n.turns.read(() =>
        simulateEvmCall(seq.state, { to: n.reader, data: Buffer.alloc(0), value: 0n }, next(seq), {
          pause: async () => {
            // The first pause is the call frame's start; the second is in the loop, after BALANCE(alice).
            if (++pauses === 2) {
              // While the simulation waits between two engine steps: L1 deposits to both, and a transfer from alice to bob.
              n.entries.push(deposit(2, alice.address, 5n), deposit(3, bob.address, 5n));
              changes = [intake.queueEntries(n.entries.slice(2)), n.send(alice, { to: bob.address, value: 7n, gasLimit: 21_000n })];
              seq.sealBlock();
            }
            await immediate();
          },
        }),
      );
      const r = await sim;
      await Promise.all(changes);
      expect(pauses).to.be.greaterThan(2);
      expect(r.success).to.equal(true);
      expect([BigInt("0x" + r.returnData.subarray(0, 32).toString("hex")), BigInt("0x" + r.returnData.subarray(32).toString("hex"))], "alice and bob as the simulation saw them").to.deep.equal([a, b]);
      seq.sealBlock();
      await n.replay();
    });

    it("the sequencer's own contract transaction, paused by the node's pause, is not changed under: deposits, a transfer, a simulation and the sealing timer wait for it, and a replay from the bodies agrees", async () => {
      const n = await node();
      const { seq, intake } = n;
      const bobIndex = seq.state.indexOf(bob.address.toLowerCase())!;
      const bobBefore = seq.state.account(bobIndex).balance;
      const blocksBefore = seq.chain.latest.number;
      let settled = false;
      const running = n.send(alice, { to: n.stale, value: 1n, gasLimit: 2_000_000n }).finally(() => (settled = true));
      // The engine yields every 10 ms (yieldingPause): let it get under way.
      await sleep(25);
      expect(settled, "the contract transaction is still running").to.equal(false);
      n.entries.push(deposit(2, bob.address, 1_000n));
      const meanwhile = [
        intake.queueEntries(n.entries.slice(2)),
        n.send(bob, { to: alice.address, value: 3n, gasLimit: 21_000n }),
        n.turns.read(() => simulateEvmCall(seq.state, { from: alice.address, to: n.reader, data: Buffer.alloc(0), value: 0n }, next(seq), { pause: yieldingPause() })),
      ];
      expect(seq.sealBlock(), "the sealing timer seals nothing while a contract transaction runs").to.equal(null);
      await running;
      await Promise.all(meanwhile);
      seq.sealBlock();
      expect(seq.chain.blocks[blocksBefore + 1].transactions[0].status, "the contract transaction's block comes first").to.equal(1);
      // STALE stored bob's balance as it read it: before the deposit and the transfer.
      expect(seq.state.contractState.storage(seq.state.indexOf(n.stale)!, 0n)).to.equal(bobBefore);
      const gasPaid = seq.chain.blocks.slice(blocksBefore + 1).flatMap((b) => b.transactions).filter((t) => t.from === bob.address.toLowerCase()).reduce((sum, t) => sum + t.gasUsed * t.effectiveGasPrice, 0n);
      expect(seq.state.account(bobIndex).balance, "bob: the wei from STALE, the deposit, less the transfer and its fee").to.equal(bobBefore + 1n + 1_000n - 3n - gasPaid);
      await n.replay();
    });

    it("a stream of simulations does not throttle the intake: transactions and queue entries sent together wait for the simulations under way once, not one simulation each", async () => {
      const { turns, intake } = await node(10);
      const SIM_MS = 100;
      let stop = false;
      // Four clients each sending a simulation as soon as the last is answered (each holds a read turn SIM_MS, as a paused engine run does).
      const flood = async () => {
        while (!stop) await turns.read(() => sleep(SIM_MS)).catch(() => undefined);
      };
      const clients = [flood(), flood(), flood(), flood()];
      await sleep(SIM_MS / 2);
      const started = performance.now();
      await Promise.all(Array.from({ length: 8 }, () => intake.queueEntries([])));
      const took = performance.now() - started;
      stop = true;
      await Promise.all(clients);
      console.log(`      8 intake tasks under a stream of ${SIM_MS} ms simulations took ${took.toFixed(0)} ms`);
      // Writer preference (stateTurns.ts): the first waits for the reads under way, the rest follow it
      // (~1 simulation); waiting one simulation each would take 8.
      expect(took, "ms for 8 intake tasks").to.be.lessThan(4 * SIM_MS);
    });

    it("the RPC answers LIMIT_EXCEEDED (-32005) for eth_call and eth_estimateGas when the simulation queue is full, and runs the ones it took", async () => {
      const chain = new ChainState(CHAIN_ID, GENESIS);
      const s = chain.state;
      s.setBalance(s.createAccount(alice.address.toLowerCase()), FUNDS);
      const looper = "0x" + "3c".repeat(20);
      install(s, looper, asm(`${loop("l", 500)} STOP`));
      const turns = new StateTurns();
      const backend = {
        chainId: CHAIN_ID,
        baseFee: BASE_FEE,
        state: s,
        chain: chain.chain,
        history: chain.history,
        experimentalEvm: true,
        simulate: <T>(run: (pause: () => Promise<void>) => Promise<T>) => turns.read(() => run(immediate)),
      } as unknown as L2Backend;
      const methods = evmMethods(backend, {});
      const call = { from: alice.address, to: looper, data: "0x" };
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          Promise.resolve(methods[i % 2 ? "eth_call" : "eth_estimateGas"]([call, "latest"], {} as never)).then(
            () => "ok",
            (e: { code?: number; message?: string }) => `${e.code}`,
          ),
        ),
      );
      const count = (x: string) => outcomes.filter((o) => o === x).length;
      console.log(`      100 simulations at once: ${count("ok")} answered, ${count(String(RpcCode.LIMIT_EXCEEDED))} refused`);
      expect(count("ok") + count(String(RpcCode.LIMIT_EXCEEDED)), `outcomes: ${[...new Set(outcomes)].join(", ")}`).to.equal(100);
      expect(count(String(RpcCode.LIMIT_EXCEEDED))).to.be.greaterThan(0);
      expect(count("ok")).to.be.at.least(66);
    });

    describe("a sequencer in the mode restarting onto L1 (lineUpWithL1)", () => {
      /** L1's record of `blocks` (1-based numbers of `seq`'s chain) as one batch: empty blocks merged into runs, as the submitter posts. */
      const batchOf = (seq: Sequencer, index: number, from: number, to: number, bodies?: Buffer[]): PostedBatch => {
        const blocks = seq.chain.blocks.slice(from, to + 1);
        return {
          index,
          firstBlock: from,
          preStateRoot: seq.chain.blocks[from - 1].stateRoot,
          postStateRoot: blocks[blocks.length - 1].stateRoot,
          queueCount: blocks[blocks.length - 1].queueIndex,
          commitmentsRoot: "0x",
          l1Block: 1,
          l1TxHash: "0x",
          bodies: bodies ?? mergeEmptyRuns(blocks.map((b) => b.body)),
        };
      };
      const freshSequencer = (entries: QueueEntry[]) => {
        const b = new Sequencer({ chainId: CHAIN_ID, fees: { minBaseFee: BASE_FEE, l1GasPerByte: 0n }, l1BaseFee: () => 0n, feeRecipient: alice.address, logger: silentLogger, now: () => GENESIS + 20 });
        b.local.queue.learn(entries);
        return b;
      };

      it("lines up with batches mixing commitments, EVM blocks mid-batch, queue entries after an EVM block and empty runs (one at a batch's end), then goes on numbering right", async () => {
        const n = await node(10);
        const { seq, intake } = n;
        // An empty block as the sealing timer makes one when it is due.
        const sealEmpty = async () => seq.local.appendEmpty(seq.chain.latest.timestamp);
        const NUMBERED = asm("NUMBER NUMBER SSTORE STOP"); // SSTORE(NUMBER, NUMBER): the block number, in its own slot
        await sealEmpty();
        await sealEmpty();
        await n.send(alice, { data: n.deploy(NUMBERED) });
        const numbered = seq.chain.latest.transactions[0].contractAddress!;
        n.entries.push(deposit(2, bob.address, 9n));
        await intake.queueEntries(n.entries.slice(2));
        await n.send(bob, { to: alice.address, value: 1n, gasLimit: 21_000n });
        seq.sealBlock();
        await n.send(alice, { to: numbered });
        await sealEmpty();
        const last = seq.chain.latest.number;
        // Blocks: 1 deposits, 2-3 deploys, 4-5 empty | 6 deploy, 7 deposit and transfer, 8 call, 9 empty.
        expect(last).to.equal(9);
        const batches = [batchOf(seq, 0, 1, 5), batchOf(seq, 1, 6, 9)];
        expect(batches.map((b) => b.bodies.length), "bodies per batch, empty blocks merged").to.deep.equal([4, 4]);

        const restarted = freshSequencer(n.entries);
        expect(await lineUpWithL1(restarted, batches, 0, { experimentalEvm: true })).to.equal(9);
        expect(restarted.chain.blocks.map((b) => `${b.number}:${b.hash}:${b.stateRoot}`)).to.deep.equal(seq.chain.blocks.map((b) => `${b.number}:${b.hash}:${b.stateRoot}`));
        expect(restarted.chain.batches.map((b) => [b.firstBlock, b.lastBlock])).to.deep.equal([[1, 5], [6, 9]]);
        // Lining up again (the node holds the blocks) records nothing new and replays nothing.
        expect(await lineUpWithL1(restarted, batches, 0, { experimentalEvm: true })).to.equal(0);

        // And goes on: its next contract transaction runs as block 10 and stores 10.
        const turns = new StateTurns();
        const intake2 = new EvmIntake(restarted, recoverHere, turns);
        await intake2.send("0x" + (await sign(alice, Number(restarted.nonce(alice.address, "pending")), { to: numbered })).toString("hex"), () => undefined);
        expect(restarted.chain.latest.number).to.equal(10);
        expect(restarted.state.contractState.storage(restarted.state.indexOf(numbered)!, 10n)).to.equal(10n);
      });

      it("refuses an EVM block on L1 carrying the wrong number (PostedBlockRefusedError, malformed), even one whose state root does not depend on it", async () => {
        const n = await node(10);
        const { seq } = n;
        // A call that does not read NUMBER: only the number check can tell.
        await n.send(alice, { to: n.stale, gasLimit: 200_000n });
        const at = seq.chain.latest.number;
        const good = batchOf(seq, 0, 1, at - 1);
        const block = seq.chain.latest;
        const forged = encodeEvmBlock({ postStateRoot: hex(block.stateRoot), timestamp: block.timestamp, baseFee: block.baseFee, feeRecipient: seq.state.indexOf(block.feeRecipient)!, number: at + 1, rawTx: block.transactions[0].raw! });
        const restarted = freshSequencer(n.entries);
        let refused: unknown = null;
        try {
          await lineUpWithL1(restarted, [good, batchOf(seq, 1, at, at, [forged])], 0, { experimentalEvm: true });
        } catch (e) {
          refused = e;
        }
        expect(refused).to.be.instanceOf(PostedBlockRefusedError);
        expect((refused as PostedBlockRefusedError).verdict).to.include({ ok: false, kind: "malformed" });
        expect(restarted.chain.latest.number, "the blocks before it adopted").to.equal(at - 1);
      });
    });
  });

  describe("4. the mode's challenger counts blocks as L1 does", () => {
    it("empty runs and EVM blocks after them in one batch pass, for a challenger following along and one started later; an EVM block numbered as if a run were one block is proven; the batch posted again after the revert passes", async () => {
      const world = await buildWorld("evm-fixes-review");
      const { chain, users } = world;
      const proposer = new MaliciousProposer(world.deployer, world.addresses.rollup, world.chain);
      const challenger = async (name: string) =>
        new Challenger({ l1Provider: ethers.provider, l1Signer: await l1Account(`evm-fixes-review:${name}`, 10n ** 20n), addresses: world.addresses, startBlock: world.deployBlock, confirmations: 0, chainId: WORLD_CHAIN_ID, pollMs: 100, logger: silentLogger, experimentalEvm: true });
      const aliceIndex = chain.state.indexOf(users.alice.address.toLowerCase())!;
      /** An EVM block of alice's creation `SSTORE(0, NUMBER)` run at block `number`, applied to the world's state: its body. */
      const evmBlock = async (number: number): Promise<Buffer> => {
        const c: EvmBlockContext = { chainId: WORLD_CHAIN_ID, number, timestamp: CASE_TIMESTAMP, baseFee: 1n, feeRecipient: aliceIndex };
        const nonce = Number(chain.state.account(aliceIndex).nonce);
        const raw = await users.alice.signTransaction({ type: 2, chainId: WORLD_CHAIN_ID, nonce, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n, gasLimit: 100_000n, data: "0x4360005500" });
        const tx = parseEvmTransaction(hex(raw), WORLD_CHAIN_ID);
        expect((await executeEvmTransaction(chain.state, tx, c)).status).to.equal(1);
        return encodeEvmBlock({ postStateRoot: chain.state.root(), timestamp: c.timestamp, baseFee: c.baseFee, feeRecipient: aliceIndex, number, rawTx: tx.raw });
      };
      const run = (blocks: number) => encodeEmptyRun({ blocks, timestamp: CASE_TIMESTAMP });
      const nextBlock = async () => {
        const last = await world.rollup.getBatch((await world.rollup.batchCount()) - 1n);
        return Number(last.firstBlock + last.blockCount);
      };
      const pollUntil = async (c: Challenger, done: () => boolean) => {
        for (let i = 0; i < 5 && !done(); i++) await c.poll();
      };
      const following = await challenger("following");
      let later: Challenger | null = null;
      try {
        // Batch 1: a commitment, a run of 3, an EVM block, a run of 2, an EVM block.
        const f = await nextBlock();
        const b = chain.builder();
        b.addTransaction(await chain.parsed(users.bob, transferTo(users.carol.address, 1n)));
        const bodies = [b.seal(CASE_TIMESTAMP).body, run(3), await evmBlock(f + 4), run(2), await evmBlock(f + 7)];
        const first = await proposer.submitBodies(bodies, chain.state.queueIndex);
        if (!first.ok) expect.fail(`submission refused: ${first.revert.name}`);
        await pollUntil(following, () => following.batchCount >= 2);
        expect({ checked: following.batchCount, frauds: following.stats.fraudsFound }).to.deep.equal({ checked: 2, frauds: 0 });
        expect(following.state.root()).to.deep.equal(chain.state.root());
        // A challenger started now rebuilds from L1 (the mode keeps no store) and counts the same.
        later = await challenger("later");
        await pollUntil(later, () => later!.batchCount >= 2);
        expect({ checked: later.batchCount, frauds: later.stats.fraudsFound }).to.deep.equal({ checked: 2, frauds: 0 });
        await later.stop();
        later = null;

        // Batch 2: a run of 4, then an EVM block numbered as if the run were one block.
        const g = await nextBlock();
        expect(g).to.equal(f + 8);
        const cp = chain.state.checkpoint();
        const wrong = await proposer.submitBodies([run(4), await evmBlock(g + 1)], chain.state.queueIndex);
        chain.state.rollback(cp);
        if (!wrong.ok) expect.fail(`submission refused: ${wrong.revert.name}`);
        await pollUntil(following, () => following.stats.fraudsProven > 0);
        expect({ found: following.stats.fraudsFound, proven: following.stats.fraudsProven }).to.deep.equal({ found: 1, proven: 1 });
        expect(await world.rollup.batchCount()).to.equal(2n);

        // Posted again at the same index, numbered right: L1 counts from batch 1 again, and so does the challenger.
        if ((await world.rollup.bonds(world.deployer.address)) < DEVNET_PARAMS.bondSize) await (await world.rollup.connect(world.deployer).postBond({ value: DEVNET_PARAMS.bondSize })).wait();
        const again = await proposer.submitBodies([run(4), await evmBlock(g + 4)], chain.state.queueIndex);
        if (!again.ok) expect.fail(`submission refused: ${again.revert.name}`);
        await pollUntil(following, () => following.batchCount >= 3);
        expect({ checked: following.batchCount, found: following.stats.fraudsFound }).to.deep.equal({ checked: 3, found: 1 });
        expect(following.state.root()).to.deep.equal(chain.state.root());
      } finally {
        await following.stop();
        await later?.stop();
      }
    });
  });

  describe("5. a node in the mode (sequencer and replica on the in-process L1) while its state is busy", () => {
    let t: Awaited<ReturnType<typeof startTestNode>>;
    let nonce = 0;
    const chainId = DEVNET_PARAMS.l2ChainId;
    const send = async (req: TransactionRequest) => {
      const raw = await t.wallets[0].signTransaction({ type: 2, chainId, nonce: nonce++, maxFeePerGas: 2n * t.node.baseFee, maxPriorityFeePerGas: 0n, gasLimit: 3_000_000n, value: 0n, ...req });
      return t.node.sendRawTransaction(raw);
    };
    let counter: string;

    before(async () => {
      t = await startTestNode(1, { experimentalEvm: true, serve: undefined });
    });
    after(async () => {
      await t?.stop();
    });

    it("a sequencer's resync started while a contract transaction runs, a simulation reads and an L1 poll is under way completes (no deadlock), refuses transactions meanwhile, and re-applies the unposted contract transactions in order", async () => {
      const node = t.node;
      // COUNTER: slot 0 += 1, after calldata[0] turns of a loop.
      await send({ data: deploy(asm(`0 CALLDATALOAD ${loop("l", "")} 0 SLOAD 1 ADD 0 SSTORE STOP`)) });
      counter = node.chain.latest.transactions[0].contractAddress!;
      const hashes = [await send({ to: counter, data: "0x" + word(5) })];
      node.sequencer.sealBlock();
      const before = node.chain.latest.number;

      // Under way together: a long contract transaction (in the engine), a long simulation waiting
      // for it, an L1 poll (its queue entries wait for the intake's turn); then the resync.
      let running = true;
      const long = send({ to: counter, data: "0x" + word(80_000) }).finally(() => (running = false));
      await sleep(30);
      expect(running, "the contract transaction is in the engine").to.equal(true);
      const sim = node.simulate!((options) => simulateEvmCall(node.state, { to: counter, data: hex(word(80_000)), value: 0n }, { chainId, number: before + 1, timestamp: node.chain.latest.timestamp, baseFee: node.baseFee, feeRecipient: 0 }, options));
      const poll = node.pollL1();
      const resync = (node as unknown as { resyncWithL1(): Promise<void> }).resyncWithL1();
      const refused = await send({ to: counter, data: "0x" + word(1) }).then(() => null, (e: Error) => e.name);
      nonce--;
      const settled = await Promise.race([Promise.all([long, sim, poll, resync]).then(() => "settled"), sleep(20_000).then(() => "stuck")]);
      expect(settled, "the resync and everything under way settle").to.equal("settled");
      expect(refused, "a transaction sent during the resync").to.equal("OverloadedError");
      hashes.push(await long);
      expect((await sim).success).to.equal(true);
      node.sequencer.sealBlock();
      for (const h of hashes) expect(node.chain.hasTx(h), `transaction ${h} re-applied`).to.equal(true);
      expect(node.state.contractState.storage(node.state.indexOf(counter)!, 0n), "both calls counted, once each").to.equal(2n);
      // The chain re-sequenced by the resync replays from its bodies alone.
      const fresh = new ChainState(chainId, 0);
      fresh.queue.learn(Array.from({ length: node.sequencer.local.queue.length }, (_, i) => node.sequencer.local.queue.entry(BigInt(i))!));
      for (const b of node.chain.blocks.slice(1)) {
        await fresh.adoptPostedBody(b.body);
        expect("0x" + fresh.state.root().toString("hex"), `block ${b.number}`).to.equal(b.stateRoot);
      }
    });

    it("a replica applying a batch waits for a simulation paused mid-run, which sees the state before the batch; the replica then agrees with the sequencer", async () => {
      const node = t.node;
      const w = t.wallets[0].address;
      // BALANCES: BALANCE(w), a loop, BALANCE(w) again: returns both.
      await send({ data: deploy(asm(`${w} BALANCE 0 MSTORE ${loop("l", 3_000)} ${w} BALANCE 32 MSTORE 64 0 RETURN`)) });
      const balances = node.chain.latest.transactions[0].contractAddress!;
      await node.flush();
      const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId, pollMs: 3_600_000, logger: silentLogger, experimentalEvm: true });
      await replica.start();
      try {
        expect(replica.chain.latest.stateRoot).to.equal(node.chain.blocks[node.chain.batches[node.chain.batches.length - 1].lastBlock].stateRoot);
        const before = replica.state.account(replica.state.indexOf(w.toLowerCase())!).balance;
        // A batch that changes w's balance (its fee) waits on L1.
        await send({ to: counter, data: "0x" + word(3) });
        await node.flush();
        let syncing: Promise<void> | null = null;
        let pauses = 0;
        const r = await replica.simulate((options) =>
          simulateEvmCall(replica.state, { to: balances, data: Buffer.alloc(0), value: 0n }, { chainId, number: replica.chain.latest.number + 1, timestamp: replica.chain.latest.timestamp, baseFee: replica.baseFee, feeRecipient: 0 }, {
            ...options,
            pause: async () => {
              // The second pause is in the loop, after the first BALANCE: the replica syncs meanwhile.
              if (++pauses === 2) syncing = replica.sync();
              await options.pause!();
              await immediate();
            },
          }),
        );
        expect(pauses).to.be.greaterThan(2);
        const seen = [BigInt("0x" + r.returnData.subarray(0, 32).toString("hex")), BigInt("0x" + r.returnData.subarray(32).toString("hex"))];
        expect(seen, "w's balance as the simulation saw it, twice").to.deep.equal([before, before]);
        await syncing;
        const tip = node.chain.blocks[node.chain.batches[node.chain.batches.length - 1].lastBlock];
        expect({ number: replica.chain.latest.number, root: replica.chain.latest.stateRoot }).to.deep.equal({ number: tip.number, root: tip.stateRoot });
        expect(replica.state.account(replica.state.indexOf(w.toLowerCase())!).balance < before, "the batch applied after").to.equal(true);
      } finally {
        await replica.stop();
      }
    });
  });
});
