import { expect } from "chai";
import { allowanceRoot } from "../../src/core/allowanceTree";
import { ethers } from "hardhat";
import { fraudFixture } from "../helpers/fraudFixture";
import { L1Contracts, submitBatchCalldata } from "../../src/node/l1/contracts";
import { claimOf, readBatch } from "../../src/node/l1/batchReader";
import { encodeBatch, type Commitment } from "../../src/core/commitment";
import { L2State } from "../../src/core/state";
import { tokenRoot } from "../../src/core/tokenTree";
import { accountLeaf } from "../../src/core/hashing";
import type { BlockEnv } from "../../src/core/execute";
import { OpKind, ZERO_ADDRESS } from "../../src/core/constants";
import type { EthTransferOp, Op } from "../../src/core/ops";
import type { FeeEntry, TxSignature } from "../../src/core/txSigning";
import { makeOps, extremeWorld, honestClaims, judge, signFor, type ExtremeWorld, type PreState } from "./review/extremes";
import { spell } from "./review/spell";

/**
 * Independent review of 8fd2c56 (canonical submitBatch calldata, one fee-list spelling, a fee
 * recipient that is no account is malformed), 9b1f280 (full witness for a malformed commitment)
 * and 4f8b16d (large token trees kept level by level). Every test passes when the system is safe.
 */

const NO_SIG: TxSignature = { r: Buffer.alloc(32, 1), s: Buffer.alloc(32, 1), yParity: 0 };

function leafFromScratch(state: L2State, index: number): Buffer {
  const a = state.account(index);
  return accountLeaf(a.address, a.nonce, a.balance, tokenRoot(a.tokens), allowanceRoot(a.allowances));
}

/** Every account's leaf as the state keeps it equals the leaf from a whole rebuild, and so does the root. */
function expectCacheAgrees(state: L2State, what: string): void {
  const root = state.root();
  const fresh = L2State.restore(
    Array.from({ length: state.accountCount }, (_, i) => {
      const a = state.account(i);
      return { address: a.address, nonce: a.nonce, balance: a.balance, tokens: [...a.tokens] };
    }),
    { ...state.snapshotMeta() }
  );
  for (let i = 0; i < state.accountCount; i++) {
    expect(state.leafOf(i).equals(leafFromScratch(state, i)), `${what}: account ${i}`).to.equal(true);
  }
  expect(root.equals(fresh.root()), `${what}: root`).to.equal(true);
}

