import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MAX_PROOF_WEIGHT, OpKind } from "../../src/core/constants";
import { proofWeight } from "../../src/core/proofWeight";
import type { Op } from "../../src/core/ops";
import { fraudFixture } from "../helpers/fraudFixture";
import { onChainVerdict } from "../../src/core/fraudProof";

const SIG = { r: Buffer.alloc(32, 1), s: Buffer.alloc(32, 1), yParity: 0 as const };
/** One operation as the harness takes it and as src/core does. */
interface Raw {
  kind: number;
  x: number;
  from: number;
  to: number;
  owner: number;
}

function toCore(r: Raw): Op {
  const base = { feeIndex: r.x, from: r.from, amount: 1n, sig: SIG };
  const address = "0x" + (r.to + 1).toString(16).padStart(40, "0");
  switch (r.kind) {
    case OpKind.QUEUE:
      return r.x === 2 ? { kind: OpKind.QUEUE, credit: "existing", index: r.to } : r.x === 1 ? { kind: OpKind.QUEUE, credit: "new" } : { kind: OpKind.QUEUE, credit: "none" };
    case OpKind.ETH_TRANSFER:
      return { ...base, kind: OpKind.ETH_TRANSFER, to: r.to };
    case OpKind.ETH_TRANSFER_NEW:
      return { ...base, kind: OpKind.ETH_TRANSFER_NEW, to: address };
    case OpKind.TOKEN_TRANSFER:
      return { ...base, kind: OpKind.TOKEN_TRANSFER, tokenId: 0, to: r.to };
    case OpKind.TOKEN_TRANSFER_NEW:
      return { ...base, kind: OpKind.TOKEN_TRANSFER_NEW, tokenId: 0, to: address };
    case OpKind.WITHDRAW_ETH:
      return { ...base, kind: OpKind.WITHDRAW_ETH, l1Recipient: address };
    case OpKind.WITHDRAW_TOKEN:
      return { ...base, kind: OpKind.WITHDRAW_TOKEN, tokenId: 0, l1Recipient: address };
    case OpKind.APPROVE:
      return { ...base, kind: OpKind.APPROVE, tokenId: 0, spender: r.to };
    case OpKind.APPROVE_NEW:
      return { ...base, kind: OpKind.APPROVE_NEW, tokenId: 0, spender: address };
    case OpKind.TRANSFER_FROM:
      return { ...base, kind: OpKind.TRANSFER_FROM, tokenId: 0, owner: r.owner, to: r.to };
    default:
      return { ...base, kind: OpKind.TRANSFER_FROM_NEW, tokenId: 0, owner: r.owner, to: address };
  }
}

describe("ProofWeight.sol: the proof weight, the same as src/core's on any operations", () => {
  const harness = async () => ethers.deployContract("ProofWeightHarness");

  it("on 300 random commitments (every kind, indices clustered, spread, repeated, in reverse order, accounts created near 2^24) the harness gives src/core's weight", async () => {
    const h = await loadFixture(harness);
    let seed = 0x5eed;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let round = 0; round < 300; round++) {
      const shape = round % 5;
      const index = (): number =>
        shape === 0 ? rnd(64) : shape === 1 ? rnd(2 ** 24) : shape === 2 ? [0, 1, 2 ** 23, 2 ** 24 - 1][rnd(4)] : shape === 3 ? 2 ** 24 - 1 - rnd(40) : rnd(2 ** 12) * 4096;
      const n = rnd(33);
      const raws: Raw[] = Array.from({ length: n }, () => ({ kind: rnd(11), x: rnd(3), from: index(), to: index(), owner: index() }));
      if (shape === 3) raws.sort((a, b) => b.from - a.from);
      const feeRecipient = rnd(4) === 0 ? 2 ** 24 + rnd(100) : index();
      const accountCount = shape === 3 ? 2 ** 24 - rnd(40) : rnd(2 ** 24);
      const expected = proofWeight(raws.map(toCore), feeRecipient, accountCount);
      const got = await h.weigh(
        raws.map((r) => r.kind),
        raws.map((r) => r.x),
        raws.map((r) => r.from),
        raws.map((r) => r.to),
        raws.map((r) => r.owner),
        feeRecipient,
        accountCount,
      );
      expect(Number(got), `round ${round}`).to.equal(expected);
    }
  });

  it("a queue operation with credit mode 3 names no account on either side", async () => {
    const h = await loadFixture(harness);
    expect(await h.weigh([0], [3], [5], [9], [0], 0, 10)).to.equal(24n);
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
  });
});
