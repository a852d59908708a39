/**
 * Adversarial review of `--experimental-evm` (docs/design/evm.md, *Tracer bullet*): what a
 * malicious user or proposer can do to a default node, to a node in the mode, and to a replica
 * rebuilding the mode's state from L1. Core-level only (no devnet): each test builds L2States,
 * runs the engine, and replays the posted bodies as a replica or a default follower would.
 *
 * Each test asserts the property that should hold. At review time six FAIL, each a finding:
 * gas above 2^24 in eth_call/eth_estimateGas (a plain engine Error), eth_estimateGas starving the
 * event loop, eth_call not held to 2^23, SELFDESTRUCT-to-self burning escrowed ETH, the mode's
 * challenger accepting an EVM block a replica refuses (block number), and a restarting sequencer
 * refusing its own EVM blocks from L1.
 */
import { expect } from "chai";
import { Wallet, getCreate2Address, keccak256 as ethersKeccak, type TransactionRequest } from "ethers";
import { L2State } from "../../src/core/state";
import { WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";
import { decodeCommitment } from "../../src/core/commitment";
import { DecodeError, InvalidOperationError } from "../../src/core/errors";
import { keccak256 } from "../../src/core/hash";
import { accountLeaf, accountLeafWith } from "../../src/core/hashing";
import { parseRawTransaction, toSignedOp } from "../../src/core/intake";
import { replayCommitment } from "../../src/core/replay";
import { encodeEvmBlock } from "../../src/core/evm/evmBlock";
import { MAX_EVM_TX_GAS, parseEvmTransaction } from "../../src/core/evm/evmTransaction";
import { isContractTransaction } from "../../src/core/evm/routing";
import { estimateEvmGas, executeEvmTransaction, simulateEvmCall, type EngineOptions, type EvmBlockContext } from "../../src/core/evm/engine";
import { yieldingPause } from "../../src/shared/eventLoop";
import { longestWait } from "../helpers/evmCode";
import { replayBody } from "../../src/core/evm/replayEvm";
import { ChainState, PostedBlockRefusedError } from "../../src/chain/chainState";
import { BatchReplayer } from "../../src/node/replica/batchReplayer";

const CHAIN_ID = 1_637_401n;
const BASE_FEE = 10_000_000n;
const alice = new Wallet("0x" + "31".repeat(32));
const bob = new Wallet("0x" + "32".repeat(32));
const ctx = (number: number): EvmBlockContext => ({ chainId: CHAIN_ID, number, timestamp: 1_800_000_000 + number, baseFee: BASE_FEE, feeRecipient: 0 });
const queueEntry = () => undefined;

function fundedState(): L2State {
  const s = L2State.genesis();
  for (const w of [alice, bob]) s.setBalance(s.createAccount(w.address.toLowerCase()), 10n ** 20n);
  return s;
}

async function sign(w: Wallet, nonce: number, req: TransactionRequest): Promise<Buffer> {
  const raw = await w.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 1n, gasLimit: 1_000_000n, value: 0n, ...req });
  return Buffer.from(raw.slice(2), "hex");
}

const hex = (s: string) => Buffer.from(s.replace(/^0x/, ""), "hex");
const addr = (s: string) => s.toLowerCase().replace(/^0x/, "");

/** A contract at `address` with runtime `code`, put straight into the state. */
function install(s: L2State, address: string, code: string): number {
  const i = s.indexOf(address) ?? s.createAccount(address);
  s.setCode(i, hex(code));
  return i;
}

/**
 * Runs each raw transaction on `seq` as the sequencer does, posts each as an EVM block, and has
 * `replica` replay the bodies as a replica does (replayBody, block numbers checked): returns the
 * receipts; asserts every root agrees.
 */
async function sequenceAndReplay(seq: L2State, replica: L2State, raws: Buffer[], first = 1) {
  const results = [];
  for (const [i, raw] of raws.entries()) {
    const c = ctx(first + i);
    const r = await executeEvmTransaction(seq, parseEvmTransaction(raw, CHAIN_ID), c);
    results.push(r);
    const body = encodeEvmBlock({ postStateRoot: seq.root(), timestamp: c.timestamp, baseFee: c.baseFee, feeRecipient: c.feeRecipient, number: c.number, rawTx: raw });
    const v = await replayBody(replica, body, { chainId: CHAIN_ID, queueEntry, expectedNumber: c.number });
    expect(v.verdict, `block ${c.number}`).to.deep.equal({ ok: true });
    expect(replica.root(), `root at block ${c.number}`).to.deep.equal(seq.root());
  }
  return results;
}

