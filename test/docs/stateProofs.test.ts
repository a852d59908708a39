import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, type HDNodeWallet } from "ethers";
import { startTestNode } from "../helpers/nodeFixture";
import { provenBalance } from "../../docs/examples/stateProof";
import { expectInlined } from "../helpers/docs";

describe("docs/state-proofs.md: the example runs as written", function () {
  this.timeout(60_000);
  const quiet = console.log;
  after(() => (console.log = quiet));

  it("proves an account's balance at the newest batch's last block against the post-state root the Rollup holds", async () => {
    expectInlined("docs/state-proofs.md", "docs/examples/stateProof.ts");
    const t = await startTestNode(1, { blockTimeMs: 60_000 });
    try {
      const alice = t.wallets[0] as HDNodeWallet;
      const raw = await alice.signTransaction({ type: 2, chainId: 51730n, to: Wallet.createRandom().address, value: 12_345n, nonce: 0, gasLimit: 30_000n, maxFeePerGas: t.node.baseFee * 10n, maxPriorityFeePerGas: 0n });
      await t.node.sendRawTransaction(raw);
      await t.node.flush();
      const atBatchEnd = t.node.state.accountOf(alice.address.toLowerCase())!.balance;
      // Later blocks, not yet posted: the proof is still of the batch's last block.
      await t.node.sendRawTransaction(await alice.signTransaction({ type: 2, chainId: 51730n, to: Wallet.createRandom().address, value: 1n, nonce: 1, gasLimit: 30_000n, maxFeePerGas: t.node.baseFee * 10n, maxPriorityFeePerGas: 0n }));
      t.node.sequencer.sealBlock();
      console.log = () => {};
      const r = await provenBalance(t.url, ethers.provider, t.addresses.rollup, alice.address);
      console.log = quiet;
      expect(r.verified).to.equal(true);
      expect(r.block).to.equal(t.node.chain.batches.at(-1)!.lastBlock);
      expect(r.block).to.be.below(t.node.chain.latest.number);
      expect([r.balance, r.provenBalance]).to.deep.equal([atBatchEnd, atBatchEnd]);
    } finally {
      console.log = quiet;
      await t.stop();
    }
  });
});
