import { expect } from "chai";
import fc from "fast-check";
import { IncrementalMerkleTree } from "../../src/core/merkle";
import { keccak256, hashPair } from "../../src/core/hash";

/** Full rebuild of a depth-d tree from its leaves, the slow way: every level, empty subtrees as zero hashes. */
function rebuild(depth: number, leaves: Buffer[]): Buffer {
  let layer: Buffer[] = leaves.slice();
  let zero: Buffer = Buffer.alloc(32);
  for (let l = 0; l < depth; l++) {
    const next: Buffer[] = [];
    for (let i = 0; i < Math.max(1, layer.length); i += 2) next.push(hashPair(layer[i] ?? zero, layer[i + 1] ?? zero));
    layer = next;
    zero = hashPair(zero, zero);
  }
  return layer[0];
}

describe("core/merkle IncrementalMerkleTree", () => {
  it("matches a full rebuild after any sequence of leaf updates", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(40), fc.nat()), { minLength: 1, maxLength: 60 }), (updates) => {
        const tree = new IncrementalMerkleTree(8);
        const leaves: Buffer[] = [];
        for (const [i, seed] of updates) {
          const h = keccak256(Buffer.from(String(seed)));
          tree.setLeaf(i, h);
          while (leaves.length <= i) leaves.push(Buffer.alloc(32));
          leaves[i] = h;
          if (seed % 3 === 0) tree.root(); // interleave reads with writes
        }
        return tree.root().equals(rebuild(8, leaves));
      }),
      { numRuns: 200 },
    );
  });

  it("gives Merkle paths that rebuild the root", () => {
    const tree = new IncrementalMerkleTree(6);
    for (let i = 0; i < 13; i++) tree.setLeaf(i, keccak256(Buffer.of(i)));
    const root = tree.root();
    for (const i of [0, 5, 12, 40]) {
      let node = tree.leaf(i);
      tree.proof(i).forEach((sib, l) => (node = (i >> l) & 1 ? hashPair(sib, node) : hashPair(node, sib)));
      expect(node.equals(root)).to.equal(true);
    }
  });

  it("rehashes only the changed paths: k updated leaves cost at most k·depth hashes", () => {
    const tree = new IncrementalMerkleTree(24);
    for (let i = 0; i < 1000; i++) tree.setLeaf(i, keccak256(Buffer.of(i & 0xff, i >> 8)));
    tree.root();
    for (let round = 0; round < 50; round++) {
      const before = tree.hashesComputed;
      for (let k = 0; k < 4; k++) tree.setLeaf((round * 7 + k * 101) % 1000, keccak256(Buffer.of(round, k)));
      tree.root();
      expect(tree.hashesComputed - before).to.be.at.most(4 * 24);
    }
  });
});
