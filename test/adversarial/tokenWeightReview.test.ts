/**
 * Attack review of the token proof weight (MAX_TOKEN_PROOF_WEIGHT; 009bb68..29c1f74) as a
 * malicious proposer or user: TypeScript against Solidity on the weight, whether the bound on the
 * token and allowance siblings a witness sends holds, and whether a queue entry or transaction can
 * be kept out of every block by the new cap. The gas review is tokenWeightGasReview.test.ts.
 *
 * Tests named "held" record what held.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import { MAX_OPS_PER_COMMITMENT, MAX_PROOF_WEIGHT, MAX_TOKEN_PROOF_WEIGHT, OpKind, QueueKind } from "../../src/core/constants";
import { CommitmentWeight, openLevels, proofWeight, widestOpenLevels } from "../../src/core/proofWeight";
import { multiProofSiblings } from "../../src/core/proofWeight";
import type { Op } from "../../src/core/ops";
import { L2State } from "../../src/core/state";
import { BlockBuilder, BlockFullError } from "../../src/core/blockBuilder";
import type { QueueEntry } from "../../src/core/queueOps";
import { SIG, toCore, type Raw } from "../helpers/weightOps";

const TOP = 2 ** 24;
/**
 * Random commitments weighed on both sides: 120 in npm test (the same rounds the full run starts
 * with); `npm run fuzz:token-weight` runs the full 400, TOKEN_WEIGHT_ROUNDS any count.
 */
const ROUNDS = Number(process.env.TOKEN_WEIGHT_ROUNDS ?? 120);

/** Every power of two below 2^24 and its neighbours, and the ends. */
const boundaries = (): number[] => {
  const out = new Set<number>([0, 1, 2, 3, TOP - 1, TOP - 2, 0x555555, 0xaaaaaa, 0x7fffff, 0x800001]);
  for (let k = 0; k < 24; k++) for (const d of [-1, 0, 1]) if (2 ** k + d >= 0 && 2 ** k + d < TOP) out.add(2 ** k + d);
  return [...out].sort((a, b) => a - b);
};

