import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MAX_PROOF_WEIGHT, MAX_TOKEN_PROOF_WEIGHT, OpKind } from "../../src/core/constants";
import { openLevels, proofWeight, widestOpenLevels } from "../../src/core/proofWeight";
import type { Op } from "../../src/core/ops";
import { toCore, type Raw } from "../helpers/weightOps";
import { fraudFixture, tokenTransfer } from "../helpers/fraudFixture";
import { onChainVerdict } from "../../src/core/fraudProof";

/**
 * Random commitments weighed on both sides: 100 in npm test (20 of each of the five shapes, the
 * first 100 rounds of the full run); `npm run fuzz:proof-weight` runs the full 300,
 * PROOF_WEIGHT_ROUNDS any count.
 */
const ROUNDS = Number(process.env.PROOF_WEIGHT_ROUNDS ?? 100);

describe("ProofWeight.sol: the proof weight, the same as src/core's on any operations", () => {
  const harness = async () => ethers.deployContract("ProofWeightHarness");

  it(`on ${ROUNDS} random commitments (every kind, indices clustered, spread, repeated, in reverse order, accounts created near 2^24; token ids and counts at every boundary) the harness gives src/core's weight, both parts`, async () => {
    const h = await loadFixture(harness);
    let seed = 0x5eed;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let round = 0; round < ROUNDS; round++) {
      const shape = round % 5;
      const index = (): number =>
        shape === 0 ? rnd(64) : shape === 1 ? rnd(2 ** 24) : shape === 2 ? [0, 1, 2 ** 23, 2 ** 24 - 1][rnd(4)] : shape === 3 ? 2 ** 24 - 1 - rnd(40) : rnd(2 ** 12) * 4096;
      const tokenCount = [0, 1, 2, 3, 256, 257, 2 ** 17, 2 ** 17 + 32, 2 ** 24 - 1, 2 ** 24, 2 ** 40, rnd(2 ** 24)][rnd(12)];
      const tokenId = (): number => [0, 1, 255, 2 ** 24 - 1, Math.max(0, tokenCount - 1 - rnd(3)), Math.min(2 ** 24 - 1, tokenCount + rnd(3)), rnd(2 ** 24), rnd(256)][rnd(8)];
      const n = rnd(33);
      const raws: Raw[] = Array.from({ length: n }, () => ({ kind: rnd(11), x: rnd(3), from: index(), to: index(), owner: index(), tokenId: tokenId() }));
      if (shape === 3) raws.sort((a, b) => b.from - a.from);
      const feeRecipient = rnd(4) === 0 ? 2 ** 24 + rnd(100) : index();
      const accountCount = shape === 3 ? 2 ** 24 - rnd(40) : rnd(2 ** 24);
      const expected = proofWeight(raws.map(toCore), feeRecipient, accountCount, tokenCount);
      const [accounts, tokens] = await h.weigh(
        raws.map((r) => r.kind),
        raws.map((r) => r.x),
        raws.map((r) => r.from),
        raws.map((r) => r.to),
        raws.map((r) => r.owner),
        raws.map((r) => r.tokenId),
        feeRecipient,
        accountCount,
        tokenCount,
      );
      expect({ accounts: Number(accounts), tokens: Number(tokens) }, `round ${round}`).to.deep.equal(expected);
    }
  });

  it("the closed form of a path's open levels equals the level-by-level definition for every key and count of a 6-bit tree's worth of patterns, and at the tree's edges", async () => {
    const h = await loadFixture(harness);
    // A withdrawal of token t reads one token path: its weight is openLevels(t, tokenCount).
    const pairs: [number, number][] = [];
    for (let key = 0; key < 64; key += 3) for (let count = 0; count <= 65; count += 5) pairs.push([key, count]);
    for (const key of [0, 1, 2 ** 23, 2 ** 24 - 2, 2 ** 24 - 1, 0x555555, 0xaaaaaa]) {
      for (const count of [0, 1, key, key + 1, Math.max(0, key - 1), 2 ** 23, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1]) pairs.push([key, count]);
    }
    const tokens = await Promise.all(
      pairs.map(([key, count]) => h.weigh([OpKind.WITHDRAW_TOKEN], [0], [0], [0], [0], [key], 0, 1, count).then(([, t]) => Number(t))),
    );
    pairs.forEach(([key, count], i) => expect(tokens[i], `key ${key}, count ${count}`).to.equal(openLevels(key, count)));
    // The widest path: a queue credit to an existing account, whose token the body does not say
    // (one registered before the commitment, or in it).
    for (const count of [0, 1, 2, 3, 4, 5, 255, 256, 257, 4095, 2 ** 24, 2 ** 24 + 1, 2 ** 40]) {
      const [, t] = await h.weigh([OpKind.QUEUE], [2], [0], [0], [0], [0], 0, 1, count);
      // Keys registered before the commitment, and up to 32 registered in it.
      const widest = count >= 2 ** 24 ? 24 : Math.max(0, ...Array.from({ length: count + 32 }, (_, key) => openLevels(key, count)));
      expect(Number(t), `count ${count}`).to.equal(widestOpenLevels(count)).and.to.equal(widest);
    }
  });

  it("a queue operation with credit mode 3 names no account on either side", async () => {
    const h = await loadFixture(harness);
    expect(await h.weigh([0], [3], [5], [9], [0], [0], 0, 10, 5)).to.deep.equal([24n, 0n]);
  });

  describe("through proveFraud", () => {
    /** Hand-made ETH transfers from alice to `targets` (indices that need not exist). */
    async function spreadBatch(f: Awaited<ReturnType<typeof fraudFixture>>, targets: number[]) {
      const { op, fee } = await f.chain.signedOp(f.alice, { to: f.bob.address, value: 1n });
      const ops: Op[] = targets.map((to) => ({ ...(op as Extract<Op, { kind: 1 }>), kind: OpKind.ETH_TRANSFER, to }));
      const body = f.chain.handMade(ops, [fee]);
      return f.chain.post([body]);
    }

    it("a commitment whose indices are spread past MAX_PROOF_WEIGHT is MALFORMED on both sides, proven cheaply, whatever its operations are", async () => {
      const f = await loadFixture(fraudFixture);
      // 32 recipients 2^19 apart: ~32 × 19 siblings, over the cap (none of them exists).
      const batch = await spreadBatch(f, Array.from({ length: 32 }, (_, i) => i * 2 ** 19 + 7));
      const p = f.chain.proof(batch);
      expect(p.verdict).to.deep.include({ ok: false, kind: "malformed" });
      expect((p.verdict as { details: string }).details).to.match(new RegExp(`proof weight \\d+ .* over ${MAX_PROOF_WEIGHT}`));
      const tx = await f.rollup.proveFraud(...p.args);
      const receipt = (await tx.wait())!;
      const proven = receipt.logs.map((l) => f.rollup.interface.parseLog(l)).find((e) => e?.name === "FraudProven");
      expect(Number(proven!.args.kind)).to.equal(onChainVerdict(p.verdict).kind);
      expect(receipt.gasUsed).to.be.below(600_000n);
    });

    it("the same spread kept under the cap is judged on its operations: the first names no account (UNKNOWN_ACCOUNT) on both sides", async () => {
      const f = await loadFixture(fraudFixture);
      const batch = await spreadBatch(f, Array.from({ length: 8 }, (_, i) => i * 2 ** 19 + 7));
      const p = f.chain.proof(batch);
      expect(p.verdict).to.deep.include({ ok: false, kind: "invalid-operation", opIndex: 0 });
      const receipt = (await (await f.rollup.proveFraud(...p.args)).wait())!;
      const proven = receipt.logs.map((l) => f.rollup.interface.parseLog(l)).find((e) => e?.name === "FraudProven");
      expect([Number(proven!.args.kind), Number(proven!.args.reason)]).to.deep.equal([onChainVerdict(p.verdict).kind, onChainVerdict(p.verdict).reason]);
    });

    it("a commitment whose token paths could cross more than MAX_TOKEN_PROOF_WEIGHT open levels is MALFORMED on both sides; one operation fewer is judged on its operations", async () => {
      const f = await loadFixture(fraudFixture);
      // The fixture's L2 state is shared by every test that loads it: put it back after.
      const cp = f.chain.state.checkpoint();
      try {
        // 4,096 registered tokens (claimed by an unchallenged batch): every token path has 12 open levels.
        while (f.chain.state.tokenCount < 4096) f.chain.state.registerToken("0x" + (0x5e000000 + f.chain.state.tokenCount).toString(16).padStart(40, "0"));
        await f.chain.post([f.chain.handMade([], [])]);
        const { op, fee } = await f.chain.signedOp(f.alice, tokenTransfer(f.chain.state.token(0)!.l2Address, f.bob.address, 1n));
        const bob = f.chain.state.indexOf(f.bob.address.toLowerCase())!;
        const perOp = 2 * openLevels(0, 4096);
        expect(perOp).to.equal(24);
        const over = Math.floor(MAX_TOKEN_PROOF_WEIGHT / perOp) + 1;
        for (const n of [over, over - 1]) {
          const ops: Op[] = Array.from({ length: n }, () => ({ ...(op as Extract<Op, { kind: 3 }>), kind: OpKind.TOKEN_TRANSFER, to: bob }));
          const p = f.chain.proof(await f.chain.post([f.chain.handMade(ops, [fee])]));
          // The first transfer is alice's own; the copies repeat her nonce.
          if (n === over) expect(p.verdict).to.deep.include({ ok: false, kind: "malformed" });
          else expect(p.verdict).to.deep.include({ ok: false, kind: "invalid-operation", opIndex: 1 });
          if (n === over) expect((p.verdict as { details: string }).details).to.match(new RegExp(`token proof weight ${n * perOp} .* over ${MAX_TOKEN_PROOF_WEIGHT}`));
          const receipt = (await (await f.rollup.proveFraud(...p.args)).wait())!;
          const proven = receipt.logs.map((l) => f.rollup.interface.parseLog(l)).find((e) => e?.name === "FraudProven");
          expect([Number(proven!.args.kind), Number(proven!.args.reason)]).to.deep.equal([onChainVerdict(p.verdict).kind, onChainVerdict(p.verdict).reason]);
          await f.rollup.postBond({ value: f.params.bondSize });
        }
      } finally {
        f.chain.state.rollback(cp);
      }
    });
  });
});