describe("late review: 8fd2c56, 9b1f280, 4f8b16d", function () {
  this.timeout(300_000);

  describe("core/state: the level-by-level token-tree cache", () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);

    it("the token-tree cache gives a full rebuild's root when an account drops from 65 tokens to 64 and climbs back, within and across checkpoints", () => {
      const state = L2State.genesis();
      const h = state.createAccount("0x" + "cd".repeat(20));
      const ids: number[] = [];
      for (let k = 0; k < 65; k++) ids.push(k * 257 + (next() % 200));
      for (const id of ids) state.setTokenBalance(h, id, BigInt(next()) + 1n);
      expectCacheAgrees(state, "65 tokens, cached");
      // 65 -> 64 -> 65 with the root taken in between and not.
      state.setTokenBalance(h, ids[10], 0n);
      expectCacheAgrees(state, "64 tokens");
      state.setTokenBalance(h, ids[10], 5n);
      state.setTokenBalance(h, ids[20], 7n);
      expectCacheAgrees(state, "back to 65, another balance changed");
      // Drop and climb back with no root in between: the cache must not keep a stale path.
      state.setTokenBalance(h, ids[30], 0n);
      state.setTokenBalance(h, 2 ** 24 - 1, 9n);
      state.setTokenBalance(h, ids[40], 11n);
      expectCacheAgrees(state, "64 then 65 without a root between");
      // Across a checkpoint: drop to 64 and take the root (cache dropped), climb, roll back.
      const cp = state.checkpoint();
      state.setTokenBalance(h, 2 ** 24 - 1, 0n);
      expectCacheAgrees(state, "64 inside a checkpoint");
      state.setTokenBalance(h, 0, 1n);
      state.setTokenBalance(h, ids[50], 0n);
      state.setTokenBalance(h, 1, 1n);
      expectCacheAgrees(state, "65 inside a checkpoint");
      state.rollback(cp);
      expectCacheAgrees(state, "rolled back to 65");
      // Rolled back with no root taken inside.
      const cp2 = state.checkpoint();
      state.setTokenBalance(h, ids[0], 0n);
      state.setTokenBalance(h, ids[1], 0n);
      state.setTokenBalance(h, 77, 1n);
      state.rollback(cp2);
      expectCacheAgrees(state, "rolled back without a root inside");
    });

    it("the token-tree cache survives random nested checkpoints, rollbacks and releases around the 64-token threshold", () => {
      const state = L2State.genesis();
      const holders = [state.createAccount("0x" + "a1".repeat(20)), state.createAccount("0x" + "a2".repeat(20))];
      const pool = Array.from({ length: 80 }, (_, k) => (k * 209_715 + 3) % 2 ** 24);
      for (const h of holders) for (let k = 0; k < 64; k++) state.setTokenBalance(h, pool[k], BigInt(k + 1));
      expectCacheAgrees(state, "start");
      const open: ReturnType<L2State["checkpoint"]>[] = [];
      for (let step = 0; step < 400; step++) {
        const r = next() % 10;
        if (r === 0) open.push(state.checkpoint());
        else if (r === 1 && open.length) state.rollback(open.splice(next() % open.length)[0]);
        else if (r === 2 && open.length) state.release(open.pop()!);
        else if (r === 3) expectCacheAgrees(state, `step ${step}`);
        else {
          const h = holders[next() % 2];
          const id = pool[next() % pool.length];
          state.setTokenBalance(h, id, next() % 2 === 0 ? 0n : BigInt(next()));
        }
      }
      while (open.length) state.rollback(open.pop()!);
      expectCacheAgrees(state, "end");
    });

    it("undoing an account's creation forgets its cached token tree: the index created again starts from an empty tree", () => {
      const state = L2State.genesis();
      state.root();
      const cp = state.checkpoint();
      const i = state.createAccount("0x" + "b1".repeat(20));
      for (let k = 0; k < 100; k++) state.setTokenBalance(i, k * 3, 1n);
      expectCacheAgrees(state, "100 tokens");
      state.rollback(cp);
      expectCacheAgrees(state, "creation undone");
      const j = state.createAccount("0x" + "b2".repeat(20));
      expect(j).to.equal(i);
      state.setTokenBalance(j, 5, 1n);
      expectCacheAgrees(state, "the index created again, one token");
      for (let k = 0; k < 70; k++) state.setTokenBalance(j, k * 5 + 1, 2n);
      expectCacheAgrees(state, "the index created again, 71 tokens");
      // Created, grown past 64 with no root, creation undone, re-created: nothing of it remains.
      const cp2 = state.checkpoint();
      const m = state.createAccount("0x" + "b3".repeat(20));
      for (let k = 0; k < 70; k++) state.setTokenBalance(m, k, 3n);
      state.rollback(cp2);
      const n = state.createAccount("0x" + "b4".repeat(20));
      state.setTokenBalance(n, 1_000_000, 1n);
      expectCacheAgrees(state, "re-created after an undo with no root taken");
    });

    it("a state restored from a snapshot with accounts of more than 64 tokens keeps its cache right through changes and rollbacks", () => {
      const accounts = [
        { address: ZERO_ADDRESS, nonce: 0n, balance: 0n, tokens: [] as Array<[number, bigint]> },
        { address: "0x" + "c1".repeat(20), nonce: 1n, balance: 5n, tokens: Array.from({ length: 65 }, (_, k) => [k * 1000 + 1, BigInt(k + 1)] as [number, bigint]) },
        { address: "0x" + "c2".repeat(20), nonce: 0n, balance: 0n, tokens: Array.from({ length: 200 }, (_, k) => [2 ** 24 - 1 - k * 7, 1n] as [number, bigint]) },
      ];
      const state = L2State.restore(accounts, { accountCount: 3, tokens: [], queueIndex: 0n, withdrawalCount: 0n });
      expectCacheAgrees(state, "restored");
      const cp = state.checkpoint();
      state.setTokenBalance(1, 1, 0n);
      state.setTokenBalance(2, 2 ** 24 - 1, 0n);
      state.setTokenBalance(2, 0, 4n);
      expectCacheAgrees(state, "changed after restore");
      state.rollback(cp);
      expectCacheAgrees(state, "rolled back after restore");
      state.setTokenBalance(1, 1001, 0n);
      state.setTokenBalance(1, 1, 0n);
      expectCacheAgrees(state, "restored account at 63 tokens");
    });
  });

  describe("Rollup.submitBatch: the calldata layout", () => {
    it("the Rollup refuses calldata of exactly the expected length whose offset word points at itself (0x60)", async () => {
      const f = await fraudFixture();
      const index = Number(await f.rollup.batchCount());
      const pre = (await f.rollup.tipStateRoot()).slice(2);
      const q = f.chain.state.queueIndex;
      const w = (v: bigint | number) => BigInt(v).toString(16).padStart(64, "0");
      const selector = f.rollup.interface.getFunction("submitBatch").selector;
      // The offset word doubles as the length word (96 bytes); then 96 bytes and one junk word: 260 bytes, as expected for 96.
      const data = selector + w(index) + pre + w(q) + w(0x60) + "11".repeat(96) + "22".repeat(32);
      expect((data.length - 2) / 2).to.equal(4 + 5 * 32 + 96);
      await expect(f.deployer.sendTransaction({ to: f.addresses.rollup, data })).to.be.revertedWithCustomError(f.rollup, "RollupNonCanonicalCalldata");
      expect(await f.rollup.batchCount()).to.equal(1n);
    });

    it("the Rollup refuses a queueCount word with dirty high bits, so the reader's raw word always equals the stored uint64", async () => {
      const f = await fraudFixture();
      const body = f.chain.craft(() => {});
      const good = submitBatchCalldata(Number(await f.rollup.batchCount()), await f.rollup.tipStateRoot(), f.chain.state.queueIndex, encodeBatch([body]));
      for (const high of [1n << 64n, 1n << 255n]) {
        const word = (f.chain.state.queueIndex | high).toString(16).padStart(64, "0");
        const data = good.slice(0, 10 + 128) + word + good.slice(10 + 192);
        await expect(f.deployer.sendTransaction({ to: f.addresses.rollup, data }), `high bit ${high}`).to.be.reverted;
      }
      expect(await f.rollup.batchCount()).to.equal(1n);
    });

    it("dirty ABI padding bytes are either refused by the Rollup or ignored by the reader, which reads the bytes the Rollup hashed", async () => {
      const f = await fraudFixture();
      const body = f.chain.craft(() => {});
      const commitments = encodeBatch([body]);
      const good = submitBatchCalldata(Number(await f.rollup.batchCount()), await f.rollup.tipStateRoot(), f.chain.state.queueIndex, commitments);
      const pad = (32 - (commitments.length % 32)) % 32;
      expect(pad, "the test needs padding").to.be.greaterThan(0);
      const data = good.slice(0, good.length - pad * 2) + "ff".repeat(pad);
      let accepted = true;
      try {
        await (await f.deployer.sendTransaction({ to: f.addresses.rollup, data })).wait();
      } catch {
        accepted = false;
      }
      console.log(`      (dirty padding: ${accepted ? "accepted by the Rollup" : "refused by the Rollup"})`);
      if (!accepted) return;
      const event = (await f.rollup.queryFilter(f.rollup.filters.BatchSubmitted(1)))[0];
      const read = await readBatch(new L1Contracts(ethers.provider, f.addresses), claimOf(event));
      expect(read.bodies.map((b) => b.toString("hex"))).to.deep.equal([body.toString("hex")]);
    });
  });

  describe("src/core and FraudVerifier agree on the fee list and the fee recipient", () => {
    let world: ExtremeWorld;
    before(async () => {
      world = await extremeWorld();
    });
    const QUOTED: FeeEntry = { type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: 20_000_000n, gasLimit: 100_000n };
    const BASE = 10_000_000n;

    function fixedPre(queueIndex = 1n, queueLimit = queueIndex): PreState {
      const accounts = [{ address: ZERO_ADDRESS, nonce: 0n, balance: 0n, tokens: [] as Array<[number, bigint]> }];
      const accountOf = new Map<string, number>();
      world.keys.forEach((k, i) => {
        accountOf.set(k.address, i + 1);
        accounts.push({ address: k.address, nonce: 0n, balance: 10n ** 19n, tokens: [[0, 10n ** 20n]] });
      });
      const state = L2State.restore(accounts, { accountCount: accounts.length, tokens: [world.token], queueIndex, withdrawalCount: 0n });
      return { state, accountOf, queueLimit, lastInBatch: false };
    }

    function build(pre: PreState, header: Partial<Commitment>, make: Array<(s: L2State, env: BlockEnv) => Op>, honest = true): Commitment {
      const c: Commitment = { postStateRoot: Buffer.alloc(32, 0xee), withdrawalRoot: null, timestamp: 1_700_000_000, baseFee: BASE, feeRecipient: 3, fees: [QUOTED], ops: [], ...header };
      makeOps(world, pre, c, make);
      return honest ? honestClaims(world, pre, c) : c;
    }
    const eth = (from: number, to: number, amount: bigint, feeIndex = 0) => (s: L2State, env: BlockEnv) =>
      signFor(s, { kind: OpKind.ETH_TRANSFER, feeIndex, from, to, amount, sig: NO_SIG } as EthTransferOp, env, world.keys[from - 1]);

    async function verdicts(pre: PreState, body: Buffer) {
      const j = await judge(world, pre, body);
      expect(j.chain, "FraudVerifier answers as src/core does").to.deep.equal(j.core);
      return j.core;
    }

    it("an operation whose fee index equals the fee count is malformed on both sides (3 entries, index 3; 0 entries, index 0)", async () => {
      const pre = fixedPre();
      const fees: FeeEntry[] = [QUOTED, { ...QUOTED, gasLimit: 100_001n }, { ...QUOTED, gasLimit: 100_002n }];
      const three = build(pre, { fees }, [eth(1, 2, 1n, 0), eth(2, 3, 1n, 1), eth(3, 4, 1n, 2), eth(4, 1, 1n, 2)], false);
      (three.ops[3] as EthTransferOp).feeIndex = 3;
      expect((await verdicts(pre, spell(three))).kind, "index 3 of 3").to.equal(1);
      const none = { ...build(pre, { fees: [QUOTED] }, [eth(1, 2, 1n, 0)], false), fees: [] };
      expect((await verdicts(pre, spell(none))).kind, "index 0 of 0").to.equal(1);
      // Control: the canonical one (index 3 dropped) is judged alike on both sides.
      const ok = build(pre, { fees }, [eth(1, 2, 1n, 0), eth(2, 3, 1n, 1), eth(3, 4, 1n, 2)]);
      expect((await verdicts(pre, spell(ok))).kind, "canonical").to.equal(0);
    });

    it("two legacy fee tuples are the same tuple when gas price and gas limit agree, and a legacy and a 1559 tuple of equal numbers are distinct, on both sides", async () => {
      const pre = fixedPre();
      const legacy: FeeEntry = { type: 0, gasPrice: 20_000_000n, gasLimit: 100_000n };
      const twice = build(pre, { fees: [legacy, { ...legacy }] }, [eth(1, 2, 1n, 0), eth(2, 3, 1n, 1)], false);
      expect((await verdicts(pre, spell(twice))).kind, "legacy listed twice").to.equal(1);
      const mixed = build(pre, { fees: [legacy, { type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: 20_000_000n, gasLimit: 100_000n }] }, [eth(1, 2, 1n, 0), eth(2, 3, 1n, 1)], false);
      const v = await verdicts(pre, spell(mixed));
      expect(v.kind, "legacy + 1559 of equal numbers is not malformed").to.not.equal(1);
      // Reordered first use: entry 1 used before entry 0.
      const reordered = build(pre, { fees: [legacy, QUOTED] }, [eth(1, 2, 1n, 1), eth(2, 3, 1n, 0)], false);
      expect((await verdicts(pre, spell(reordered))).kind, "first-use order").to.equal(1);
    });

    it("a queue-only commitment whose fee recipient is the account a deposit in it creates (index = pre account count) is honest on both sides, and one past it is malformed on both", async () => {
      // Queue entry 3 deposits to a new address.
      const pre = fixedPre(3n, 4n);
      const count = pre.state.accountCount;
      const q = () => ({ kind: OpKind.QUEUE, credit: "new" }) as Op;
      const created = build(pre, { fees: [], feeRecipient: count }, [q]);
      expect(await verdicts(pre, spell(created)), "recipient created in the commitment").to.deep.equal({ kind: 0, reason: 0, opIndex: 0 });
      const past = build(pre, { fees: [], feeRecipient: count + 1 }, [q]);
      expect((await verdicts(pre, spell(past))).kind, "recipient one past").to.equal(1);
      const empty = build(pre, { fees: [], feeRecipient: count }, []);
      expect((await verdicts(pre, spell(empty))).kind, "no deposit: recipient not yet an account").to.equal(1);
      const unusedFee = build(pre, { fees: [QUOTED], feeRecipient: count }, [q]);
      expect((await verdicts(pre, spell(unusedFee))).kind, "queue-only with a fee entry no operation uses").to.equal(1);
      const maxIdx = build(pre, { fees: [], feeRecipient: 2 ** 32 - 1 }, [q]);
      expect((await verdicts(pre, spell(maxIdx))).kind, "recipient 2^32-1").to.equal(1);
    });
  });
});
