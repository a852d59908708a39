import { expect } from "chai";
import { Wallet } from "ethers";
import { ETH, fundedChain, predeploy, signParsed } from "../helpers/coreFixture";
import { WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { summarizeBatch } from "../../src/core/batch";
import { keccak256 } from "../../src/core/hash";
import { withdrawalLeaf, type Withdrawal } from "../../src/core/hashing";
import { WithdrawalNotInBatchError, proveWithdrawal, type CommittedBlock } from "../../src/core/withdrawalProof";
import { combineBlobClaims, splitByCounts } from "../../src/core/blobBatch";

/** What OpenZeppelin's MerkleProof.verify (sorted pairs) computes: the root `proof` leads `leaf` to. */
function rootOf(leaf: Buffer, proof: Buffer[]): Buffer {
  return proof.reduce((h, p) => keccak256(Buffer.concat(Buffer.compare(h, p) <= 0 ? [h, p] : [p, h])), leaf);
}

describe("core/withdrawalProof: a withdrawal's proof against its batch", () => {
  /** A batch of four blocks: withdrawals in the first (two), none in the second, one in the third and fourth. */
  async function batch() {
    const { chain, alice } = fundedChain();
    const preStateRoot = chain.state.root();
    const blocks: CommittedBlock[] = [];
    let nonce = 0;
    for (const count of [2, 0, 1, 1]) {
      const b = chain.builder();
      for (let i = 0; i < count; i++) {
        const data = predeploy.encodeFunctionData("withdraw", [Wallet.createRandom().address, ZERO_ADDRESS, ETH / 100n]);
        b.addTransaction(await signParsed(alice, { to: WITHDRAWAL_PREDEPLOY, data, nonce: nonce++ }));
      }
      if (count === 0) b.addTransaction(await signParsed(alice, { to: Wallet.createRandom().address, value: 1n, nonce: nonce++ }));
      const sealed = b.seal(1_700_000_000);
      blocks.push({ number: blocks.length + 1, body: sealed.body, withdrawals: sealed.withdrawals });
    }
    return { blocks, summary: summarizeBatch(preStateRoot, blocks.map((b) => b.body)) };
  }

  it("leads every withdrawal of the batch to the root L1 holds for it", async () => {
    const { blocks, summary } = await batch();
    const all: Array<[CommittedBlock, Withdrawal]> = blocks.flatMap((b) => b.withdrawals.map((w) => [b, w] as [CommittedBlock, Withdrawal]));
    expect(all).to.have.length(4);
    for (const [block, w] of all) {
      expect(rootOf(withdrawalLeaf(w), proveWithdrawal(blocks, block.number, w.id)).equals(summary.withdrawalRoot)).to.equal(true);
    }
  });

  it("refuses a withdrawal that is not in the block named, or a block not in the batch", async () => {
    const { blocks } = await batch();
    const first = blocks[0].withdrawals[0];
    expect(() => proveWithdrawal(blocks, blocks[2].number, first.id)).to.throw(WithdrawalNotInBatchError);
    expect(() => proveWithdrawal(blocks.slice(1), blocks[0].number, first.id)).to.throw(WithdrawalNotInBatchError);
  });

  it("leads every withdrawal of a batch over several blobs to the root the Rollup combines from the blobs' claims (blobs of 1, 2 and 1 blocks; the middle one's second block has none)", async () => {
    const { blocks } = await batch();
    const hex = (b: Buffer) => "0x" + b.toString("hex");
    const claims = splitByCounts(blocks, [1, 2, 1]).map((group) => {
      const s = summarizeBatch(Buffer.alloc(32), group.map((b) => b.body));
      return { commitmentsRoot: hex(s.commitmentsRoot), postStateRoot: hex(s.postStateRoot), withdrawalRoot: hex(s.withdrawalRoot), count: group.length, blocks: group.length, lastTimestamp: 0n };
    });
    const root = Buffer.from(combineBlobClaims(claims).withdrawalRoot.slice(2), "hex");
    for (const block of blocks) {
      for (const w of block.withdrawals) {
        expect(rootOf(withdrawalLeaf(w), proveWithdrawal(blocks, block.number, w.id, [1, 2, 1])).equals(root), `withdrawal ${w.id}`).to.equal(true);
        // One blob: the batch's own tree, as without the split.
        expect(proveWithdrawal(blocks, block.number, w.id, [4])).to.deep.equal(proveWithdrawal(blocks, block.number, w.id));
      }
    }
  });
});
