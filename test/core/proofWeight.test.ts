import { expect } from "chai";
import fc from "fast-check";
import { Wallet, parseEther } from "ethers";
import { ACCOUNT_TREE_DEPTH, MAX_PROOF_WEIGHT } from "../../src/core/constants";
import { TouchedAccounts, multiProofSiblings, proofWeight } from "../../src/core/proofWeight";
import { buildMultiProof } from "../../src/core/multiproof";
import { L2State } from "../../src/core/state";
import { BlockBuilder, BlockFullError } from "../../src/core/blockBuilder";
import { parseRawTransaction } from "../../src/core/intake";
import { replayCommitment } from "../../src/core/replay";
import { BASE_FEE, CHAIN_ID } from "../helpers/coreFixture";

/** Sibling positions of a multiproof over `indices`, counted level by level. */
function bruteSiblings(indices: number[], depth = ACCOUNT_TREE_DEPTH): number {
  let nodes = new Set(indices.filter((i) => i >= 0 && i < 2 ** depth));
  let total = 0;
  for (let level = 0; level < depth; level++) {
    const parents = new Set<number>();
    for (const n of nodes) {
      if (!nodes.has(n ^ 1)) total++;
      parents.add(Math.floor(n / 2));
    }
    nodes = parents;
  }
  return total;
}

describe("core/proofWeight: the account siblings a proof of a commitment needs", () => {
  it("multiProofSiblings equals the level-by-level count and the witness builder's sibling positions, on any set of indices", () => {
    const index = fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }), fc.integer({ min: 2 ** 24, max: 2 ** 28 }));
    fc.assert(
      fc.property(fc.array(index, { maxLength: 100 }), (indices) => {
        const w = multiProofSiblings(indices);
        expect(w).to.equal(bruteSiblings(indices));
        const inTree = [...new Set(indices.filter((i) => i < 2 ** ACCOUNT_TREE_DEPTH))].sort((a, b) => a - b);
        if (inTree.length === 0) return;
        const zero = Array.from({ length: ACCOUNT_TREE_DEPTH + 1 }, () => Buffer.alloc(32));
        const mp = buildMultiProof(ACCOUNT_TREE_DEPTH, inTree, () => Buffer.alloc(32, 1), zero);
        // Every sibling is a non-zero node here, so each one is sent: the proof's length is the count.
        expect(mp.proof.length).to.equal(w);
      }),
      { numRuns: 300 },
    );
  });

  it("counts the fee recipient, every index an operation names and the accounts it would create, whatever their order", () => {
    const eth = (from: number, to: number) => ({ kind: 1, feeIndex: 0, from, to, amount: 1n, sig: { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 } }) as const;
    const fresh = (from: number) => ({ kind: 2, feeIndex: 0, from, to: Wallet.createRandom().address, amount: 1n, sig: { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 } }) as const;
    expect(proofWeight([], 0, 10)).to.equal(24);
    expect(proofWeight([eth(0, 1)], 0, 10)).to.equal(23);
    // Two creations take indices 10 and 11 of a 10-account state.
    expect(proofWeight([fresh(0), fresh(0)], 0, 10)).to.equal(multiProofSiblings([0, 10, 11]));
    expect(proofWeight([eth(5, 2 ** 23), eth(2 ** 23 - 1, 3)], 7, 100)).to.equal(proofWeight([eth(2 ** 23 - 1, 3), eth(5, 2 ** 23)], 7, 100));
    // An index outside the tree (a fee recipient past 2^24) names nothing.
    expect(proofWeight([eth(0, 1)], 2 ** 25, 10)).to.equal(multiProofSiblings([0, 1]));
  });

  it("the block builder seals before a transaction would take the commitment over MAX_PROOF_WEIGHT, and each sealed block replays", async () => {
    // 20,000 accounts: 32 transfers between accounts spread through them need ~600 siblings.
    const state = L2State.genesis();
    const wallets = Array.from({ length: 64 }, (_, i) => new Wallet("0x" + (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(64, "0")));
    const spacing = Math.floor(20_000 / 64);
    let next = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i % spacing === 0 && next < wallets.length) {
        const at = state.createAccount(wallets[next++].address.toLowerCase());
        state.setBalance(at, parseEther("1"));
      } else {
        state.createAccount("0x" + (0x20000000 + i).toString(16).padStart(40, "0"));
      }
    }
    const txs = await Promise.all(
      Array.from({ length: 32 }, async (_, i) =>
        parseRawTransaction(await wallets[i].signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, gasLimit: 21_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, to: wallets[63 - i].address, value: 1n }), CHAIN_ID),
      ),
    );
    const blocks: Buffer[] = [];
    let pending = txs;
    while (pending.length > 0) {
      const pre = state.checkpoint();
      const preCount = state.accountCount;
      const b = new BlockBuilder(state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: () => undefined });
      const touched = new TouchedAccounts(0, preCount);
      let taken = 0;
      for (const tx of pending) {
        try {
          b.addTransaction(tx);
        } catch (e) {
          expect(e).to.be.instanceOf(BlockFullError);
          break;
        }
        taken++;
      }
      const sealed = b.seal(1_700_000_000 + blocks.length);
      for (const op of sealed.commitment.ops) touched.add(op);
      expect(touched.weight).to.be.at.most(MAX_PROOF_WEIGHT);
      expect(proofWeight(sealed.commitment.ops, 0, preCount)).to.equal(touched.weight);
      blocks.push(sealed.body);
      // The next transaction would have taken it over the cap.
      if (taken < pending.length) {
        const nextOp = sealed.commitment.ops.length;
        expect(nextOp).to.equal(taken);
      }
      pending = pending.slice(taken);
      const after = state.root();
      state.rollback(pre);
      const r = replayCommitment(state, sealed.body, { chainId: CHAIN_ID, queueEntry: () => undefined });
      expect(r.verdict).to.deep.equal({ ok: true });
      expect(state.root().equals(after)).to.equal(true);
    }
    expect(blocks.length).to.be.greaterThan(1);
  });
});