describe("experimental EVM review: hostile users and proposers", function () {
  this.timeout(40_000);

  describe("1. the default mode is untouched", () => {
    it("accountLeafWith(…, null) is accountLeaf, and the shared scratch buffer leaks nothing from one leaf into the next", () => {
      const explicit = (a: string, nonce: bigint, bal: bigint, t: Buffer, al: Buffer, ch: Buffer | null) => {
        const n = Buffer.alloc(8);
        n.writeBigUInt64BE(nonce);
        const pre = Buffer.concat([hex(a), n, hex(bal.toString(16).padStart(64, "0")), t, al]);
        return keccak256(ch ? Buffer.concat([pre, ch]) : pre);
      };
      const A = ["0x" + "aa".repeat(20), 7n, 10n ** 30n, Buffer.alloc(32, 1), Buffer.alloc(32, 2)] as const;
      const B = ["0x" + "0b".repeat(20), 0n, 0n, Buffer.alloc(32, 3), Buffer.alloc(32, 4)] as const;
      const ch = Buffer.alloc(32, 0xcc);
      expect(accountLeafWith(...A, null)).to.deep.equal(accountLeaf(...A));
      expect(accountLeafWith(...A, null)).to.deep.equal(explicit(...A, null));
      // Interleaved: a long leaf after a short one of another account and before another short one.
      const b1 = accountLeaf(...B);
      const aLong = accountLeafWith(...A, ch);
      const b2 = accountLeafWith(...B, null);
      expect(aLong).to.deep.equal(explicit(...A, ch));
      expect(b1).to.deep.equal(explicit(...B, null));
      expect(b2).to.deep.equal(b1);
      expect(accountLeafWith(...B, ch)).to.deep.equal(explicit(...B, ch));
      // The returned hashes are not views of the scratch buffer.
      const kept = Buffer.from(aLong);
      accountLeaf(...B);
      expect(aLong).to.deep.equal(kept);
    });

    it("the default intake refuses a creation, a call with data, type 1/3/4 and the 0xEF byte with an InvalidOperationError, never anything else", async () => {
      const cases: Array<[string, string]> = [
        ["creation", "0x" + (await sign(alice, 0, { data: "0x600060005360016000f3" })).toString("hex")],
        ["call with data to an EOA", "0x" + (await sign(alice, 0, { to: bob.address, data: "0x12345678" })).toString("hex")],
        ["type 4 prefix", "0x04c0"],
        ["type 3 prefix", "0x03c0"],
        ["type 1 prefix", "0x01c0"],
        ["0xEF", "0xef"],
        ["0xEF then garbage", "0xef" + "00".repeat(40)],
      ];
      const state = fundedState();
      for (const [what, raw] of cases) {
        let thrown: unknown = null;
        try {
          toSignedOp(state, parseRawTransaction(raw, CHAIN_ID), 0);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, what).to.be.instanceOf(InvalidOperationError);
        expect((thrown as Error).message, what).to.be.a("string").and.not.equal("");
      }
    });

    it("an EVM block a malicious proposer posts to a default network is MALFORMED to replayCommitment and to a default BatchReplayer, with nothing applied", async () => {
      const seq = fundedState();
      const raw = await sign(alice, 0, { data: "0x600060005360016000f3", value: 5n });
      await executeEvmTransaction(seq, parseEvmTransaction(raw, CHAIN_ID), ctx(1));
      const body = encodeEvmBlock({ postStateRoot: seq.root(), timestamp: ctx(1).timestamp, baseFee: BASE_FEE, feeRecipient: 0, number: 1, rawTx: raw });
      expect(() => decodeCommitment(body)).to.throw(DecodeError);

      const follower = fundedState();
      const before = follower.root();
      const cp = follower.checkpoint();
      const r = replayCommitment(follower, body, { chainId: CHAIN_ID, queueEntry });
      expect(r.verdict).to.include({ ok: false, kind: "malformed" });
      follower.rollback(cp);
      expect(follower.root()).to.deep.equal(before);

      const replica = fundedState();
      const out = await new BatchReplayer(null).replayBatches(replica, [{ bodies: [body], final: false }], { chainId: CHAIN_ID, queueEntry });
      expect(out[0][0].verdict).to.include({ ok: false, kind: "malformed" });
      expect(replica.contractState.hasCode(replica.indexOf(seq.account(seq.accountCount - 1).address) ?? 0)).to.equal(false);
    });
  });

  describe("2. hostile input in the mode", () => {
    const LOOP = "5b600056"; // JUMPDEST PUSH1 0 JUMP: forever
    const loopAt = "0x" + "10".repeat(20);

    it("eth_call/eth_estimateGas with a gas above EIP-7825's 2^24 answer (a failed result or an InvalidOperationError), never a plain engine Error (the RPC's -32603 \"internal error\")", async () => {
      const s = fundedState();
      install(s, loopAt, LOOP);
      for (const run of [simulateEvmCall, estimateEvmGas]) {
        let thrown: unknown = null;
        try {
          await run(s, { from: alice.address, to: loopAt, data: Buffer.alloc(0), value: 0n, gas: 2n ** 64n - 1n }, ctx(1));
        } catch (e) {
          thrown = e;
        }
        // Broken if it throws something that is neither an answer nor an InvalidOperationError/RPC error.
        expect(thrown === null || thrown instanceof InvalidOperationError, `${run.name}: ${(thrown as Error)?.message}`).to.equal(true);
      }
    });

    it("eth_estimateGas does not starve the node's event loop: with the node's pause, a 10 ms timer never waits long during a bisecting estimate of ~1.3M-gas runs (without it, the whole estimate is one wait)", async () => {
      const s = fundedState();
      const burner = "0x" + "14".repeat(20);
      // 50,000 iterations (~1.3M gas), then require(gasleft() > 1,400,000): succeeds only with
      // more than it uses, so the estimate bisects.
      install(s, burner, "6200c350" + "5b600190038060045750" + "62155cc05a11601c5760006000fd5b00");
      const call = { from: alice.address, to: burner, data: Buffer.alloc(0), value: 0n };
      const measured = async (options: EngineOptions) => {
        let gas = 0n;
        const longest = await longestWait(async () => {
          const e = await estimateEvmGas(s, call, ctx(1), options);
          expect(e.success).to.equal(true);
          gas = e.gasUsed;
        }, 10);
        return { gas, longest };
      };
      const paused = await measured({ pause: yieldingPause() });
      const blocking = await measured({});
      console.log(`      estimate ${paused.gas}: the longest wait of a 10 ms timer was ${paused.longest.toFixed(0)} ms with the pause, ${blocking.longest.toFixed(0)} ms without`);
      expect(paused.gas, "the pause changes nothing computed").to.equal(blocking.gas);
      // The reproduction: without the pause the whole estimate is one wait (~0.9–1.1 s here), past the bound the pause keeps under.
      expect(blocking.longest, "without the pause the loop is held (the reproduction)").to.be.greaterThan(300);
      expect(paused.longest, "with the pause timers keep firing").to.be.lessThan(300);
    });

    it("the node's pause changes nothing a transaction computes: receipts, gas and state roots are the same with and without it, for loops, nested calls and creations", async () => {
      const roots: string[][] = [];
      for (const options of [{}, { pause: async () => new Promise<void>((r) => setImmediate(r)) }] as EngineOptions[]) {
        const s = fundedState();
        install(s, loopAt, LOOP);
        // A contract that calls itself 40 deep (CALL to ADDRESS with one more calldata byte while under 40), then sets the slot its calldata size names.
        const recurse = "0x" + "15".repeat(20);
        install(s, recurse, "36" + "6028" + "11" + "15" + "601e" + "57" + "366000600037" + "60006000" + "36600101" + "60006000" + "305af150" + "5b" + "6001365500");
        const seen: string[] = [];
        const raws = [
          await sign(alice, 0, { to: loopAt, gasLimit: 200_000n }),
          await sign(alice, 1, { to: recurse, gasLimit: 3_000_000n }),
          await sign(alice, 2, { data: "0x600160015560006001550" + "0" }),
        ];
        for (const [n, raw] of raws.entries()) {
          const r = await executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(n + 1), options);
          seen.push(`${r.status}:${r.gasUsed}:${s.root().toString("hex")}`);
          // The recursion ran 41 frames deep: each set its slot.
          if (n === 1) expect([0n, 20n, 40n].map((slot) => s.contractState.storage(s.indexOf(recurse)!, slot))).to.deep.equal([1n, 1n, 1n]);
        }
        roots.push(seen);
      }
      expect(roots[1]).to.deep.equal(roots[0]);
    });

    it("eth_call is held to the L2 transaction gas cap (2^23) even when asked for 2^24", async () => {
      const s = fundedState();
      install(s, loopAt, LOOP);
      const r = await simulateEvmCall(s, { from: alice.address, to: loopAt, data: Buffer.alloc(0), value: 0n, gas: 2n ** 24n }, ctx(1));
      expect(r.success).to.equal(false);
      // Today the whole 2^24 is burned (1-2 s of engine time): the call runs past the L2 transaction cap.
      expect(r.gasUsed <= MAX_EVM_TX_GAS, `gas used ${r.gasUsed}`).to.equal(true);
    });

    it("a transaction that loops until out of gas is included with status 0, pays its gas, and the replica agrees", async () => {
      const seq = fundedState();
      const replica = fundedState();
      install(seq, loopAt, LOOP);
      install(replica, loopAt, LOOP);
      const [r] = await sequenceAndReplay(seq, replica, [await sign(alice, 0, { to: loopAt, gasLimit: 300_000n })]);
      expect(r.status).to.equal(0);
      expect(r.gasUsed).to.equal(300_000n);
      expect(seq.totals().eth).to.equal(2n * 10n ** 20n);
    });

    it("eth_estimateGas on a reverting call or an endless loop fails (one run), never returns a number", async () => {
      const s = fundedState();
      install(s, loopAt, LOOP);
      const reverter = "0x" + "11".repeat(20);
      install(s, reverter, "60006000fd");
      for (const to of [loopAt, reverter]) {
        const e = await estimateEvmGas(s, { from: alice.address, to, data: Buffer.alloc(0), value: 0n }, ctx(1));
        expect(e.success, to).to.equal(false);
      }
    });

    it("a replayed transaction is refused as nonce-too-low with the state untouched", async () => {
      const s = fundedState();
      const raw = await sign(alice, 0, { data: "0x600060005360016000f3" });
      await executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(1));
      const root = s.root();
      try {
        await executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(2));
        expect.fail("accepted twice");
      } catch (e) {
        expect((e as InvalidOperationError).reason).to.equal("nonce-too-low");
      }
      expect(s.root()).to.deep.equal(root);
    });

    it("type 4 (and type 1, 3) transactions are routed to the engine's intake and refused as unsupported", async () => {
      const s = fundedState();
      const t4 = await alice.signTransaction({ type: 4, chainId: CHAIN_ID, nonce: 0, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 1n, gasLimit: 100_000n, to: bob.address, data: "0x12", authorizationList: [await alice.authorize({ address: bob.address, nonce: 1, chainId: CHAIN_ID })] });
      const raw = hex(t4);
      if (isContractTransaction(s, raw, CHAIN_ID)) expect(() => parseEvmTransaction(raw, CHAIN_ID)).to.throw(InvalidOperationError, /type 4/);
      else expect(() => parseRawTransaction(t4, CHAIN_ID)).to.throw(InvalidOperationError);
      expect(() => parseEvmTransaction(hex("03c0"), CHAIN_ID)).to.throw(InvalidOperationError, /type 3/);
    });

    it("a contract's CALL with value to a bridged token or the withdrawal predeploy reverts inside, the outer call goes on, and the replica agrees", async () => {
      const seq = fundedState();
      const replica = fundedState();
      const token = seq.registerToken("0x" + "ab".repeat(20));
      replica.registerToken("0x" + "ab".repeat(20));
      // CALL(gas, target, 1 wei, 0, 0, 0, 0) to each, keep each success flag in slots 1 and 2; then STOP.
      const call = (target: string, slot: number) => `6000600060006000600173${addr(target)}5af160${slot.toString(16).padStart(2, "0")}55`;
      const caller = "0x" + "12".repeat(20);
      const code = call(token.l2Address, 1) + call(WITHDRAWAL_PREDEPLOY, 2) + "600160035500";
      for (const st of [seq, replica]) st.setBalance(install(st, caller, code), 10n);
      await sequenceAndReplay(seq, replica, [await sign(alice, 0, { to: caller })]);
      const i = seq.indexOf(caller)!;
      expect(seq.contractState.storage(i, 1n)).to.equal(0n);
      expect(seq.contractState.storage(i, 2n)).to.equal(0n);
      expect(seq.contractState.storage(i, 3n)).to.equal(1n);
      expect(seq.account(i).balance).to.equal(10n);
      expect(seq.indexOf(token.l2Address)).to.equal(undefined);
      expect(seq.indexOf(WITHDRAWAL_PREDEPLOY)).to.equal(undefined);
    });

    it("SELFDESTRUCT with the withdrawal predeploy or a bridged token as beneficiary: where does the ETH go?", async () => {
      const seq = fundedState();
      const replica = fundedState();
      const token = seq.registerToken("0x" + "ab".repeat(20));
      replica.registerToken("0x" + "ab".repeat(20));
      // Init code: SELFDESTRUCT(beneficiary), created and destroyed in the same transaction (EIP-6780).
      const raws = [await sign(alice, 0, { data: "0x73" + addr(WITHDRAWAL_PREDEPLOY) + "ff", value: 7n }), await sign(alice, 1, { data: "0x73" + addr(token.l2Address) + "ff", value: 9n })];
      const rs = await sequenceAndReplay(seq, replica, raws);
      for (const r of rs) expect(r.status).to.equal(1);
      const p = seq.indexOf(WITHDRAWAL_PREDEPLOY);
      const t = seq.indexOf(token.l2Address);
      // Recorded, whichever way it goes: an account now exists at the predeploy and the token address.
      expect(p === undefined ? 0n : seq.account(p).balance, "ETH at the predeploy").to.equal(7n);
      expect(t === undefined ? 0n : seq.account(t).balance, "ETH at the token address").to.equal(9n);
      expect(seq.totals().eth).to.equal(seq.recountTotals().eth);
      expect(seq.totals().eth).to.equal(2n * 10n ** 20n);
    });

    it("SELFDESTRUCT to itself in its creating transaction destroys no L2 ETH (L1 still escrows it): the fee recipient gets it, and the replica agrees", async () => {
      const seq = fundedState();
      const replica = fundedState();
      const c = (n: number): EvmBlockContext => ({ ...ctx(n), feeRecipient: 2 });
      const raw = await sign(alice, 0, { data: "0x30ff", value: 1000n }); // ADDRESS SELFDESTRUCT
      const r = await executeEvmTransaction(seq, parseEvmTransaction(raw, CHAIN_ID), c(1));
      expect(r.status).to.equal(1);
      const body = encodeEvmBlock({ postStateRoot: seq.root(), timestamp: c(1).timestamp, baseFee: BASE_FEE, feeRecipient: 2, number: 1, rawTx: raw });
      expect((await replayBody(replica, body, { chainId: CHAIN_ID, queueEntry, expectedNumber: 1 })).verdict).to.deep.equal({ ok: true });
      expect(seq.totals().eth).to.equal(seq.recountTotals().eth);
      expect(2n * 10n ** 20n - seq.totals().eth, "ETH destroyed on L2").to.equal(0n);
      // Bob, the fee recipient, got the base fee and tip for the gas, and the 1,000 wei Ethereum would burn.
      expect(seq.account(2).balance - 10n ** 20n).to.equal(r.gasUsed * r.effectiveGasPrice + 1000n);
      expect(seq.indexOf(r.contractAddress!)).to.equal(undefined);
    });

    it("CREATE2 onto an address that already holds ETH and bridged tokens keeps its index, ETH and tokens; a second CREATE2 there fails; the replica agrees", async () => {
      const seq = fundedState();
      const replica = fundedState();
      const factory = "0x" + "13".repeat(20);
      const FACTORY = "366000600037600036600034f560005500"; // CREATE2(callvalue, calldata, salt 0) → slot 0
      const init = "0x600060005360016000f3"; // deploys one byte: STOP
      const target = getCreate2Address(factory, "0x" + "00".repeat(32), ethersKeccak(init)).toLowerCase();
      for (const st of [seq, replica]) {
        install(st, factory, FACTORY);
        const tk = st.registerToken("0x" + "ab".repeat(20));
        const i = st.createAccount(target);
        st.setBalance(i, 5n);
        st.setTokenBalance(i, tk.id, 77n);
      }
      const idx = seq.indexOf(target)!;
      const rs = await sequenceAndReplay(seq, replica, [await sign(alice, 0, { to: factory, data: init, value: 3n }), await sign(alice, 1, { to: factory, data: init, value: 0n })]);
      expect(rs.map((r) => r.status)).to.deep.equal([1, 1]);
      expect(seq.indexOf(target)).to.equal(idx);
      expect(seq.contractState.code(idx).toString("hex")).to.equal("00");
      expect(seq.account(idx).balance).to.equal(8n);
      expect(seq.account(idx).nonce).to.equal(1n);
      expect(seq.tokenBalance(idx, 0)).to.equal(77n);
      // The second CREATE2 collided: slot 0 holds 0 (CREATE2 pushed 0).
      expect(seq.contractState.storage(seq.indexOf(factory)!, 0n)).to.equal(0n);
    });

    it("an EVM transaction whose sender is the fee recipient, sending to itself, conserves ETH", async () => {
      const seq = fundedState();
      const replica = fundedState();
      const c = (n: number): EvmBlockContext => ({ ...ctx(n), feeRecipient: 1 });
      const raw = await sign(alice, 0, { to: alice.address, data: "0x01", value: 5n });
      const r = await executeEvmTransaction(seq, parseEvmTransaction(raw, CHAIN_ID), c(1));
      expect(r.status).to.equal(1);
      const body = encodeEvmBlock({ postStateRoot: seq.root(), timestamp: c(1).timestamp, baseFee: BASE_FEE, feeRecipient: 1, number: 1, rawTx: raw });
      expect((await replayBody(replica, body, { chainId: CHAIN_ID, queueEntry, expectedNumber: 1 })).verdict).to.deep.equal({ ok: true });
      expect(seq.totals().eth).to.equal(2n * 10n ** 20n);
      expect(seq.account(1).balance).to.equal(10n ** 20n);
    });
  });

  describe("3. replica determinism", () => {
    // The mode's challenger counts blocks as a replica does: test/adversarial/challenger.test.ts.
    it("an EVM block carrying a wrong block number is MALFORMED to a replay that counts blocks, as the mode's replica and challenger replay", async () => {
      const seq = fundedState();
      // Init code: SSTORE(0, NUMBER); returns no code.
      const raw = await sign(alice, 0, { data: "0x4360005500" });
      const forged = { ...ctx(1), number: 1_000_000 };
      await executeEvmTransaction(seq, parseEvmTransaction(raw, CHAIN_ID), forged);
      const body = encodeEvmBlock({ postStateRoot: seq.root(), timestamp: forged.timestamp, baseFee: BASE_FEE, feeRecipient: 0, number: forged.number, rawTx: raw });
      const replica = fundedState();
      const asReplica = await replayBody(replica, body, { chainId: CHAIN_ID, queueEntry, position: { queueLimit: 0n, lastInBatch: true }, expectedNumber: 1 });
      expect(asReplica.verdict).to.include({ ok: false, kind: "malformed" });
      expect(replica.root()).to.deep.equal(fundedState().root());
    });

    it("a sequencer in the mode adopts an EVM block posted on L1 by running it in the engine: the block's number is checked, and a refusal is an engine verdict, not MALFORMED", async () => {
      const seq = fundedState();
      const raw = await sign(alice, 0, { data: "0x600060005360016000f3" });
      await executeEvmTransaction(seq, parseEvmTransaction(raw, CHAIN_ID), ctx(1));
      const body = encodeEvmBlock({ postStateRoot: seq.root(), timestamp: ctx(1).timestamp, baseFee: BASE_FEE, feeRecipient: 0, number: 1, rawTx: raw });
      // A genesis chain: alice holds nothing there, so the engine refuses her transaction.
      const verdictOf = async (chain: ChainState) => chain.adoptPostedBody(body, { queueLimit: 0n, lastInBatch: true }).then(() => ({ ok: true }), (e: unknown) => (e as PostedBlockRefusedError).verdict);
      expect(await verdictOf(new ChainState(CHAIN_ID, 1_700_000_000))).to.include({ ok: false, kind: "invalid-operation", reason: "insufficient-funds" });
      // The end-to-end restart onto L1 holding EVM blocks: test/e2e/experimentalEvm.test.ts.
    });

    it("BLOCKHASH, BASEFEE, COINBASE, TIMESTAMP, CHAINID in a contract transaction: the replica computes the same root", async () => {
      const seq = fundedState();
      const replica = fundedState();
      // SSTORE(0, BLOCKHASH(NUMBER-1)); SSTORE(1, BASEFEE); SSTORE(2, COINBASE); SSTORE(3, TIMESTAMP); SSTORE(4, CHAINID); SSTORE(5, PREVRANDAO); SSTORE(6, BLOBBASEFEE)
      const init = "0x" + "600143034060005500".slice(0, -2) + "4860015541600255426003554660045544600555" + "4a60065500";
      const [r] = await sequenceAndReplay(seq, replica, [await sign(alice, 0, { data: init })], 5);
      expect(r.status).to.equal(1);
      const i = seq.indexOf(r.contractAddress!)!;
      console.log(`      BLOCKHASH(4)=${seq.contractState.storage(i, 0n).toString(16)} PREVRANDAO=${seq.contractState.storage(i, 5n).toString(16)} BLOBBASEFEE=${seq.contractState.storage(i, 6n)}`);
      expect(seq.contractState.storage(i, 1n)).to.equal(BASE_FEE);
    });

    it("accounts a contract transaction creates get indices in ascending address order, whatever order it touched them in; a replica with another history agrees", async () => {
      const seq = fundedState();
      const replica = fundedState();
      // A replica that went through a refused transaction and a rolled-back contract write first.
      const cp = replica.checkpoint();
      install(replica, "0x" + "99".repeat(20), "00");
      replica.setStorage(replica.indexOf("0x" + "99".repeat(20))!, 1n, 2n);
      replica.root();
      replica.rollback(cp);
      const targets = ["0x" + "ff".repeat(20), "0x" + "01".repeat(20), "0x" + "88".repeat(20)];
      // Init code: CALL 1 wei to each target, in this (descending, then ascending) order; returns no code.
      const init = "0x" + targets.map((t) => `6000600060006000600173${addr(t)}5af150`).join("") + "00";
      const [r] = await sequenceAndReplay(seq, replica, [await sign(alice, 0, { data: init, value: 3n })]);
      expect(r.status).to.equal(1);
      const created = [...targets, r.contractAddress!].sort();
      const indices = created.map((a) => seq.indexOf(a)!);
      expect(indices).to.deep.equal([...indices].sort((a, b) => a - b));
      expect(seq.totals().eth).to.equal(2n * 10n ** 20n);
    });

    it("a contract created and self-destructed in one transaction leaves no account, its beneficiary one; the replica agrees", async () => {
      const seq = fundedState();
      const replica = fundedState();
      const ben = "0x" + "77".repeat(20);
      const [r] = await sequenceAndReplay(seq, replica, [await sign(alice, 0, { data: "0x73" + addr(ben) + "ff", value: 4n })]);
      expect(r.status).to.equal(1);
      expect(seq.indexOf(r.contractAddress!)).to.equal(undefined);
      expect(seq.account(seq.indexOf(ben)!).balance).to.equal(4n);
    });

    it("storage written then cleared in one transaction, and a slot cleared to zero, leave the short leaf (one encoding)", async () => {
      const seq = fundedState();
      const replica = fundedState();
      // Init code: SSTORE(1, 1); SSTORE(1, 0); returns no code → no code, no storage: an EOA-like leaf.
      const [r] = await sequenceAndReplay(seq, replica, [await sign(alice, 0, { data: "0x600160015560006001550" + "0" })]);
      expect(r.status).to.equal(1);
      const i = seq.indexOf(r.contractAddress!)!;
      expect(seq.contractState.slots(i).size).to.equal(0);
      expect(seq.contractState.hasCode(i)).to.equal(false);
    });
  });
});