describe("Token proof weight review (009bb68..29c1f74)", function () {
  this.timeout(120_000);
  const harness = async () => ethers.deployContract("ProofWeightHarness");

  describe("1. TypeScript against Solidity", () => {
    it("held: openLevels, one path per call (a token withdrawal's token path, or an approve's spender half, alternately), for every key of a 6-bit tree against every third count 0..66, and every boundary key (2^k, 2^k ± 1, 0x555555, 2^24 − 1) against every boundary count up to 2^64 − 1", async () => {
      const h = await loadFixture(harness);
      const pairs: [number, bigint][] = [];
      for (let key = 0; key < 64; key++) for (let count = 0; count <= 66; count += key < 8 ? 1 : 3) pairs.push([key, BigInt(count)]);
      const counts = [...boundaries().map(BigInt), BigInt(TOP), BigInt(TOP + 1), 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
      for (const key of boundaries()) for (const count of counts) pairs.push([key, count]);
      const mismatches: string[] = [];
      // A few calls in flight at once: Hardhat answers them one by one, and hundreds at once
      // cost ~4 ms a call against ~1.5 ms for a few (measured on 2 cores).
      for (let i = 0; i < pairs.length; i += 4) {
        const chunk = pairs.slice(i, i + 4);
        // A token withdrawal reads one token path; an approve of spender `key` by the spender half
        // of its allowance key (token 0 with no token registered: no open level there).
        const got = await Promise.all(
          chunk.map(async ([key, count], j) => {
            const [, t] = (i + j) % 2 === 0 ? await h.weigh([OpKind.WITHDRAW_TOKEN], [0], [0], [0], [0], [key], 0, 1, count) : await h.weigh([OpKind.APPROVE], [0], [0], [key], [0], [0], 0, count, 0);
            return Number(t);
          }),
        );
        chunk.forEach(([key, count], j) => {
          const want = openLevels(key, Number(count));
          if (got[j] !== want) mismatches.push(`key ${key} count ${count}: sol ${got[j]} ts ${want}`);
        });
      }
      expect(mismatches, mismatches.slice(0, 5).join("; ")).to.deep.equal([]);
      console.log(`      ${pairs.length} (key, count) pairs agree`);
    });

    it("held: widestOpenLevels is the most open levels of any key registered before the commitment or in it (checked exhaustively up to 4,098) and the two sides agree at every boundary count", async () => {
      const h = await loadFixture(harness);
      for (let count = 0; count <= 4098; count += count < 600 ? 1 : 7) {
        let widest = 0;
        for (let key = 0; key < count + 64; key++) widest = Math.max(widest, openLevels(key, count));
        expect(widestOpenLevels(count), `count ${count}`).to.equal(widest);
      }
      const counts = [...boundaries().map(BigInt), BigInt(TOP), 2n ** 64n - 1n];
      const got = await Promise.all(counts.map((c) => h.weigh([OpKind.QUEUE], [2], [0], [0], [0], [0], 0, 1, c).then(([, t]) => Number(t))));
      counts.forEach((c, i) => expect(got[i], `count ${c}`).to.equal(widestOpenLevels(Number(c))));
    });

    it("fixed (found here): a queue credit's token may be one registered inside the commitment (id ≥ tokenCount); at tokenCount 1 its path has 1 open level, which widestOpenLevels once counted as 0 — now every key up to 4,096 is within it at every count up to 300", () => {
      const beyond: string[] = [];
      for (let count = 0; count <= 300; count++) {
        for (let key = count; key < 4096; key++) if (openLevels(key, count) > widestOpenLevels(count)) beyond.push(`${key}/${count}`);
      }
      expect(beyond).to.deep.equal([]);
      expect(widestOpenLevels(1)).to.equal(1);
      expect(openLevels(1, 1)).to.equal(1);
      expect(openLevels(2 ** 23, 1)).to.equal(1);
    });
    it(`held: ${ROUNDS} random commitments with both counts anywhere up to 2^64 − 1 (accountCount + k crossing 2^24, spenders past the count, key == count) weigh the same on both sides`, async () => {
      const h = await loadFixture(harness);
      let seed = 0xc0ffee;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
      const bound = boundaries();
      const countOf = (): bigint => [0n, 1n, 2n, BigInt(bound[rnd(bound.length)]), BigInt(TOP - rnd(40)), BigInt(TOP), BigInt(TOP + rnd(5)), 2n ** 64n - 1n, BigInt(rnd(TOP))][rnd(9)];
      for (let round = 0; round < ROUNDS; round++) {
        const accountCount = countOf();
        const tokenCount = countOf();
        const near = (c: bigint) => Math.max(0, Math.min(TOP - 1, Number(c > BigInt(TOP) ? BigInt(TOP) : c) - 2 + rnd(5)));
        const index = () => [rnd(64), rnd(TOP), bound[rnd(bound.length)], near(accountCount)][rnd(4)];
        const tokenId = () => [rnd(256), rnd(TOP), bound[rnd(bound.length)], near(tokenCount)][rnd(4)];
        const raws: Raw[] = Array.from({ length: rnd(33) }, () => ({ kind: rnd(11), x: rnd(3), from: index(), to: index(), owner: index(), tokenId: tokenId() }));
        const feeRecipient = index();
        const expected = proofWeight(raws.map(toCore), feeRecipient, Number(accountCount), Number(tokenCount));
        const [accounts, tokens] = await h.weigh(raws.map((r) => r.kind), raws.map((r) => r.x), raws.map((r) => r.from), raws.map((r) => r.to), raws.map((r) => r.owner), raws.map((r) => r.tokenId), feeRecipient, accountCount, tokenCount);
        expect({ accounts: Number(accounts), tokens: Number(tokens) }, `round ${round}: counts ${accountCount}, ${tokenCount}`).to.deep.equal(expected);
      }
    });
  });

  describe("2. Soundness of the bound", () => {
    it("fixed (found here): with one token registered, a commitment that registers token 1 and deposits it to an existing holder of token 0 sends a non-empty token sibling — token 0's balance beside token 1's leaf — and now weighs it (it weighed 0); proveFraud accepts the witness", async () => {
      const { fraudFixture } = await import("../helpers/fraudFixture");
      const f = await loadFixture(fraudFixture);
      expect(f.chain.state.tokenCount).to.equal(1);
      const alice = f.chain.state.indexOf(f.alice.address.toLowerCase())!;
      expect(f.chain.state.tokenBalance(alice, 0)).to.be.above(0n);
      // On L1: token 1 registered, and a deposit of it to alice (an existing account).
      const second = await ethers.deployContract("TestToken", ["Second", "TWO", 18]);
      const [, funder] = await ethers.getSigners();
      await (await f.bridge.registerToken(second)).wait();
      await (await (second as unknown as { mint(a: string, v: bigint): Promise<{ wait(): Promise<unknown> }> }).mint(funder.address, 10n ** 20n)).wait();
      await (await (second.connect(funder) as unknown as { approve(a: string, v: bigint): Promise<{ wait(): Promise<unknown> }> }).approve(f.addresses.bridge, ethers.MaxUint256)).wait();
      await (await f.bridge.connect(funder).depositERC20(second, f.alice.address, 1000n)).wait();
      await f.chain.syncQueue();
      const before = f.chain.state.queueIndex;
      expect(BigInt(f.chain.queue.length) - before).to.equal(2n);
      const body = f.chain.craft(
        (b) => {
          b.addQueueEntry(); // the registration: tokenCount 1 → 2
          b.addQueueEntry(); // the deposit of token 1 to alice, credit "existing"
        },
        (c) => void (c.postStateRoot = Buffer.alloc(32, 7)),
      );
      const { decodeCommitment } = await import("../../src/core/commitment");
      const c = decodeCommitment(body);
      expect(c.ops).to.deep.equal([{ kind: OpKind.QUEUE, credit: "none" }, { kind: OpKind.QUEUE, credit: "existing", index: alice }]);
      const weight = proofWeight(c.ops, 0, f.chain.state.accountCount, f.chain.state.tokenCount);
      expect(weight.tokens).to.equal(1);
      const batch = await f.chain.post([body], before + 2n);
      const p = f.chain.proof(batch);
      expect(p.verdict).to.deep.include({ ok: false, kind: "wrong-post-state" });
      const sent = p.witness.accounts.reduce((n, a) => n + a.tokenProof.length + a.allowanceProof.length, 0);
      // Alice's path to token 1 passes token 0's leaf at level 0: the non-empty sibling the weight now counts.
      expect(sent).to.equal(1);
      expect(sent).to.be.at.most(weight.tokens);
      const receipt = (await (await f.rollup.proveFraud(...p.args)).wait())!;
      expect(receipt.logs.map((l) => f.rollup.interface.parseLog(l)).some((e) => e?.name === "FraudProven")).to.equal(true);
    });
  });

  describe("4. Liveness: a single operation always fits", () => {
    it("held: the heaviest single operation's token weight is 96 (a transferFrom of a 24-bit id with 2^24 tokens and accounts: 3 × 24 + 24), a quarter of the cap; a queue credit at most 24", () => {
      const from = 0x555555;
      const worst: Record<string, number> = {};
      for (const count of [2 ** 24, 2 ** 64 - 1]) {
        for (const tokenId of [0, 0x555555, TOP - 1]) {
          const one = (op: Op) => proofWeight([op], 0, count, count).tokens;
          const base = { feeIndex: 0, from, amount: 1n, sig: SIG };
          const w = {
            transferFrom: one({ ...base, kind: OpKind.TRANSFER_FROM, tokenId, owner: 7, to: 9 }),
            transferFromNew: one({ ...base, kind: OpKind.TRANSFER_FROM_NEW, tokenId, owner: 7, to: "0x" + "11".repeat(20) }),
            approve: one({ ...base, kind: OpKind.APPROVE, tokenId, spender: from }),
            transfer: one({ ...base, kind: OpKind.TOKEN_TRANSFER, tokenId, to: 9 }),
            queue: one({ kind: OpKind.QUEUE, credit: "existing", index: 5 }),
          };
          for (const [k, v] of Object.entries(w)) worst[k] = Math.max(worst[k] ?? 0, v);
        }
      }
      expect(worst).to.deep.equal({ transferFrom: 96, transferFromNew: 72, approve: 48, transfer: 48, queue: 24 });
      expect(Math.max(...Object.values(worst))).to.be.below(MAX_TOKEN_PROOF_WEIGHT);
    });

    it("held: queue credits to existing accounts count the widest path (13 levels with 4,097 tokens, 24 with 2^24: 24 and 13 a block at the cap of 320), the block builder seals at the first that does not fit and the next block takes it; 4,096 blocks a batch still carry QUEUE_CATCH_UP (4,096) entries", () => {
      const state = L2State.genesis();
      const holders = Array.from({ length: 40 }, () => Wallet.createRandom().address.toLowerCase());
      for (const a of holders) state.createAccount(a);
      // The token count as the weight reads it (registrations themselves are not the point).
      while (state.tokenCount < 2 ** 12 + 1) state.registerToken("0x" + (0x5e000000 + state.tokenCount).toString(16).padStart(40, "0"));
      const entries: QueueEntry[] = holders.map((account, k) => ({ index: BigInt(k), kind: QueueKind.ETH_DEPOSIT, account, tokenId: 0, amount: 1n }));
      const queueEntry = (i: bigint) => entries[Number(i)];
      // 4,097 tokens: 13 open levels a credit; as many credits fit as the cap holds, the next does not.
      const perCredit = widestOpenLevels(state.tokenCount);
      expect(perCredit).to.equal(13);
      const b = new BlockBuilder(state, { chainId: 51730n, baseFee: 1n, feeRecipient: 0, queueEntry });
      let n = 0;
      for (;;) {
        try {
          b.addQueueEntry();
          n++;
        } catch (e) {
          expect(e).to.be.instanceOf(BlockFullError);
          break;
        }
      }
      expect(n).to.equal(Math.floor(MAX_TOKEN_PROOF_WEIGHT / perCredit));
      // The next block takes the entry the last one could not.
      b.seal(1);
      const next = new BlockBuilder(state, { chainId: 51730n, baseFee: 1n, feeRecipient: 0, queueEntry });
      expect(() => next.addQueueEntry()).not.to.throw();
      // At the extreme (2^24 tokens, 24 levels a credit) 13 a block: 4,096 blocks hold 53,248 ≥ QUEUE_CATCH_UP.
      const w = new CommitmentWeight(0, 40, 2 ** 24);
      let k = 0;
      while (w.fits({ kind: OpKind.QUEUE, credit: "existing", index: k % 40 })) w.add({ kind: OpKind.QUEUE, credit: "existing", index: k++ % 40 });
      expect(k).to.equal(Math.floor(MAX_TOKEN_PROOF_WEIGHT / 24));
      expect(4096 * k).to.be.at.least(4096);
    });

    it("held: an operation that fits nowhere does not exist: the worst single operation with the fee recipient is within both caps in any state", () => {
      const accounts = multiProofSiblings([0, 2 ** 22 + 1, 2 ** 23 + 3, 3 * 2 ** 22 + 5, 2 ** 24 - 1]);
      expect(accounts).to.be.below(MAX_PROOF_WEIGHT);
      expect(3 * 24 + 24).to.be.below(MAX_TOKEN_PROOF_WEIGHT);
      expect(MAX_OPS_PER_COMMITMENT).to.equal(32);
    });
  });

  describe("5. Ordinary traffic under junk registrations", () => {
    it("measured: registrations are permissionless, and the earliest (most used) tokens get the most open levels; after 65,568 junk registrations (~5.3B L1 gas at the bench's 80.7k each) a block holds 9 transfers of token 0 between holders (was 32; the newest token 26) and 4 transferFroms among 100,000 accounts (9 with 64 tokens); after 2^20, 8 and 4", () => {
      const base = { feeIndex: 0, amount: 1n, sig: SIG };
      const fill = (accountCount: number, tokenCount: number, make: (k: number) => Op) => {
        const w = new CommitmentWeight(0, accountCount, tokenCount);
        let n = 0;
        let slots = 0;
        for (;;) {
          const op = make(n);
          const cost = op.kind >= OpKind.APPROVE ? 2 : 1;
          if (slots + cost > MAX_OPS_PER_COMMITMENT || !w.fits(op)) return n;
          w.add(op);
          slots += cost;
          n++;
        }
      };
      // Senders and recipients 1..64: their account-tree paths share almost everything.
      const transfers = (tokenCount: number, tokenId = 0) => fill(100_000, tokenCount, (k) => ({ ...base, from: 1 + (k % 32), kind: OpKind.TOKEN_TRANSFER, tokenId, to: 33 + (k % 32) }));
      const transferFroms = (tokenCount: number) => fill(100_000, tokenCount, (k) => ({ ...base, from: 65 + k, kind: OpKind.TRANSFER_FROM, tokenId: 0, owner: 1 + k, to: 33 + k }));
      const figures = {
        tokens64: { transfers: transfers(64), transferFroms: transferFroms(64) },
        tokens65568: { transfers: transfers(65_568), newestTransfers: transfers(65_568, 65_567), transferFroms: transferFroms(65_568) },
        tokens2pow20: { transfers: transfers(2 ** 20), transferFroms: transferFroms(2 ** 20) },
      };
      console.log("      operations a block holds:", JSON.stringify(figures));
      // A spender low in a 100,000-account tree has 17 open levels: with 64 tokens (6 a path) a
      // transferFrom weighs 3 × 6 + 17 = 35, so 9 fit, not the 16 slots allow.
      expect(figures.tokens64).to.deep.equal({ transfers: Math.floor(MAX_TOKEN_PROOF_WEIGHT / (2 * openLevels(0, 64))), transferFroms: Math.floor(MAX_TOKEN_PROOF_WEIGHT / (3 * openLevels(0, 64) + 17)) });
      expect(figures.tokens65568.newestTransfers).to.equal(Math.min(32, Math.floor(MAX_TOKEN_PROOF_WEIGHT / (2 * openLevels(65_567, 65_568)))));
      expect(openLevels(0, 65_568)).to.equal(17);
      expect(figures.tokens65568.transfers).to.equal(Math.floor(MAX_TOKEN_PROOF_WEIGHT / (2 * 17)));
      expect(figures.tokens65568.transferFroms).to.equal(Math.floor(MAX_TOKEN_PROOF_WEIGHT / (3 * 17 + 17)));
      expect(figures.tokens2pow20).to.deep.equal({ transfers: Math.floor(MAX_TOKEN_PROOF_WEIGHT / (2 * openLevels(0, 2 ** 20))), transferFroms: Math.floor(MAX_TOKEN_PROOF_WEIGHT / (3 * openLevels(0, 2 ** 20) + 17)) });
    });
  });
});
