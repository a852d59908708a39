import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { accountLeaf, commitmentLeaf, queueAccumulator, stateRoot, withdrawalLeaf, l2TokenAddress, type Withdrawal } from "../../src/core/hashing";
import { positionalRoot, sparseLevels, sparseRoot, zeroHashes } from "../../src/core/merkle";
import { buildMultiProof } from "../../src/core/multiproof";
import { summarizeBatch, withdrawalProof } from "../../src/core/batch";
import { encodeBatch } from "../../src/core/commitment";
import { keccak256 } from "../../src/core/hash";
import { MerkleTree } from "merkletreejs";

const hex = (b: Buffer) => "0x" + b.toString("hex");
const addr = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
const word = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));

describe("Hashing: src/core and the Solidity libraries agree on the same inputs", () => {
  async function harness() {
    return (await ethers.deployContract("HashingHarness")) as unknown as import("../../typechain-types").HashingHarness;
  }

  async function multiProofHarness() {
    return (await ethers.deployContract("MultiProofHarness")) as unknown as import("../../typechain-types").MultiProofHarness;
  }

  it("queue accumulators", async () => {
    const h = await loadFixture(harness);
    await fc.assert(
      fc.asyncProperty(word, fc.integer({ min: 0, max: 2 }), addr, fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 256, max: 2 ** 24 - 1 }), fc.constantFrom(255, 256, 65_535, 65_536, 2 ** 24 - 1)), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), async (prev, kind, account, tokenId, amount, ts) => {
        const ts_ = queueAccumulator(prev, kind as 0, account, tokenId, amount, ts);
        expect(await h.queueAccumulator(prev, kind, account, tokenId, amount, ts)).to.equal(hex(ts_));
      }),
      { numRuns: 25 },
    );
  });

  it("multiproofs of depth-24 token trees (and of depths 13 and 5): MultiProof.sol gives src/core's root, empty siblings sent as flag bits only", async () => {
    const h = await loadFixture(multiProofHarness);
    const rootOnL1 = (depth: number, indices: number[], leaves: Buffer[], mp: { proof: Buffer[]; zeroFlags: Buffer }) =>
      h.root(depth, indices, leaves.map(hex), hex(Buffer.concat(mp.proof)), hex(mp.zeroFlags));
    // A lone token at the last 24-bit id: no sibling is sent, 24 flag bits say they are all empty.
    const zero24 = zeroHashes(24);
    const lone = new Map([[2 ** 24 - 1, Buffer.alloc(32, 7)]]);
    const loneLevels = sparseLevels(24, lone, zero24);
    const loneProof = buildMultiProof(24, [2 ** 24 - 1], (l, i) => loneLevels[l].get(i) ?? zero24[l], zero24);
    expect(loneProof.proof).to.have.length(0);
    expect(hex(loneProof.zeroFlags)).to.equal("0xffffff");
    expect(await rootOnL1(24, [2 ** 24 - 1], [Buffer.alloc(32, 7)], loneProof)).to.equal(hex(sparseRoot(24, lone, zero24)));
    for (const depth of [24, 13, 5]) {
      const zero = zeroHashes(depth);
      const tree = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 2 ** depth - 1 }), word), { minLength: 1, maxLength: 6, selector: ([i]) => i });
      await fc.assert(
        fc.asyncProperty(tree, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), async (entries, pick) => {
          const leaves = new Map(entries);
          // Prove some of the leaves (at least one); the others are siblings the proof must send.
          const proven = entries.map(([i]) => i).filter((_, k) => pick[k] || k === 0).sort((a, b) => a - b);
          const levels = sparseLevels(depth, leaves, zero);
          const mp = buildMultiProof(depth, proven, (l, i) => levels[l].get(i) ?? zero[l], zero);
          expect(await rootOnL1(depth, proven, proven.map((i) => leaves.get(i)!), mp)).to.equal(hex(sparseRoot(depth, leaves, zero)));
        }),
        { numRuns: 15 },
      );
    }
  });

  it("withdrawal leaves and L2 token addresses", async () => {
    const h = await loadFixture(harness);
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), addr, addr, addr, fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), async (id, a, b, c, amount) => {
        const w: Withdrawal = { id, l2Sender: a, l1Recipient: b, l1Token: c, amount };
        expect(await h.withdrawalLeaf(w)).to.equal(hex(withdrawalLeaf(w)));
        expect((await h.l2TokenAddress(a)).toLowerCase()).to.equal(l2TokenAddress(a));
      }),
      { numRuns: 20 },
    );
  });

  it("commitment leaves", async () => {
    const h = await loadFixture(harness);
    const body = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((b) => Buffer.from(b));
    await fc.assert(
      fc.asyncProperty(word, body, async (pre, b) => {
        expect(await h.commitmentLeaf(pre, b)).to.equal(hex(commitmentLeaf(pre, b)));
      }),
      { numRuns: 20 },
    );
  });

  it("account leaves, at the extremes of every field too", async () => {
    const h = await loadFixture(harness);
    const nonce = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, (1n << 64n) - 1n));
    const balance = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.constantFrom(0n, (1n << 256n) - 1n));
    await fc.assert(
      fc.asyncProperty(addr, nonce, balance, word, word, async (a, n, bal, tokenRoot, allowanceRoot) => {
        expect(await h.accountLeaf(a, n, bal, tokenRoot, allowanceRoot)).to.equal(hex(accountLeaf(a, n, bal, tokenRoot, allowanceRoot)));
      }),
      { numRuns: 25 },
    );
  });

  it("state roots, at the extremes of every counter too", async () => {
    const h = await loadFixture(harness);
    const small = fc.oneof(fc.integer({ min: 0, max: 2 ** 24 }), fc.constantFrom(0, 2 ** 24, Number.MAX_SAFE_INTEGER));
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, (1n << 64n) - 1n));
    await fc.assert(
      fc.asyncProperty(word, small, u64, u64, small, async (accountsRoot, accountCount, queueIndex, withdrawalCount, tokenCount) => {
        const expected = stateRoot({ accountsRoot, accountCount, queueIndex, withdrawalCount, tokenCount });
        expect(await h.stateRoot(accountsRoot, accountCount, queueIndex, withdrawalCount, tokenCount)).to.equal(hex(expected));
      }),
      { numRuns: 25 },
    );
  });

  it("positional and sorted-pair (merkletreejs) roots", async () => {
    const h = await loadFixture(harness);
    for (const n of [1, 2, 3, 5, 8, 13]) {
      const leaves = Array.from({ length: n }, (_, i) => keccak256(Buffer.of(i, n)));
      expect(await h.positionalRoot(leaves)).to.equal(hex(positionalRoot(leaves)));
      const tree = new MerkleTree(leaves, keccak256, { sortPairs: true });
      expect(await h.sortedRoot(leaves)).to.equal(tree.getHexRoot());
    }
  });

  it("batch summaries: commitments root, post-state root and withdrawal root", async () => {
    const h = await loadFixture(harness);
    const pre = keccak256(Buffer.from("pre"));
    const timestamp = (t: number) => Buffer.from(t.toString(16).padStart(10, "0"), "hex");
    const body = (post: string, w: Buffer | null, extra: number) =>
      Buffer.concat([keccak256(Buffer.from(post)), Buffer.of(w ? 1 : 0), w ?? Buffer.alloc(0), timestamp(1_700_000_000 + extra), Buffer.alloc(extra, 7)]);
    const bodies = [body("a", null, 10), body("b", keccak256(Buffer.from("w1")), 10), body("c", keccak256(Buffer.from("w2")), 20), body("d", null, 40)];
    const s = summarizeBatch(pre, bodies);
    const onchain = await h.summarize(encodeBatch(bodies), pre, 1_700_000_000, 1_800_000_000);
    expect(onchain.commitmentsRoot).to.equal(hex(s.commitmentsRoot));
    expect(onchain.postStateRoot).to.equal(hex(s.postStateRoot));
    expect(onchain.withdrawalRoot).to.equal(hex(s.withdrawalRoot));
    expect(onchain.count).to.equal(4n);
    expect(onchain.lastTimestamp).to.equal(1_700_000_040n);
  });

  it("withdrawal proofs built with merkletreejs verify against the batch withdrawal root", async () => {
    const ws = (base: bigint, n: number): Withdrawal[] =>
      Array.from({ length: n }, (_, i) => ({ id: base + BigInt(i), l2Sender: "0x" + "11".repeat(20), l1Recipient: "0x" + "22".repeat(20), l1Token: "0x" + "00".repeat(20), amount: BigInt(i + 1) }));
    const commitments = [ws(0n, 3), ws(3n, 1), ws(4n, 5)];
    const roots = commitments.map((c) => new MerkleTree(c.map(withdrawalLeaf), keccak256, { sortPairs: true }).getRoot());
    const batchRoot = new MerkleTree(roots, keccak256, { sortPairs: true }).getRoot();
    for (let c = 0; c < commitments.length; c++) {
      for (let i = 0; i < commitments[c].length; i++) {
        const proof = withdrawalProof(commitments[c], i, roots, c);
        expect(MerkleTree.verify(proof, withdrawalLeaf(commitments[c][i]), batchRoot, keccak256, { sortPairs: true })).to.equal(true);
      }
    }
  });
});
