import { expect } from "chai";
import { Wallet, parseEther } from "ethers";
import { startTestNode, rpc } from "../helpers/nodeFixture";
import { DEVNET_PARAMS } from "../../deploy/params";
import { OverloadedError } from "../../src/core/errors";

describe("sequencer backpressure: intake stops before unposted blocks can outrun what L1 allows", function () {
  this.timeout(120_000);

  async function transfer(t: Awaited<ReturnType<typeof startTestNode>>, nonce: number) {
    const alice = t.wallets[0];
    return alice.signTransaction({ type: 2, chainId: DEVNET_PARAMS.l2ChainId, to: Wallet.createRandom().address, value: 1n, nonce, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
  }

  it("refuses transactions with -32005 while the backlog is over its byte limit, still credits deposits, and accepts again once it is posted", async () => {
    // Nothing is posted on its own: only flush() posts.
    const t = await startTestNode(1, { maxBacklogBytes: 600, maxBatchBytes: 1_000_000, maxBatchAgeMs: 3_600_000 });
    try {
      let nonce = Number(t.node.nonce(t.wallets[0].address, "pending"));
      let accepted = 0;
      let refused: unknown = null;
      for (let i = 0; i < 40 && !refused; i++) {
        try {
          await t.node.sendRawTransaction(await transfer(t, nonce));
          nonce++;
          accepted++;
          t.node.sequencer.sealBlock();
        } catch (e) {
          refused = e;
        }
      }
      expect(refused).to.be.instanceOf(OverloadedError);
      expect(accepted).to.be.greaterThan(0);
      const backlog = t.node.submitter.backlog();
      expect(backlog.bytes).to.be.greaterThan(600);

      const viaRpc = await rpc(t.url, "eth_sendRawTransaction", [await transfer(t, nonce)]);
      expect(viaRpc.error?.code).to.equal(-32005);
      expect(viaRpc.error?.message).to.match(/behind posting to L1/);

      // L1 queue entries are not subject to it: a deposit is still credited.
      const stranger = Wallet.createRandom().address;
      await t.bridge.connect(t.funder).depositETH(stranger, { value: parseEther("1") });
      await t.node.pollL1();
      expect(t.node.state.accountOf(stranger.toLowerCase())?.balance).to.equal(parseEther("1"));

      await t.node.flush();
      expect(t.node.submitter.backlog()).to.deep.equal({ bytes: 0, oldestAgeMs: 0 });
      await t.node.sendRawTransaction(await transfer(t, nonce));
    } finally {
      await t.stop();
    }
  });

  it("refuses transactions while the oldest unposted block is older than its age limit", async () => {
    const t = await startTestNode(1, { maxBacklogAgeMs: 200, maxBatchAgeMs: 3_600_000 });
    try {
      const nonce = Number(t.node.nonce(t.wallets[0].address, "pending"));
      await t.node.sendRawTransaction(await transfer(t, nonce));
      t.node.sequencer.sealBlock();
      await new Promise((r) => setTimeout(r, 300));
      await t.node.sendRawTransaction(await transfer(t, nonce + 1)).then(
        () => expect.fail("accepted a transaction behind a block unposted for 300 ms"),
        (e: unknown) => expect(e).to.be.instanceOf(OverloadedError),
      );
      await t.node.flush();
      await t.node.sendRawTransaction(await transfer(t, nonce + 1));
    } finally {
      await t.stop();
    }
  });

  it("defaults its limits to 32 batches' worth of bytes and a quarter of the Rollup's sequencer timeout", async () => {
    const t = await startTestNode(1);
    try {
      expect(t.node.backlogLimits()).to.deep.equal({ maxBytes: 32 * 100_000, maxAgeMs: (DEVNET_PARAMS.sequencerTimeout * 1000) / 4 });
    } finally {
      await t.stop();
    }
  });
});
